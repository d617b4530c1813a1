// Author mode's entry point, injected by the service worker (chrome.scripting) into
// the active tab when a signed-in admin clicks the toolbar button. It is never a
// content script: staff pages do not load it. Clicking the button again, the panel's
// Close button, or leaving the page stops it and removes everything it added.

import { MSG } from "../shared/messages.js";
import { log } from "../shared/log.js";
import { AuthorApp } from "./app.js";
import { ask } from "./channel.js";
import { createHost } from "./host.js";

function start() {
  // Injected twice (two quick clicks): the second one is the same author mode.
  if (globalThis.__nudgelayerAuthor) return;
  const lifetime = new AbortController();
  const { host, root, destroy } = createHost();
  let stopped = false;

  // discard: the admin chose to drop unsaved changes; otherwise (the toolbar button, the
  // page going away) they are kept for the next time author mode opens in this tab.
  const stop = ({ discard = false } = {}) => {
    if (stopped) return;
    stopped = true;
    lifetime.abort();
    let keep = null;
    try {
      keep = discard ? null : app.keepable();
      app.stop();
    } finally {
      destroy();
      delete globalThis.__nudgelayerAuthor;
      ask(MSG.AUTHOR_STOP, { keep });
    }
  };

  const app = new AuthorApp({ host, root, onClose: stop });
  globalThis.__nudgelayerAuthor = { stop: () => stop() };
  // A full page load ends author mode with the document; tell the worker.
  addEventListener("pagehide", () => stop(), { signal: lifetime.signal });
  app.start().catch((err) => log.error("author mode failed to start:", err));
}

try {
  start();
} catch (err) {
  log.error("author mode failed:", err);
}
