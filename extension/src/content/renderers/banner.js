// Banner: a bar at the top of the page (inside the overlay's shadow root) with a
// severity, an optional action link, a live countdown to `deadline`, an optional expiry
// window (`starts_at`/`ends_at`), and a dismiss button unless `dismissible` is false.
// A `modal` banner is an interrupting announcement: a centred dialog shown only if the
// interruption budget allows (POST /client/interruptions through the worker).
// Every claim is true: the countdown counts to the real deadline and the banner is gone
// once it passes; a warning's text carries the signal's value (filled in by the worker).

import { EVENT, MSG } from "../../shared/messages.js";
import { renderMarkdown, safeHref } from "../../shared/markdown.js";
import { send } from "../bridge.js";
import { guard } from "../safe.js";
import { adoptSheet, h } from "../sheets.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const MAX_TIMER = 2 ** 31 - 1;

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

/**
 * "2 days 3 h", "5 h 12 min", "4 min 09 s": what is left, rounded down (never more
 * urgent than the truth). Null once nothing is left.
 * @param {number} ms
 */
export function formatRemaining(ms) {
  if (!(ms > 0)) return null;
  const days = Math.floor(ms / DAY);
  const hours = Math.floor((ms % DAY) / HOUR);
  const minutes = Math.floor((ms % HOUR) / MINUTE);
  const seconds = Math.floor((ms % MINUTE) / 1000);
  if (days > 0) return hours ? `${plural(days, "day", "days")} ${hours} h` : plural(days, "day", "days");
  if (hours > 0) return `${hours} h ${minutes} min`;
  if (minutes > 0) return `${minutes} min ${String(seconds).padStart(2, "0")} s`;
  return `${seconds} s`;
}

/** When the text of formatRemaining(ms) changes next, in ms from now. */
export function nextChange(ms) {
  const unit = ms > HOUR ? MINUTE : 1000;
  return (ms % unit) + 1;
}

const time = (value) => {
  const t = typeof value === "string" ? Date.parse(value) : NaN;
  return Number.isNaN(t) ? null : t;
};

const CSS = `
.nl-banners { position: fixed; top: 0; left: 0; width: 100vw; display: flex; flex-direction: column; pointer-events: none; z-index: 3;
  font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
.nl-banner { display: flex; align-items: center; gap: 12px; padding: 8px 12px 8px 16px; pointer-events: auto;
  border-bottom: 1px solid rgba(0,0,0,.15); box-shadow: 0 2px 6px rgba(15,23,42,.15); text-align: left; direction: ltr; }
.nl-banner[data-severity="info"] { background: #e8efff; color: #1e2a5a; }
.nl-banner[data-severity="warning"] { background: #fff4d6; color: #4a3000; }
.nl-banner[data-severity="critical"] { background: #b42318; color: #ffffff; }
.nl-banner .nl-text { flex: 1 1 auto; min-width: 0; overflow-wrap: anywhere; }
.nl-banner .nl-text p { display: inline; margin: 0; }
.nl-banner .nl-text p + p::before { content: " "; }
.nl-banner a { color: inherit; text-decoration: underline; }
.nl-countdown { flex: none; font-weight: 600; font-variant-numeric: tabular-nums; white-space: nowrap; }
.nl-banner .nl-action { flex: none; padding: 4px 10px; border-radius: 6px; border: 1px solid currentColor; text-decoration: none; font-weight: 600; white-space: nowrap; }
.nl-banner .nl-action:focus-visible, .nl-banner .nl-dismiss:focus-visible, .nl-modal :focus-visible { outline: 2px solid currentColor; outline-offset: 2px; }
.nl-dismiss { flex: none; width: 28px; height: 28px; padding: 0; border: 0; border-radius: 6px; background: transparent; color: inherit;
  font: 20px/1 system-ui, sans-serif; cursor: pointer; }
.nl-dismiss:hover { background: rgba(0,0,0,.1); }
.nl-backdrop { position: fixed; inset: 0; width: 100vw; height: 100vh; background: rgba(15,23,42,.45); pointer-events: auto; z-index: 4;
  display: flex; align-items: center; justify-content: center; }
.nl-modal { max-width: min(480px, calc(100vw - 32px)); flex-direction: column; align-items: stretch; border-radius: 12px; padding: 20px; gap: 12px;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
.nl-modal .nl-dismiss { align-self: flex-end; width: auto; padding: 6px 12px; font-size: 14px; border: 1px solid currentColor; }
@media (prefers-reduced-motion: no-preference) { .nl-banner { animation: nl-drop .2s ease-out; } }
@keyframes nl-drop { from { transform: translateY(-100%); } to { transform: none; } }
`;

function bannerStack(shadow) {
  return shadow.querySelector(".nl-banners") ?? shadow.appendChild(h("div", { class: "nl-banners" }));
}

/**
 * @param {object} experience a Published banner (content already personalised by the worker)
 * @param {import("./common.js").RendererContext} ctx
 */
export function initBanner(experience, { signal, overlay, viewed, dismiss, report }) {
  let exp = experience;
  let timer = 0;
  let modalAllowed = null; // null: not asked yet
  const modal = Boolean(exp.content.modal);
  const text = h("div", { class: "nl-text" });
  // The countdown changes every second: outside any live region, or screen readers would
  // read it out each time. It is read with the banner's text when the user gets there.
  const countdown = h("span", { class: "nl-countdown", "aria-live": "off", hidden: true });
  const action = h("a", { class: "nl-action", "data-nudgelayer-action": "banner-action", hidden: true });
  action.addEventListener("click", guard(() => report(EVENT.BANNER_ACTION, { url: action.href }), "banner action"));
  const close = h("button", { type: "button", class: "nl-dismiss", "data-nudgelayer-action": "close", "aria-label": "Dismiss" });
  close.addEventListener("click", guard(() => dismiss(), "banner dismiss"));
  const el = h("div", {
    class: modal ? "nl-banner nl-modal" : "nl-banner",
    "data-nudgelayer-experience-id": exp.id,
    "data-nudgelayer-kind": "banner",
  }, [text, countdown, action, close]);
  const backdrop = modal ? h("div", { class: "nl-backdrop" }, [el]) : null;
  let focusBefore = null;

  const setContent = (next) => {
    const c = next.content;
    el.dataset.severity = c.severity;
    el.dataset.nudgelayerVersion = String(next.version);
    if (modal) {
      el.setAttribute("role", "dialog");
      el.setAttribute("aria-modal", "true");
      el.setAttribute("aria-label", c.severity === "critical" ? "Important announcement" : "Announcement");
    } else {
      // A critical warning interrupts a screen reader at once; others wait their turn.
      el.setAttribute("role", c.severity === "critical" ? "alert" : "status");
    }
    text.replaceChildren(renderMarkdown(c.text));
    const href = c.action ? safeHref(c.action.url) : null;
    action.hidden = !href;
    if (href) {
      action.href = href;
      action.textContent = c.action.label;
    }
    close.hidden = c.dismissible === false && !modal;
    close.textContent = modal ? "Dismiss" : "\u00d7";
  };

  const mount = () => {
    const shadow = overlay.root();
    adoptSheet(shadow, "banner", CSS);
    if (modal) {
      if (!backdrop.isConnected) {
        focusBefore = document.activeElement;
        shadow.append(backdrop);
        (close.hidden ? el : close).focus({ preventScroll: true });
      }
    } else if (!el.isConnected) {
      bannerStack(shadow).append(el);
    }
    viewed();
  };

  const unmount = () => {
    const stack = modal ? null : el.parentElement;
    (backdrop ?? el).remove();
    if (stack && !stack.childElementCount) stack.remove();
  };

  /** Show or hide by the real clock, and come back exactly when something changes. */
  const tick = guard(() => {
    clearTimeout(timer);
    const now = Date.now();
    const c = exp.content;
    const starts = time(c.starts_at);
    const ends = Math.min(time(c.ends_at) ?? Infinity, time(c.deadline) ?? Infinity);
    if ((starts !== null && now < starts) || now >= ends) {
      unmount();
      if (starts !== null && now < starts) timer = setTimeout(tick, Math.min(starts - now, MAX_TIMER));
      return;
    }
    const deadline = time(c.deadline);
    const left = deadline === null ? null : formatRemaining(deadline - now);
    countdown.hidden = !left;
    if (left) {
      countdown.textContent = `Ends in ${left}`;
      countdown.title = new Date(deadline).toLocaleString();
    }
    if (modal && modalAllowed !== true) return askThenShow();
    mount();
    const wait = deadline !== null ? nextChange(deadline - now) : Number.isFinite(ends) ? ends - now : null;
    if (wait !== null) timer = setTimeout(tick, Math.min(wait, MAX_TIMER));
  }, "banner tick");

  // An interrupting announcement asks the budget first; a "no" keeps it hidden this page view.
  const askThenShow = () => {
    if (modalAllowed === false || modalAllowed === "asking") return;
    modalAllowed = "asking";
    send({ type: MSG.CONTENT_INTERRUPTION, experience_id: exp.id, version: exp.version }).then(
      guard((answer) => {
        if (signal.aborted) return;
        modalAllowed = answer?.allowed === true;
        if (modalAllowed) tick();
      }, "banner budget"),
    );
  };

  if (modal) {
    el.addEventListener(
      "keydown",
      guard((event) => {
        if (event.key === "Escape") {
          event.stopPropagation();
          dismiss();
        } else if (event.key === "Tab") {
          // Keep focus inside the dialog while it is open.
          const stops = [action, close].filter((b) => !b.hidden);
          const active = el.getRootNode().activeElement;
          const i = stops.indexOf(active);
          const next = stops[(i + (event.shiftKey ? stops.length - 1 : 1)) % stops.length] ?? el;
          event.preventDefault();
          next.focus();
        }
      }, "banner keys"),
    );
    el.tabIndex = -1;
  }

  setContent(exp);
  tick();

  signal.addEventListener("abort", () => {
    clearTimeout(timer);
    unmount();
    if (modal && focusBefore?.isConnected) focusBefore.focus?.({ preventScroll: true });
  });

  return {
    /** A new version or a new signal value: same banner, new words. */
    update(next) {
      if (Boolean(next.content.modal) !== modal) return false;
      exp = next;
      setContent(next);
      tick();
      return true;
    },
  };
}
