// The in-page runtime: asks the service worker which experiences this page has,
// renders each with its kind's renderer, and re-renders only what changed.

import { EVENT, MSG } from "../shared/messages.js";
import { extensionAlive, send } from "./bridge.js";
import { ConsentPrompt } from "./consent.js";
import { Overlay } from "./overlay.js";
import { initBadge, initChecklist } from "./progress/lazy.js";
import { initHotspot } from "./renderers/hotspot.js";
import { lazyRenderer } from "./renderers/lazy.js";
import { initSurvey } from "./renderers/survey.js";
import { initTooltip } from "./renderers/tooltip.js";
import { initTour } from "./renderers/tour.js";
import { log } from "../shared/log.js";

const RENDERERS = {
  tooltip: initTooltip,
  hotspot: initHotspot,
  tour: initTour,
  // Surveys, in dist/survey.js (src/content/survey/).
  survey: initSurvey,
  // Progress, in dist/progress.js (src/content/progress/).
  badge: initBadge,
  checklist: initChecklist,
  // Nudges, in dist/nudges.js. whatsnew and digest are the overlay's own panels, which
  // background/nudges.js adds where the workspace wants them.
  banner: lazyRenderer("initBanner"),
  whatsnew: lazyRenderer("initWhatsNew"),
  digest: lazyRenderer("initDigest"),
};
// Kinds whose content picks another renderer: "<kind>:<content.variant>".
const VARIANT_RENDERERS = {
  "badge:recommended": lazyRenderer("initRecommend"),
  "badge:collapse": lazyRenderer("initDisclosure"),
};
const rendererFor = (exp) => VARIANT_RENDERERS[`${exp.kind}:${exp.content?.variant}`] ?? RENDERERS[exp.kind];

// `rev`: what else the worker changed for this user (template variables' values, a
// variant, a signal's value).
const keyOf = (exp) => `${exp.id}:${exp.version}:${exp.rev ?? ""}`;

export class Runtime {
  constructor() {
    this.overlay = new Overlay();
    this.consent = new ConsentPrompt(this.overlay);
    /** @type {Map<number, {key: string, kind: string, exp: object, controller: AbortController, instance: {update?: (exp: object) => boolean}}>} */
    this.active = new Map();
    // Experience ids already reported as viewed in this page view.
    this.viewed = new Set();
    // Dismissed here and not yet reflected by the worker's answer: never re-shown meanwhile.
    this.dismissedHere = new Map();
    this.refreshing = null;
    this.again = false;
  }

  /** A new page view (SPA navigation): views are counted again. */
  newPageView() {
    this.viewed.clear();
  }

  /** Ask the worker again and reconcile; concurrent calls collapse into one more run. */
  refresh() {
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.again = false;
        const answer = await send({ type: MSG.CONTENT_HELLO, url: location.href });
        if (!extensionAlive()) {
          this.destroy();
          return;
        }
        // An error answer ({ok: false}) says nothing about what to show: keep what is shown.
        if (answer && typeof answer.signedIn === "boolean") this.#reconcile(answer);
      } while (this.again);
    })().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  #wanted(answer) {
    if (!answer.signedIn || !Array.isArray(answer.experiences)) return [];
    const dismissed = answer.dismissed && typeof answer.dismissed === "object" ? answer.dismissed : {};
    return answer.experiences.filter(
      (exp) =>
        exp &&
        rendererFor(exp) &&
        dismissed[exp.id] !== exp.version &&
        this.dismissedHere.get(exp.id) !== exp.version,
    );
  }

  #reconcile(answer) {
    if (Array.isArray(answer.exposures)) this.#exposures(answer.exposures);
    const wanted = this.#wanted(answer);
    const ids = new Set(wanted.map((e) => e.id));
    for (const [id, entry] of this.active) {
      if (!ids.has(id)) this.#stop(id, entry);
    }
    for (const exp of wanted) {
      const entry = this.active.get(exp.id);
      if (entry?.key === keyOf(exp)) continue;
      if (entry && entry.kind === exp.kind && entry.instance.update?.(exp)) {
        entry.key = keyOf(exp);
        entry.exp = exp;
        continue;
      }
      if (entry) this.#stop(exp.id, entry);
      try {
        this.#start(exp);
      } catch (err) {
        // One broken experience must not keep the others from showing.
        log.error(`could not render ${exp.kind} ${exp.id}:`, err);
      }
    }
    // What else depends on the page showing anything (the progress launcher).
    this.onReconcile?.(this.active.size);
    // Nothing left to show: leave no trace in the page.
    if (this.active.size === 0) this.overlay.destroy();
    // The first-run privacy question, where an experience shows (content/consent.js).
    if (this.active.size > 0) this.consent.maybeAsk();
  }

  #start(exp) {
    const controller = new AbortController();
    // entry.exp follows in-place updates, so events carry the version on screen.
    const entry = { key: keyOf(exp), kind: exp.kind, exp, controller, instance: {} };
    this.active.set(exp.id, entry);
    const ctx = {
      signal: controller.signal,
      overlay: this.overlay,
      viewed: () => {
        if (this.viewed.has(exp.id)) return;
        this.viewed.add(exp.id);
        this.#report(EVENT.VIEWED, entry.exp);
      },
      dismiss: () => {
        if (this.active.get(exp.id) !== entry) return;
        this.dismissedHere.set(exp.id, entry.exp.version);
        this.#report(EVENT.DISMISSED, entry.exp);
        this.#stop(exp.id, entry);
        if (this.active.size === 0) this.overlay.destroy();
      },
      report: (type, data) => this.#report(type, entry.exp, data),
    };
    try {
      entry.instance = rendererFor(exp)(exp, ctx) ?? {};
    } catch (err) {
      controller.abort();
      this.active.delete(exp.id);
      throw err;
    }
  }

  /** Experiments: where an experience would show, both arms say so (background/nudges.js). */
  #exposures(exposures) {
    const events = exposures
      .filter((e) => e && Number.isSafeInteger(e.experience_id) && ["control", "treatment"].includes(e.arm))
      .map((e) => ({
        type: EVENT.EXPOSURE,
        url: location.href,
        experience_id: e.experience_id,
        data: { kind: String(e.kind), version: e.version, arm: e.arm },
      }));
    if (events.length) send({ type: MSG.CONTENT_EVENTS, events });
  }

  #stop(id, entry) {
    entry.controller.abort();
    this.active.delete(id);
  }

  #report(type, exp, data = {}) {
    send({
      type: MSG.CONTENT_EVENTS,
      events: [
        {
          type,
          url: location.href,
          experience_id: exp.id,
          data: { kind: exp.kind, version: exp.version, ...data },
        },
      ],
    });
  }

  destroy() {
    for (const [id, entry] of this.active) this.#stop(id, entry);
    this.overlay.destroy();
  }
}
