// Hotspot: a pulsing beacon next to its target; the beacon (a real button) opens the
// same card as a tooltip. Esc or the beacon closes the card; the card's close button
// dismisses the hotspot for good.

import { EVENT } from "../../shared/messages.js";
import { createCard, hasFocusWithin, restoreFocus } from "../card.js";
import { follow } from "../position.js";
import { guard } from "../safe.js";
import { trackTarget } from "../track.js";
import { sameTarget } from "./common.js";

/**
 * @param {object} experience a Published hotspot
 * @param {import("./common.js").RendererContext} ctx
 */
export function initHotspot(experience, { signal, overlay, viewed, dismiss, report }) {
  let exp = experience;
  let target = null;
  let stopBeacon = null;
  let stopCard = null;
  let focusBefore = null;

  const beacon = document.createElement("button");
  beacon.type = "button";
  beacon.className = "beacon";
  beacon.setAttribute("aria-expanded", "false");
  beacon.dataset.nudgelayerExperienceId = String(exp.id);
  beacon.dataset.nudgelayerKind = "hotspot";
  beacon.dataset.nudgelayerPart = "beacon";
  beacon.hidden = true;

  const card = createCard(exp, {
    closeLabel: "Dismiss",
    onClose: guard((how) => {
      if (how === "escape") {
        setOpen(false);
        beacon.focus({ preventScroll: true });
        return;
      }
      const hadFocus = hasFocusWithin(card.el) || hasFocusWithin(beacon);
      dismiss();
      if (hadFocus) restoreFocus(focusBefore, target);
    }, "hotspot close"),
  });
  beacon.setAttribute("aria-controls", card.el.id);

  const label = () => `Tip: ${exp.content.title}`;
  beacon.setAttribute("aria-label", label());

  const setOpen = (open) => {
    beacon.setAttribute("aria-expanded", String(open));
    card.el.hidden = !open;
    stopCard?.();
    stopCard = open ? follow(beacon, card.el, { placement: exp.content.placement, arrowEl: card.arrowEl, signal }) : null;
  };

  beacon.addEventListener(
    "click",
    guard(() => {
      const open = beacon.getAttribute("aria-expanded") !== "true";
      setOpen(open);
      if (open) {
        report(EVENT.HOTSPOT_OPENED);
        card.el.focus({ preventScroll: true });
      }
    }, "hotspot click"),
  );
  beacon.addEventListener(
    "keydown",
    guard((event) => {
      if (event.key === "Escape" && beacon.getAttribute("aria-expanded") === "true") {
        event.stopPropagation();
        setOpen(false);
      }
    }, "hotspot key"),
  );
  beacon.addEventListener("focusin", (event) => {
    const from = event.relatedTarget;
    if (from && from !== beacon && !card.el.contains(from)) focusBefore = from;
  });

  const placeBeacon = () => {
    stopBeacon?.();
    stopBeacon = target ? follow(target, beacon, { placement: exp.content.placement, gap: 6, signal }) : null;
  };

  trackTarget(exp.content.target, {
    overlay,
    signal,
    onChange: guard((el) => {
      target = el;
      if (el) {
        if (!beacon.isConnected) overlay.root().append(beacon, card.el);
        beacon.hidden = false;
        placeBeacon();
        viewed();
      } else {
        beacon.hidden = true;
        setOpen(false);
        placeBeacon();
      }
    }, "hotspot target"),
  });

  signal.addEventListener("abort", () => {
    stopBeacon?.();
    stopCard?.();
    beacon.remove();
    card.el.remove();
  });

  return {
    update(next) {
      if (!sameTarget(exp.content.target, next.content.target)) return false;
      const moved = exp.content.placement !== next.content.placement;
      exp = next;
      card.setContent(next);
      beacon.setAttribute("aria-label", label());
      if (moved) {
        placeBeacon();
        if (beacon.getAttribute("aria-expanded") === "true") setOpen(true);
      }
      return true;
    },
  };
}
