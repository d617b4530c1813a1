// Badges and checklists live in dist/progress.js (src/content/progress/index.js): these
// stand-ins, registered in the runtime, import it on first use and hand over to the real
// renderers. Pages without progress never load it, and content.js stays small.

import { log } from "../../shared/log.js";

let loading = null;

/** The progress module, imported once per page. */
export function loadProgress() {
  loading ??= import(chrome.runtime.getURL("progress.js")).catch((err) => {
    loading = null; // a later experience may try again (e.g. after an extension update)
    throw err;
  });
  return loading;
}

function lazy(name) {
  return (experience, ctx) => {
    let instance = null;
    let latest = experience;
    loadProgress()
      .then((mod) => {
        if (!ctx.signal.aborted) instance = mod[name](latest, ctx) ?? {};
      })
      .catch((err) => log.error(`could not load the progress module for ${experience.id}:`, err));
    return {
      update(next) {
        if (!instance) {
          latest = next; // not rendered yet: the new version is simply the one to render
          return true;
        }
        return instance.update?.(next) ?? false;
      },
    };
  };
}

export const initBadge = lazy("initBadge");
export const initChecklist = lazy("initChecklist");
