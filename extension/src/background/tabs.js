// Tabs whose content script said hello, so pushes can reach them.
//
// Kept in chrome.storage.session: it outlives a stopped worker but not the browser,
// exactly like the tabs it lists.

import { MSG } from "../shared/messages.js";

const KEY = "helloTabs";
const NOTIFY_DELAY_MS = 50;

export class Tabs {
  constructor(area = chrome.storage.session) {
    this.area = area;
    this.timer = null;
    // Writes are serialised so two hellos at once cannot lose each other's tab.
    this.chain = Promise.resolve();
  }

  #update(fn) {
    this.chain = this.chain
      .then(async () => {
        const saved = (await this.area.get(KEY))[KEY];
        const ids = new Set(Array.isArray(saved) ? saved : []);
        if (fn(ids)) await this.area.set({ [KEY]: [...ids] });
      })
      .catch(() => {});
    return this.chain;
  }

  add(tabId) {
    return this.#update((ids) => !ids.has(tabId) && Boolean(ids.add(tabId)));
  }

  remove(tabId) {
    return this.#update((ids) => ids.delete(tabId));
  }

  /** Tell every hello tab to ask again; bursts of changes make one message. */
  notifyChanged() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.#send(), NOTIFY_DELAY_MS);
  }

  async #send() {
    await this.chain;
    const saved = (await this.area.get(KEY))[KEY];
    for (const tabId of Array.isArray(saved) ? saved : []) {
      chrome.tabs.sendMessage(tabId, { type: MSG.BG_EXPERIENCES_CHANGED }, { frameId: 0 }).catch(() => {
        // No content script there any more (closed, navigated to a page we do not run on).
        this.remove(tabId);
      });
    }
  }
}
