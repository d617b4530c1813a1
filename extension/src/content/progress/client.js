// The page's view of the user's progress: one answer of the worker (content:progress
// "get"), shared by every badge, checklist and the launcher of the page, asked again
// whenever the worker says something changed.

import { log } from "../../shared/log.js";
import { MSG } from "../../shared/messages.js";
import { send } from "../bridge.js";
import { guard } from "../safe.js";

let latest = null; // {progress, ui}
let asking = null;
let again = false;
const listeners = new Set();

function ask() {
  if (asking) {
    again = true;
    return asking;
  }
  asking = (async () => {
    do {
      again = false;
      const answer = await send({ type: MSG.CONTENT_PROGRESS, op: "get" });
      if (answer?.ok && answer.progress) {
        const next = { progress: answer.progress, ui: answer.ui ?? {} };
        const changed = JSON.stringify(next) !== JSON.stringify(latest);
        latest = next;
        if (changed) for (const fn of [...listeners]) fn(latest);
      }
    } while (again);
  })()
    .catch((err) => log.warn("could not read progress:", err))
    .finally(() => {
      asking = null;
    });
  return asking;
}

let listening = false;
function listen() {
  if (listening) return;
  listening = true;
  chrome.runtime.onMessage.addListener(
    guard((msg) => {
      if (msg?.type === MSG.BG_EXPERIENCES_CHANGED) ask();
    }, "progress message"),
  );
}

/**
 * Call `fn({progress, ui})` with the current progress (now, if known) and after each change,
 * until `signal` aborts.
 */
export function subscribe(fn, signal) {
  const listener = guard(fn, "progress listener");
  listeners.add(listener);
  signal.addEventListener("abort", () => listeners.delete(listener));
  listen();
  if (latest) listener(latest);
  ask();
}

/** Another op of content:progress (tick, ui, panel, commit, withdraw); the answer or null. */
export function act(op, fields = {}) {
  return send({ type: MSG.CONTENT_PROGRESS, op, ...fields });
}

/** Ask again now (after a tick, to catch up without waiting for the push). */
export const refresh = () => ask();

/** The counter a badge shows, or undefined while unknown. */
export function counterValue(progress, counter) {
  const scope = counter.scope ?? (counter.source === "events" ? "user" : "workspace");
  const found = progress?.counters?.find((c) => c.source === counter.source && c.key === counter.key && c.scope === scope);
  return found ? found.value : undefined;
}
