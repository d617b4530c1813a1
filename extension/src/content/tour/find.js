// Follow a step's target: wait for it when it is late, notice when the host app
// re-renders it (a new node) or removes it, and give up waiting after a limit.

import { guard } from "../safe.js";
import { isStillTarget, resolve } from "../resolve.js";

export const WAIT_LIMIT_MS = 8000;
// While the target is missing, look again at most this often (busy pages mutate a lot),
// and at least this often (some changes, like a class that unhides, are not watched).
const SEARCH_INTERVAL_MS = 250;
const POLL_MS = 700;

/** Has the element a box a person could see? (display: none and detached do not.) */
export const isShown = (el) => !!el && el.isConnected && el.getClientRects().length > 0;

/**
 * Call `onChange(element|null)` whenever the element shown for `target` changes, and
 * `onGiveUp(reason)` once if it is still missing after `waitMs`.
 * @param {import("../resolve.js").Target} target
 * @param {{overlay: {watch: Function}, signal: AbortSignal, waitMs?: number,
 *   onChange: (el: Element|null) => void, onGiveUp: (reason: string) => void}} options
 */
export function followTarget(target, { overlay, signal, waitMs = WAIT_LIMIT_MS, onChange, onGiveUp }) {
  let current = null;
  let lastReason = "no candidate matched";
  let lastSearch = 0;
  let pending = 0;

  const search = guard(() => {
    pending = 0;
    if (signal.aborted) return;
    lastSearch = performance.now();
    const found = resolve(target);
    let el = found.element;
    if (el && !isShown(el)) {
      lastReason = "hidden";
      el = null;
    } else if (!el) {
      lastReason = found.reason || "no candidate matched";
    }
    if (el !== current) {
      current = el;
      onChange(el);
    }
  }, "tour target search");

  const soon = () => {
    if (current && isStillTarget(current, target) && isShown(current)) return;
    const wait = SEARCH_INTERVAL_MS - (performance.now() - lastSearch);
    if (current || wait <= 0) search();
    else pending ||= setTimeout(search, wait);
  };

  overlay.watch(soon, signal);
  const poll = setInterval(soon, POLL_MS);
  const giveUp = setTimeout(
    guard(() => {
      if (!current && !signal.aborted) onGiveUp(lastReason);
    }, "tour target wait"),
    waitMs,
  );
  signal.addEventListener("abort", () => {
    clearTimeout(pending);
    clearTimeout(giveUp);
    clearInterval(poll);
  });
  search();
}
