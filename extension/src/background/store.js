// Service-worker state, persisted in chrome.storage.local.
//
// The worker may be stopped at any moment and started again for the next event, so
// nothing lives only in memory: every change is written through to storage, and a
// fresh worker reloads it before answering anything. The in-memory copy exists only
// so reads are synchronous; this worker is the only writer.

/** @typedef {{id: number, email: string, role: string, workspace_id: number, display_name?: string|null, team?: string|null, locale?: string|null, attributes?: object}} User */
/** @typedef {{token: string, user: User, serverUrl: string, expiresAt?: string|null}} Auth */
/** @typedef {{id: number, kind: string, name: string, version: number, targeting: object, content: object}} Published */
/** @typedef {{cursor: number|null, experiences: Published[]}} Cache */

export const DEFAULTS = Object.freeze({
  /** @type {Auth|null} */
  auth: null,
  lastServerUrl: "",
  lastEmail: "",
  /** @type {Cache} */
  cache: { cursor: null, experiences: [] },
  /** Events waiting to be sent, oldest first. */
  queue: [],
  /** Failed flush attempts in a row, and when the next one may start (epoch ms). */
  flush: { attempts: 0, notBefore: 0 },
  /** Dismissals: {"<server>|<user id>": {"<experience id>": version}}. */
  dismissed: {},
});

const KEYS = Object.keys(DEFAULTS);

export class Store {
  constructor(area = chrome.storage.local) {
    this.area = area;
    this.data = structuredClone(DEFAULTS);
    this.loaded = null;
  }

  /** Load once per worker start; every entry point awaits this before reading. */
  ready() {
    this.loaded ??= this.area.get(KEYS).then((saved) => {
      for (const key of KEYS) if (saved[key] !== undefined) this.data[key] = saved[key];
    });
    return this.loaded;
  }

  get(key) {
    return this.data[key];
  }

  /** Update keys in memory at once and in storage in call order. */
  set(patch) {
    for (const [key, value] of Object.entries(patch)) {
      if (!KEYS.includes(key)) throw new Error(`unknown state key ${key}`);
      this.data[key] = value;
    }
    return this.area.set(patch);
  }
}
