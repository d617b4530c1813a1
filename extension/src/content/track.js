// Track the element a target describes through the host app's life: wait for it to
// appear (late loads), notice when a re-render replaces it, and report each change.

import { isStillTarget, resolveTarget } from "./resolve.js";
import { guard } from "./safe.js";

// While the target is missing, searching after every frame of mutations is wasteful
// on busy pages (clocks, tickers): search at most this often.
const MISSING_SEARCH_INTERVAL_MS = 250;

/**
 * Call `onChange(element|null)` now and whenever the resolved element changes.
 * @param {import("./resolve.js").Target} target
 * @param {{overlay: import("./overlay.js").Overlay, signal: AbortSignal, onChange: (el: Element|null) => void}} options
 */
export function trackTarget(target, { overlay, signal, onChange }) {
  let current = null;
  let lastSearch = 0;
  let pending = 0;

  const search = guard(() => {
    pending = 0;
    if (signal.aborted) return;
    lastSearch = performance.now();
    const found = resolveTarget(target);
    if (found !== current) {
      current = found;
      onChange(found);
    }
  }, "target search");

  const onMutations = () => {
    if (current && isStillTarget(current, target)) return;
    if (current) {
      // Replaced or changed under us: look again at once, the user is watching.
      search();
      return;
    }
    const wait = MISSING_SEARCH_INTERVAL_MS - (performance.now() - lastSearch);
    if (wait <= 0) search();
    else pending ||= setTimeout(search, wait);
  };

  signal.addEventListener("abort", () => clearTimeout(pending));
  overlay.watch(onMutations, signal);
  search();
  if (!current) onChange(null);
}
