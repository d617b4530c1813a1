// Messages to the service worker. A reloaded or updated extension leaves old content
// scripts orphaned ("Extension context invalidated"); they must then go quiet.

import { log } from "../shared/log.js";

/** True while this content script still belongs to a live extension. */
export function extensionAlive() {
  try {
    return Boolean(chrome.runtime?.id);
  } catch {
    return false;
  }
}

/** Send `message`; the answer, or null when the worker cannot be reached. */
export async function send(message) {
  if (!extensionAlive()) return null;
  try {
    return (await chrome.runtime.sendMessage(message)) ?? null;
  } catch (err) {
    if (extensionAlive()) log.warn(`${message.type} got no answer:`, err?.message ?? err);
    return null;
  }
}
