// Tours: registered in the runtime like every kind, but the tour runtime itself (step
// dialogs, backdrop, focus handling, launcher) is an ES module of its own, dist/tour.js,
// imported only on pages that have a tour: content.js stays small for every other page.

import { log } from "../../shared/log.js";

let loading = null;

/** The tour runtime module, imported once per page. */
export function loadTourRuntime() {
  loading ??= import(chrome.runtime.getURL("tour.js")).catch((err) => {
    loading = null; // a later tour may try again (e.g. after an extension update)
    throw err;
  });
  return loading;
}

/**
 * @param {object} experience a Published tour
 * @param {import("./common.js").RendererContext & {preview?: boolean}} ctx
 */
export function initTour(experience, ctx) {
  let instance = null;
  loadTourRuntime()
    .then((mod) => {
      if (!ctx.signal.aborted) instance = mod.initTour(experience, ctx) ?? null;
    })
    .catch((err) => log.error(`could not load the tour runtime for tour ${experience.id}:`, err));
  return {
    // A new version restarts the tour's renderer (progress is kept by the server).
    update: (next) => instance?.update?.(next) ?? false,
  };
}
