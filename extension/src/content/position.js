// Keep a floating element next to its reference with Floating UI: a pure position
// computation, re-run by autoUpdate on scroll, resize and layout changes, and always
// cleaned up when the returned function is called or the signal aborts.

import { arrow, autoPlacement, autoUpdate, computePosition, flip, hide, offset, shift } from "@floating-ui/dom";

import { guard } from "./safe.js";

const SIDES = ["top", "right", "bottom", "left"];

/**
 * @param {Element} reference
 * @param {HTMLElement} floating
 * @param {{placement?: string, gap?: number, arrowEl?: HTMLElement|null, signal?: AbortSignal}} options
 * @returns {() => void} stop following
 */
export function follow(reference, floating, { placement = "auto", gap = 10, arrowEl = null, signal } = {}) {
  const auto = !SIDES.includes(placement);
  const middleware = [
    offset(gap),
    // crossAxis: false — sideways overflow is shift()'s job; flip only when the chosen side lacks room.
    auto ? autoPlacement({ padding: 8 }) : flip({ padding: 8, crossAxis: false, fallbackAxisSideDirection: "start" }),
    shift({ padding: 8 }),
    ...(arrowEl ? [arrow({ element: arrowEl, padding: 8 })] : []),
    hide({ strategy: "referenceHidden" }),
  ];
  let stopped = false;
  const update = guard(async () => {
    // display:none (no boxes) or detached: nothing to point at, stay out of sight.
    if (!reference.isConnected || reference.getClientRects().length === 0) {
      floating.style.visibility = "hidden";
      return;
    }
    const result = await computePosition(reference, floating, {
      strategy: "fixed",
      placement: auto ? undefined : placement,
      middleware,
    });
    if (stopped) return;
    const { x, y, placement: side, middlewareData } = result;
    Object.assign(floating.style, {
      left: `${Math.round(x)}px`,
      top: `${Math.round(y)}px`,
      visibility: middlewareData.hide?.referenceHidden ? "hidden" : "visible",
    });
    floating.dataset.side = side.split("-")[0];
    if (arrowEl && middlewareData.arrow) {
      const { x: ax, y: ay } = middlewareData.arrow;
      Object.assign(arrowEl.style, { left: ax == null ? "" : `${ax}px`, top: ay == null ? "" : `${ay}px` });
    }
  }, "positioning");
  const cleanup = autoUpdate(reference, floating, update);
  const stop = () => {
    if (stopped) return;
    stopped = true;
    cleanup();
    signal?.removeEventListener("abort", stop);
  };
  signal?.addEventListener("abort", stop);
  return stop;
}
