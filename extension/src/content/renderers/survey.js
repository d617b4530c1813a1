// Surveys: registered in the runtime like every kind, but the card, its triggers and
// its answers live in an ES module of their own, dist/survey.js (src/content/survey/),
// imported only on pages where a survey is targeted: content.js stays small.

import { log } from "../../shared/log.js";

let loading = null;

function load() {
  loading ??= import(chrome.runtime.getURL("survey.js")).catch((err) => {
    loading = null; // a later survey may try again (e.g. after an extension update)
    throw err;
  });
  return loading;
}

/**
 * @param {object} experience a Published survey
 * @param {import("./common.js").RendererContext & {preview?: boolean}} ctx
 */
export function initSurvey(experience, ctx) {
  let instance = null;
  load()
    .then((mod) => {
      if (!ctx.signal.aborted) instance = mod.initSurvey(experience, ctx) ?? null;
    })
    .catch((err) => log.error(`could not load the survey bundle for survey ${experience.id}:`, err));
  return {
    // The card keeps the version it rendered; answers name it.
    update: (next) => instance?.update?.(next) ?? true,
  };
}
