// A guided tour's lifecycle — start, show step, next, back, skip, complete, dismiss —
// with an event for each, its progress kept by the service worker (and the server),
// its triggers (auto once, a click on a chosen element, the help launcher), and the
// keyboard rules of a step: Tab stays within the step and its target, Esc ends the
// tour, ArrowLeft/ArrowRight move between steps, focus comes back where it was.
//
// One tour is on screen at a time. A tour that wants to start on its own while another
// runs waits for it; one a person asks for (launcher, click) takes over.

import { MSG } from "../../shared/messages.js";
import { urlMatches } from "../../shared/targeting.js";
import { send } from "../bridge.js";
import { restoreFocus } from "../card.js";
import { watchNavigation } from "../navigation.js";
import { guard } from "../safe.js";
import { followTarget, WAIT_LIMIT_MS } from "./find.js";
import { deepActiveElement, focusablesIn, prefersReducedMotion, within } from "./focus.js";
import { offerInLauncher, refreshLauncher } from "./launcher.js";
import { getProgress, putProgress, STATUS } from "./progress.js";
import { StepView } from "./view.js";

export const TOUR_EVENT = Object.freeze({
  STARTED: "tour.started",
  STEP_VIEWED: "tour.step_viewed",
  COMPLETED: "tour.completed",
  DISMISSED: "tour.dismissed",
  TARGET_NOT_FOUND: "tour.target_not_found",
});

/** @type {Tour|null} the tour on screen */
let onScreen = null;
/** @type {Array<{tour: Tour, step: number, resume: boolean}>} tours waiting to start on their own */
const waiting = [];

function startNextWaiting() {
  while (!onScreen && waiting.length) {
    const { tour, step, resume } = waiting.shift();
    if (!tour.ctx.signal.aborted) tour.start(step, { resume });
  }
}

function outsideViewport(el) {
  const r = el.getBoundingClientRect();
  return r.top < 0 || r.left < 0 || r.bottom > innerHeight || r.right > innerWidth;
}

export class Tour {
  /**
   * @param {{id: number, name?: string, version: number, content: {steps: object[], trigger?: {type: string, selector?: string}}}} exp
   * @param {import("../renderers/common.js").RendererContext & {preview?: boolean}} ctx
   */
  constructor(exp, ctx) {
    this.exp = exp;
    this.ctx = ctx;
    this.id = exp.id;
    this.name = typeof exp.name === "string" && exp.name ? exp.name : "Tour";
    this.overlay = ctx.overlay;
    this.steps = Array.isArray(exp.content?.steps) ? exp.content.steps : [];
    this.index = -1;
    this.active = false;
    this.view = null;
    this.target = null;
    this.run = null; // AbortController of the current run (keys, view)
    this.step = null; // AbortController of the current step (target following, navigation)
    this.returnFocus = null;
    ctx.signal.addEventListener("abort", () => this.#teardown());
  }

  running() {
    return this.active;
  }

  /** Chosen in the help launcher: from the first step, again if it ran before. */
  startFromLauncher() {
    this.request(0, { byUser: true });
  }

  init() {
    const { signal } = this.ctx;
    if (!this.steps.length) return;
    if (this.ctx.preview) {
      this.start(0);
      return;
    }
    offerInLauncher(this, signal);
    const trigger = this.exp.content.trigger;
    if (trigger?.type === "click" && typeof trigger.selector === "string") {
      document.addEventListener(
        "click",
        guard((event) => {
          const el = event.target instanceof Element ? event.target : null;
          let hit = false;
          try {
            hit = !!el?.closest(trigger.selector);
          } catch {
            return; // an invalid selector never matches
          }
          if (hit && !this.active) this.request(0, { byUser: true });
        }, "tour click trigger"),
        { capture: true, signal },
      );
    }
    getProgress(this.id).then(
      guard((p) => {
        if (signal.aborted || this.active) return;
        if (p.status === STATUS.ACTIVE) {
          // In the middle of it on this or another device, or before a reload: go on.
          this.request(Math.min(Math.max(0, p.step), this.steps.length - 1), { resume: true });
        } else if (p.status === STATUS.NOT_STARTED && (trigger?.type ?? "auto") === "auto" && this.#stepIsHere(0)) {
          // Starting unasked interrupts the user: the workspace's interruption budget
          // decides (unsure means no). The launcher and click triggers are asked for.
          send({ type: MSG.CONTENT_INTERRUPTION, experience_id: this.id, version: this.exp.version }).then(
            guard((answer) => {
              if (answer?.allowed === true && !signal.aborted && !this.active) this.request(0, {});
            }, "tour budget"),
          );
        }
      }, "tour progress"),
    );
  }

  /** Start at `step`, now if nothing else runs or a person asked; else after the running tour. */
  request(step, { resume = false, byUser = false }) {
    if (onScreen && onScreen !== this) {
      if (!byUser) {
        waiting.push({ tour: this, step, resume });
        return;
      }
      onScreen.suspend();
    }
    this.start(step, { resume });
  }

  start(step = 0, { resume = false } = {}) {
    if (this.ctx.signal.aborted || !this.steps.length) return;
    if (this.active) this.#endRun();
    const index = waiting.findIndex((w) => w.tour === this);
    if (index >= 0) waiting.splice(index, 1);
    onScreen = this;
    this.active = true;
    const focused = deepActiveElement();
    this.returnFocus = focused && !within(this.overlay.host, focused) ? focused : null;
    this.run = new AbortController();
    this.view = new StepView(this.exp, {
      onNext: () => this.next(),
      onBack: () => this.back(),
      onSkip: () => this.skip(),
      onClose: (how) => this.dismiss(how),
    });
    document.addEventListener("keydown", guard((e) => this.#onKey(e), "tour keys"), { capture: true, signal: this.run.signal });
    if (!resume) this.#report(TOUR_EVENT.STARTED, {});
    this.ctx.viewed();
    refreshLauncher();
    this.show(step);
  }

  /** Show step `index` (0-based): next to its target, or waiting for its page or element. */
  show(index) {
    if (!this.active || index < 0 || index >= this.steps.length) return;
    this.step?.abort();
    this.step = new AbortController();
    const signal = AbortSignal.any([this.step.signal, this.run.signal, this.ctx.signal]);
    const step = this.steps[index];
    this.index = index;
    this.target = null;
    let viewed = false;
    let missingTimer = 0;
    let targetListeners = null;
    signal.addEventListener("abort", () => {
      clearTimeout(missingTimer);
      targetListeners?.abort();
    });
    this.view.mount(this.overlay.root());
    this.view.setStep(step, index, this.steps.length);
    if (!this.ctx.preview) putProgress(this.id, index, STATUS.ACTIVE, this.exp.version);

    const markViewed = () => {
      if (viewed) return;
      viewed = true;
      this.#report(TOUR_EVENT.STEP_VIEWED, { step: index });
      this.#focusDialog();
    };

    // Another page (or SPA route) than this step's: say so, and wait for the user to get there.
    watchNavigation(
      guard(() => {
        if (step.url && urlMatches(step.url, location.href) !== (this.view.dialog.dataset.state !== "elsewhere")) {
          this.show(index);
        }
      }, "tour navigation"),
      signal,
    );
    if (!this.#stepIsHere(index)) {
      this.view.showElsewhere(step, index === this.steps.length - 1);
      this.#focusDialog();
      return;
    }

    this.view.hide(); // nothing until the target is found or the wait is over
    followTarget(step.target, {
      overlay: this.overlay,
      signal,
      onChange: guard((el) => {
        this.target = el;
        targetListeners?.abort();
        clearTimeout(missingTimer);
        if (!el) {
          if (!viewed) return;
          // It was there and went away (a re-render, a collapsed panel): wait again, then say so.
          this.view.hide();
          missingTimer = setTimeout(
            guard(() => {
              if (!this.target && !signal.aborted) this.view.showCentred();
            }, "tour target lost"),
            WAIT_LIMIT_MS,
          );
          return;
        }
        targetListeners = new AbortController();
        if (step.advance === "click") {
          el.addEventListener(
            "click",
            // After the page's own handlers: the click may route to the next step's page.
            () => setTimeout(guard(() => this.index === index && this.active && this.next(), "tour click advance"), 0),
            { signal: targetListeners.signal },
          );
        }
        if (outsideViewport(el)) {
          el.scrollIntoView({ block: "center", inline: "nearest", behavior: prefersReducedMotion() ? "instant" : "smooth" });
        }
        this.view.showAt(el, step, signal);
        markViewed();
      }, "tour target"),
      onGiveUp: guard((reason) => {
        this.#report(TOUR_EVENT.TARGET_NOT_FOUND, { step: index, reason });
        this.view.showCentred();
        markViewed();
      }, "tour target missing"),
    });
  }

  next() {
    if (!this.active) return;
    if (this.index < this.steps.length - 1) this.show(this.index + 1);
    else this.complete();
  }

  back() {
    if (this.active && this.index > 0) this.show(this.index - 1);
  }

  /** "Skip tour": leave it without finishing, like Esc. */
  skip() {
    this.dismiss("skip");
  }

  complete() {
    if (!this.active) return;
    this.#report(TOUR_EVENT.COMPLETED, { step: this.index });
    if (!this.ctx.preview) putProgress(this.id, this.index, STATUS.COMPLETED, this.exp.version);
    this.#finish();
  }

  /** @param {string} how "escape", "button" (the × button) or "skip" */
  dismiss(how = "button") {
    if (!this.active) return;
    this.#report(TOUR_EVENT.DISMISSED, { step: this.index, how });
    if (!this.ctx.preview) putProgress(this.id, this.index, STATUS.DISMISSED, this.exp.version);
    this.#finish();
  }

  /** Off screen without ending: another tour was asked for. Progress stays "active". */
  suspend() {
    this.#endRun();
    waiting.unshift({ tour: this, step: Math.max(0, this.index), resume: true });
  }

  #finish() {
    const giveBack = this.returnFocus;
    this.#endRun();
    restoreFocus(giveBack, null);
    if (this.ctx.preview) this.ctx.dismiss();
    startNextWaiting();
  }

  #endRun() {
    this.step?.abort();
    this.run?.abort();
    this.view?.destroy();
    this.view = null;
    this.target = null;
    this.active = false;
    if (onScreen === this) onScreen = null;
    refreshLauncher();
  }

  #teardown() {
    const index = waiting.findIndex((w) => w.tour === this);
    if (index >= 0) waiting.splice(index, 1);
    const wasOnScreen = onScreen === this;
    this.#endRun();
    if (wasOnScreen) startNextWaiting();
  }

  #stepIsHere(index) {
    const url = this.steps[index]?.url;
    return !url || urlMatches(url, location.href);
  }

  #focusDialog() {
    const dialog = this.view?.dialog;
    if (dialog && !dialog.hidden) dialog.focus({ preventScroll: true });
  }

  #report(type, data) {
    this.ctx.report(type, data);
  }

  #onKey(event) {
    const view = this.view;
    if (!this.active || !view || view.dialog.hidden) return;
    const state = view.dialog.dataset.state;
    const focused = deepActiveElement();
    const inDialog = within(view.dialog, focused);
    const inTarget = !!this.target && this.target.contains(focused);
    // On another page's step the tour only waits in a corner: the page is the user's.
    const trapping = state !== "elsewhere";
    const ours = inDialog || inTarget || (trapping && (!focused || focused === document.body));
    if (event.key === "Escape" && ours) {
      event.preventDefault();
      event.stopPropagation();
      this.dismiss("escape");
      return;
    }
    if (event.key === "Tab" && trapping && !event.altKey && !event.ctrlKey && !event.metaKey) {
      const order = [...(state === "anchored" && this.target ? focusablesIn(this.target) : []), ...focusablesIn(view.dialog)];
      if (!order.length) return;
      event.preventDefault();
      event.stopPropagation();
      const at = order.indexOf(focused);
      const next = at < 0 ? order[event.shiftKey ? order.length - 1 : 0] : order[(at + (event.shiftKey ? -1 : 1) + order.length) % order.length];
      next.focus();
      return;
    }
    if (!inDialog || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (event.key === "ArrowRight" && this.index < this.steps.length - 1) {
      event.preventDefault();
      event.stopPropagation();
      this.next();
    } else if (event.key === "ArrowLeft" && this.index > 0) {
      event.preventDefault();
      event.stopPropagation();
      this.back();
    }
  }
}

/**
 * The renderer entry: one Tour per published tour on the page.
 * @returns {{update: () => boolean}}
 */
export function initTour(exp, ctx) {
  const tour = new Tour(exp, ctx);
  tour.init();
  // A new version starts a new renderer; the server's progress says where to resume.
  return { update: () => false };
}
