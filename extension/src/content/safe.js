// Every Nudgelayer callback that the browser or the page calls goes through guard():
// an exception in Nudgelayer is logged with our prefix and never reaches the host page.

import { log } from "../shared/log.js";

/**
 * Wrap `fn` so that neither a throw nor a rejected promise escapes.
 * @template {(...args: any[]) => any} F
 * @param {F} fn
 * @param {string} label what was running, for the log
 * @returns {F}
 */
export function guard(fn, label) {
  return /** @type {F} */ (
    function guarded(...args) {
      try {
        const result = fn.apply(this, args);
        if (result && typeof result.then === "function") {
          return result.catch((err) => {
            log.error(`${label} failed:`, err);
          });
        }
        return result;
      } catch (err) {
        log.error(`${label} failed:`, err);
        return undefined;
      }
    }
  );
}
