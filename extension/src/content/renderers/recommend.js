// Recommended marker (badge content with variant "recommended"): a small "Recommended"
// note pinned next to a host element, with a short reason. Choice architecture: the
// default worth taking is marked, nothing is taken away. It never covers the page's own
// controls from clicks (pointer-events: none) and leaves the host element untouched.

import { follow } from "../position.js";
import { guard } from "../safe.js";
import { adoptSheet, h } from "../sheets.js";
import { trackTarget } from "../track.js";
import { sameTarget } from "./common.js";

const CSS = `
.nl-rec { position: fixed; top: 0; left: 0; max-width: min(280px, calc(100vw - 16px)); z-index: 1;
  display: flex; flex-direction: column; gap: 1px; padding: 5px 9px; border-radius: 8px; pointer-events: none;
  background: #14532d; color: #ffffff; box-shadow: 0 4px 12px rgba(15,23,42,.25);
  font: 12.5px/1.35 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; text-align: left; direction: ltr; }
.nl-rec .nl-rec-label { font-weight: 700; letter-spacing: .01em; }
.nl-rec .nl-rec-label::before { content: "\\2605\\00a0"; }
.nl-rec .nl-rec-reason { overflow-wrap: anywhere; }
`;

/**
 * @param {object} experience a Published badge with content.variant "recommended"
 * @param {import("./common.js").RendererContext} ctx
 */
export function initRecommend(experience, { signal, overlay, viewed }) {
  let exp = experience;
  let stop = null;
  const label = h("span", { class: "nl-rec-label" });
  const reason = h("span", { class: "nl-rec-reason" });
  const el = h("div", {
    class: "nl-rec",
    role: "note",
    "data-nudgelayer-experience-id": exp.id,
    "data-nudgelayer-kind": "badge",
    "data-nudgelayer-variant": "recommended",
    hidden: true,
  }, [label, reason]);

  const setContent = (next) => {
    label.textContent = next.content.label;
    reason.textContent = next.content.reason ?? "";
    reason.hidden = !next.content.reason;
    el.dataset.nudgelayerVersion = String(next.version);
  };
  setContent(exp);

  trackTarget(exp.content.target, {
    overlay,
    signal,
    onChange: guard((target) => {
      stop?.();
      stop = null;
      el.hidden = !target;
      if (!target) return;
      const shadow = overlay.root();
      adoptSheet(shadow, "recommend", CSS);
      if (!el.isConnected) shadow.append(el);
      stop = follow(target, el, { placement: "top", gap: 6, signal });
      viewed();
    }, "recommend target"),
  });

  signal.addEventListener("abort", () => {
    stop?.();
    el.remove();
  });

  return {
    update(next) {
      if (next.content.variant !== "recommended" || !sameTarget(exp.content.target, next.content.target)) return false;
      exp = next;
      setContent(next);
      return true;
    },
  };
}
