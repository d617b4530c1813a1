// Tooltip: a card next to its target, shown as soon as the target is on the page.
// Closing it (button or Esc) dismisses this version for good.

import { createCard, hasFocusWithin, restoreFocus } from "../card.js";
import { follow } from "../position.js";
import { guard } from "../safe.js";
import { trackTarget } from "../track.js";
import { sameTarget } from "./common.js";

/**
 * @param {object} experience a Published tooltip
 * @param {import("./common.js").RendererContext} ctx
 */
export function initTooltip(experience, { signal, overlay, viewed, dismiss }) {
  let exp = experience;
  let target = null;
  let stopFollowing = null;
  let focusBefore = null;

  const card = createCard(exp, {
    onClose: guard(() => {
      const hadFocus = hasFocusWithin(card.el);
      dismiss();
      if (hadFocus) restoreFocus(focusBefore, target);
    }, "tooltip close"),
  });
  // Remember where focus came from, to give it back on close.
  card.el.addEventListener("focusin", (event) => {
    if (event.relatedTarget && !card.el.contains(event.relatedTarget)) focusBefore = event.relatedTarget;
  });

  const place = () => {
    stopFollowing?.();
    stopFollowing = target ? follow(target, card.el, { placement: exp.content.placement, arrowEl: card.arrowEl, signal }) : null;
  };

  trackTarget(exp.content.target, {
    overlay,
    signal,
    onChange: guard((el) => {
      target = el;
      if (el) {
        if (!card.el.isConnected) overlay.root().append(card.el);
        card.el.hidden = false;
        place();
        viewed();
      } else {
        // Gone for now (a re-render, another view): hide until it is back.
        card.el.hidden = true;
        place();
      }
    }, "tooltip target"),
  });

  signal.addEventListener("abort", () => {
    stopFollowing?.();
    card.el.remove();
  });

  return {
    /** A new version of the same tooltip: update in place when it points at the same element. */
    update(next) {
      if (!sameTarget(exp.content.target, next.content.target)) return false;
      const moved = exp.content.placement !== next.content.placement;
      exp = next;
      card.setContent(next);
      if (moved) place();
      return true;
    },
  };
}
