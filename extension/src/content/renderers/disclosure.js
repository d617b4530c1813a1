// Progressive disclosure (badge content with variant "collapse"): the host element is
// collapsed behind a "Show advanced" toggle for the segment the experience targets.
//
// Fully reversible and harmless to the host page: the element is hidden with one inline
// declaration (display: none !important) whose previous value is remembered and put
// back exactly when the experience goes away (unpublished, segment changed, signed out)
// or the user shows it. Nothing is inserted into the host DOM: the toggle lives in the
// overlay's shadow root, positioned where the element was (after the previous visible
// sibling, or at the top of its parent). The element keeps its listeners, its form
// values and its place; if the host itself changes the element's display meanwhile, the
// host's value wins and is left alone.

import { EVENT } from "../../shared/messages.js";
import { autoUpdate, computePosition, shift } from "@floating-ui/dom";
import { guard } from "../safe.js";
import { adoptSheet, h } from "../sheets.js";
import { trackTarget } from "../track.js";
import { sameTarget } from "./common.js";

const CSS = `
.nl-disclose { position: fixed; top: 0; left: 0; z-index: 1; margin: 0; padding: 4px 10px; cursor: pointer;
  border: 1px solid #4338ca; border-radius: 999px; background: #ffffff; color: #3730a3; box-shadow: 0 1px 3px rgba(15,23,42,.2);
  font: 600 12.5px/1.3 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; pointer-events: auto; }
.nl-disclose:hover { background: #eef2ff; }
.nl-disclose:focus-visible { outline: 2px solid #4338ca; outline-offset: 2px; }
.nl-disclose::before { content: "\\25B8\\00a0"; }
.nl-disclose[aria-expanded="true"]::before { content: "\\25BE\\00a0"; }
`;
const HIDDEN = "none";

/** Hide `el` reversibly; returns the function that restores exactly what was there. */
export function collapse(el) {
  const hadStyle = el.hasAttribute("style");
  const before = { value: el.style.getPropertyValue("display"), priority: el.style.getPropertyPriority("display") };
  el.style.setProperty("display", HIDDEN, "important");
  return () => {
    // The host changed it meanwhile (its own show/hide): its value stands.
    if (el.style.getPropertyValue("display") !== HIDDEN || el.style.getPropertyPriority("display") !== "important") return;
    if (before.value) el.style.setProperty("display", before.value, before.priority);
    else el.style.removeProperty("display");
    // An element that had no style attribute gets none back (not an empty one).
    if (!hadStyle && el.getAttribute("style") === "") el.removeAttribute("style");
  };
}

/** "Show advanced" ↔ "Hide advanced"; a label in other words stays as it is (aria-expanded tells). */
export function toggleLabel(label, expanded) {
  return expanded && /^show\s/i.test(label) ? `Hide ${label.replace(/^show\s+/i, "")}` : label;
}

const shown = (el) => el.getClientRects().length > 0;

/** Where the toggle goes: after the nearest visible previous sibling, else atop the parent. */
function anchorOf(el) {
  for (let sib = el.previousElementSibling; sib; sib = sib.previousElementSibling) {
    if (shown(sib)) return { ref: sib, placement: "bottom-start" };
  }
  return el.parentElement ? { ref: el.parentElement, placement: "top-start" } : null;
}

/**
 * @param {object} experience a Published badge with content.variant "collapse"
 * @param {import("./common.js").RendererContext} ctx
 */
export function initDisclosure(experience, { signal, overlay, viewed, report }) {
  let exp = experience;
  let target = null;
  let restore = null;
  let stopPlacing = null;
  let expanded = false;

  const toggle = h("button", {
    type: "button",
    class: "nl-disclose",
    "aria-expanded": "false",
    "data-nudgelayer-experience-id": exp.id,
    "data-nudgelayer-kind": "badge",
    "data-nudgelayer-variant": "collapse",
    hidden: true,
  });

  const label = () => {
    toggle.textContent = toggleLabel(exp.content.label, expanded);
    toggle.setAttribute("aria-expanded", String(expanded));
    toggle.dataset.nudgelayerVersion = String(exp.version);
  };

  const place = () => {
    stopPlacing?.();
    stopPlacing = null;
    if (!target) return;
    // Open: the element itself is the anchor; collapsed: where it would be.
    const anchor = expanded ? { ref: target, placement: "top-end" } : anchorOf(target);
    if (!anchor) return;
    const update = guard(async () => {
      const { x, y } = await computePosition(anchor.ref, toggle, {
        strategy: "fixed",
        placement: anchor.placement,
        middleware: [shift({ padding: 8 })],
      });
      Object.assign(toggle.style, { left: `${Math.round(x)}px`, top: `${Math.round(y + (anchor.placement.startsWith("bottom") ? 4 : 0))}px` });
    }, "disclosure position");
    stopPlacing = autoUpdate(anchor.ref, toggle, update);
  };

  const apply = () => {
    if (!target) return;
    if (expanded) {
      restore?.();
      restore = null;
    } else {
      restore ??= collapse(target);
    }
    label();
    place();
  };

  toggle.addEventListener(
    "click",
    guard(() => {
      expanded = !expanded;
      apply();
      report(EVENT.DISCLOSURE_TOGGLED, { expanded });
    }, "disclosure toggle"),
  );

  trackTarget(exp.content.target, {
    overlay,
    signal,
    onChange: guard((el) => {
      // A re-render replaced the element: the old one is gone, the new one collapses.
      restore?.();
      restore = null;
      target = el;
      toggle.hidden = !el;
      if (!el) return place();
      const shadow = overlay.root();
      adoptSheet(shadow, "disclosure", CSS);
      if (!toggle.isConnected) shadow.append(toggle);
      apply();
      viewed();
    }, "disclosure target"),
  });

  signal.addEventListener("abort", () => {
    stopPlacing?.();
    restore?.();
    toggle.remove();
  });

  return {
    update(next) {
      if (next.content.variant !== "collapse" || !sameTarget(exp.content.target, next.content.target)) return false;
      exp = next;
      label();
      return true;
    },
  };
}
