// Service worker entry. Listeners are registered synchronously at the top level, as
// MV3 requires for a worker that is woken by the event it must handle.

import { log } from "../shared/log.js";
import { forgetAuthorTab, onActionClicked } from "./author.js";
import { Background } from "./controller.js";
import { handlers, senderKind } from "./handlers.js";
import { surveysFor } from "./surveys.js";

const FLUSH_ALARM = "nudgelayer-backstop";
const EXTENSION_ORIGIN = new URL(chrome.runtime.getURL("/")).origin;

const bg = new Background();

// The token lives in storage.local; content scripts run in pages' renderer processes
// and have no business reading it.
chrome.storage.local.setAccessLevel?.({ accessLevel: "TRUSTED_CONTEXTS" }).catch((err) => {
  log.warn("could not restrict storage to the extension's own pages:", err?.message ?? err);
});

/** Every wake-up reloads state and reconnects if signed in; concurrent calls share one start. */
let starting = null;
function wake() {
  starting ??= bg.start().finally(() => {
    starting = null;
  });
  return starting;
}

chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  const handler = msg && typeof msg === "object" ? handlers[msg.type] : undefined;
  if (!handler) return false;
  const kind = senderKind(sender, chrome.runtime.id, EXTENSION_ORIGIN);
  if (kind !== handler.from) {
    log.warn(`refused ${msg.type} from`, sender?.url ?? "an unknown sender");
    return false;
  }
  wake()
    .then(() => handler.run(bg, msg, sender))
    .then(sendResponse, (err) => {
      log.error(`${msg.type} failed`, err);
      sendResponse({ ok: false, error: String(err?.message ?? err) });
    });
  return true; // the answer is sent asynchronously
});

chrome.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name !== FLUSH_ALARM) return;
  // The backstop: a worker restarted without its timers drains the queue and reconnects.
  wake().then(() => Promise.all([bg.events.flush(), surveysFor(bg).flush()])).catch((err) => log.error("backstop failed", err));
});

chrome.tabs.onRemoved.addListener((tabId) => {
  bg.tabs.remove(tabId);
  forgetAuthorTab(tabId);
});

function ensureAlarm() {
  chrome.alarms.get(FLUSH_ALARM).then((existing) => {
    if (!existing) chrome.alarms.create(FLUSH_ALARM, { periodInMinutes: 1 });
  });
}

chrome.runtime.onStartup.addListener(() => {
  ensureAlarm();
  wake();
});

chrome.runtime.onInstalled.addListener(() => {
  ensureAlarm();
  wake();
});

// A worker started for any other reason (a message, an alarm, an idle restart) also
// reloads its state and reconnects at once.
ensureAlarm();
wake();

// The toolbar button has no popup: for an admin on a web page it toggles author mode
// in that tab; for everyone else it opens the settings, where signing in happens.
chrome.action.onClicked.addListener((tab) => {
  wake()
    .then(() => onActionClicked(bg, tab))
    .catch((err) => log.error("the toolbar button failed", err));
});
