// One map of named message handlers. Each declares who may send it: "content"
// (a content script in a tab) or "page" (one of the extension's own pages).

import { MSG } from "../shared/messages.js";
import { consentFor, handleContentConsent, openPrivacySettings } from "./consent.js";
import { authorHandlers } from "./author.js";
import { progressFor } from "./progress.js";
import { tourProgressFor } from "./tour-progress.js";
import { surveysFor } from "./surveys.js";

const MAX_URL_LENGTH = 4000;

/** @type {Record<string, {from: "content"|"page", run: (bg: import("./controller.js").Background, msg: any, sender: chrome.runtime.MessageSender) => Promise<unknown>|unknown}>} */
export const handlers = {
  [MSG.CONTENT_HELLO]: {
    from: "content",
    run(bg, msg, sender) {
      const url = typeof msg.url === "string" && msg.url.length <= MAX_URL_LENGTH ? msg.url : sender.url;
      return bg.hello(url ?? "", sender.tab.id);
    },
  },
  [MSG.CONTENT_EVENTS]: {
    from: "content",
    // Only the events the user's privacy choice allows are queued (background/consent.js).
    run: async (bg, msg) => {
      // Event and tour_completed survey triggers watch what the tabs report (kept in this
      // browser only, so before the privacy filter, which decides what is sent).
      await surveysFor(bg).noteEvents(Array.isArray(msg.events) ? msg.events.slice(0, 50) : []);
      return bg.addEvents(await consentFor(bg).filter(msg.events));
    },
  },
  [MSG.CONTENT_CONSENT]: {
    from: "content",
    run: (bg, msg) => handleContentConsent(bg, msg),
  },
  [MSG.CONTENT_OPEN_PRIVACY]: {
    from: "content",
    run: () => openPrivacySettings(),
  },
  [MSG.OPTIONS_CONSENT_GET]: {
    from: "page",
    run: async (bg) => ({ ok: true, consent: await consentFor(bg).current({ force: true }) }),
  },
  [MSG.OPTIONS_CONSENT_SET]: {
    from: "page",
    run: (bg, msg) => consentFor(bg).set(msg.choices),
  },
  [MSG.CONTENT_TOUR_PROGRESS]: {
    from: "content",
    run: (bg, msg) => tourProgressFor(bg).handle(msg),
  },
  [MSG.CONTENT_PROGRESS]: {
    from: "content",
    run: (bg, msg, sender) => progressFor(bg).handle(msg, sender),
  },
  // Nudges (background/nudges.js): the interruption budget, What's new, the digest card.
  [MSG.CONTENT_INTERRUPTION]: {
    from: "content",
    run: (bg, msg) => bg.nudges.interruption(msg),
  },
  [MSG.CONTENT_WHATSNEW]: {
    from: "content",
    run: (bg, msg) => bg.nudges.whatsnew({ read: msg.read === true }),
  },
  [MSG.CONTENT_DIGEST_DISMISSED]: {
    from: "content",
    run: (bg) => bg.nudges.digestDismissed(),
  },
  [MSG.CONTENT_SURVEY]: {
    from: "content",
    run: (bg, msg) => surveysFor(bg).handle(msg),
  },
  [MSG.OPTIONS_SIGN_IN]: {
    from: "page",
    run: (bg, msg) => bg.signIn({ serverUrl: msg.serverUrl, email: msg.email, password: msg.password }),
  },
  [MSG.OPTIONS_SIGN_OUT]: {
    from: "page",
    run: (bg) => bg.signOut({ revoke: true, reason: "the user signed out" }),
  },
  [MSG.OPTIONS_STATUS]: {
    from: "page",
    run: (bg) => bg.status(),
  },
  // author:* — from the author bundle injected in a tab; each also checks the tab's session.
  ...authorHandlers,
};

/**
 * Who sent this message: "content", "page" or null for anyone else. Messages from
 * other extensions never arrive on onMessage, but the id is checked anyway.
 * @param {chrome.runtime.MessageSender} sender
 * @param {string} extensionId
 * @param {string} extensionOrigin e.g. "chrome-extension://<id>"
 */
export function senderKind(sender, extensionId, extensionOrigin) {
  if (!sender || sender.id !== extensionId) return null;
  const url = typeof sender.url === "string" ? sender.url : "";
  const fromOwnPage = url.startsWith(extensionOrigin + "/") && (sender.origin ?? extensionOrigin) === extensionOrigin;
  if (fromOwnPage) return "page";
  // all_frames is false: only a top frame's content script talks to us.
  if (sender.tab && Number.isInteger(sender.tab.id) && sender.tab.id >= 0 && (sender.frameId ?? 0) === 0) {
    return "content";
  }
  return null;
}
