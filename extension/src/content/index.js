// Content script entry: runs in every page at document_idle. It asks the service
// worker what this page shows; when the answer is "nothing", it touches nothing.

import { MSG } from "../shared/messages.js";
import { log } from "../shared/log.js";
import { watchNavigation } from "./navigation.js";
import { Preview } from "./preview.js";
import { startProgressWatch } from "./progress/watch.js";
import { Runtime } from "./runtime.js";
import { guard } from "./safe.js";

function start() {
  // A second injection (the extension was reloaded) must not render twice.
  const flag = "__nudgelayerRuntime";
  if (globalThis[flag]) return;
  globalThis[flag] = true;

  const runtime = new Runtime();
  const lifetime = new AbortController();
  const refresh = guard(() => runtime.refresh(), "refresh");

  // Author mode's preview of an unsaved experience, relayed by the worker.
  const preview = new Preview();

  const onMessage = guard((msg, sender, sendResponse) => {
    if (msg?.type === MSG.BG_EXPERIENCES_CHANGED) refresh();
    if (msg?.type === MSG.BG_AUTHOR_PREVIEW) sendResponse(preview.show(msg.experience ?? null));
  }, "message");
  chrome.runtime.onMessage.addListener(onMessage);

  watchNavigation(() => {
    runtime.newPageView();
    refresh();
  }, lifetime.signal);

  // Page views and clicks that checklist rules count; the launcher of the progress panel.
  const progress = startProgressWatch(runtime.overlay, lifetime.signal);
  runtime.onReconcile = (shown) => progress.presence(shown > 0);

  // Back/forward cache: a restored page may have missed pushes while frozen.
  addEventListener("pageshow", guard((event) => event.persisted && refresh(), "pageshow"), {
    signal: lifetime.signal,
  });

  refresh();
}

try {
  start();
} catch (err) {
  log.error("failed to start:", err);
}
