// Renderers that live in dist/nudges.js (src/content/nudges.js): content.js registers
// these stand-ins, which import the bundle on first use and hand over to the real
// renderer. Most pages show none of them, and content.js stays small.

import { log } from "../../shared/log.js";

let loading = null;

function load() {
  loading ??= import(chrome.runtime.getURL("nudges.js")).catch((err) => {
    loading = null; // a later experience may try again (e.g. after an extension update)
    throw err;
  });
  return loading;
}

/**
 * A renderer that runs `name` from the nudges bundle once it is loaded.
 * @param {string} name an export of src/content/nudges.js
 */
export function lazyRenderer(name) {
  return (experience, ctx) => {
    let instance = null;
    let latest = experience;
    load()
      .then((mod) => {
        if (!ctx.signal.aborted) instance = mod[name](latest, ctx) ?? {};
      })
      .catch((err) => log.error(`could not load ${name} for experience ${experience.id}:`, err));
    return {
      // Before the bundle arrives, a new version simply replaces the one to render.
      update(next) {
        if (!instance) {
          latest = next;
          return true;
        }
        return instance.update?.(next) ?? false;
      },
    };
  };
}
