// content:tour-progress — where the user is in each tour. The server keeps it
// (GET/PUT /client/tours/<id>/progress), so it follows them to another device; this
// worker caches it per server and user in chrome.storage.local, so a reload resumes
// even offline, and writes made offline are sent when the server is reachable again.

import { log } from "../shared/log.js";
import { ApiError, apiRequest, NetworkError } from "./api.js";

const KEY = "tourProgress";
const STATUSES = new Set(["active", "completed", "dismissed"]);
const MAX_STEP = 49;
const MAX_TOURS_PER_USER = 200;
const TIMEOUT_MS = 5000;
const RETRY_MS = [5000, 30000, 120000, 600000];

const validId = (id) => Number.isSafeInteger(id) && id > 0 && id <= 2 ** 31 - 1;

/** The progress answer a content script gets: only the documented fields. */
function clean(p) {
  return {
    step: p.step,
    status: p.status,
    version: Number.isSafeInteger(p.version) ? p.version : null,
    updated_at: typeof p.updated_at === "string" ? p.updated_at : null,
  };
}

function validAnswer(p) {
  return (
    p !== null &&
    typeof p === "object" &&
    Number.isInteger(p.step) &&
    (STATUSES.has(p.status) || p.status === "not_started")
  );
}

export class TourProgress {
  /**
   * @param {() => ({token: string, serverUrl: string, user: {id: number}}|null)} getAuth
   * @param {chrome.storage.StorageArea} area
   */
  constructor(getAuth, area = chrome.storage.local) {
    this.getAuth = getAuth;
    this.area = area;
    this.chain = Promise.resolve();
    this.retry = null;
    this.attempts = 0;
  }

  /** @param {{op: string, id: number, step?: number, status?: string, version?: number}} msg */
  async handle(msg) {
    const auth = this.getAuth();
    if (!auth) return { ok: false, error: "not signed in" };
    if (!validId(msg?.id)) return { ok: false, error: "invalid tour id" };
    if (msg.op === "get") return this.#get(auth, msg.id);
    if (msg.op === "put") {
      const { step, status, version } = msg;
      if (!Number.isInteger(step) || step < 0 || step > MAX_STEP || !STATUSES.has(status)) {
        return { ok: false, error: "invalid progress" };
      }
      if (version !== undefined && version !== null && !validId(version)) return { ok: false, error: "invalid version" };
      return this.#put(auth, msg.id, { step, status, version: version ?? null });
    }
    return { ok: false, error: "unknown op" };
  }

  #scope(auth) {
    return `${auth.serverUrl}|${auth.user.id}`;
  }

  /** Read-modify-write of this user's entries, one at a time. */
  #update(auth, fn) {
    const scope = this.#scope(auth);
    const run = this.chain.then(async () => {
      const all = (await this.area.get(KEY))[KEY] ?? {};
      const mine = { ...(all[scope] ?? {}) };
      const result = fn(mine);
      const ids = Object.keys(mine);
      // Oldest first by update time: the cap forgets the tours touched longest ago.
      ids.sort((a, b) => String(mine[a].updated_at).localeCompare(String(mine[b].updated_at)));
      for (const id of ids.slice(0, Math.max(0, ids.length - MAX_TOURS_PER_USER))) delete mine[id];
      await this.area.set({ [KEY]: { ...all, [scope]: mine } });
      return result;
    });
    this.chain = run.catch(() => {});
    return run;
  }

  async #cached(auth, id) {
    const all = (await this.area.get(KEY))[KEY] ?? {};
    return all[this.#scope(auth)]?.[id] ?? null;
  }

  async #get(auth, id) {
    const local = await this.#cached(auth, id);
    // A write made here and not yet on the server is newer than what the server says.
    if (local?.pending) {
      this.#sendPending(auth);
      return { ok: true, progress: clean(local) };
    }
    try {
      const p = await apiRequest(auth.serverUrl, `/client/tours/${id}/progress`, { token: auth.token, timeoutMs: TIMEOUT_MS });
      if (!validAnswer(p)) throw new NetworkError("the server answered progress in an unknown shape");
      if (p.status !== "not_started") await this.#update(auth, (mine) => void (mine[id] = clean(p)));
      return { ok: true, progress: clean(p) };
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return { ok: false, error: "no such tour" };
      log.warn(`tour ${id} progress from the cache:`, err.message);
      return local ? { ok: true, progress: clean(local) } : { ok: false, error: "progress unavailable" };
    }
  }

  async #put(auth, id, progress) {
    const entry = { ...progress, updated_at: new Date().toISOString(), pending: true };
    await this.#update(auth, (mine) => void (mine[id] = entry));
    this.#sendPending(auth);
    return { ok: true, progress: clean(entry) };
  }

  /** Send every pending write of this user; retry later on network trouble. */
  #sendPending(auth) {
    this.sending ??= this.#drain(auth).finally(() => {
      this.sending = null;
    });
    return this.sending;
  }

  async #drain(auth) {
    const all = (await this.area.get(KEY))[KEY] ?? {};
    const pending = Object.entries(all[this.#scope(auth)] ?? {}).filter(([, p]) => p.pending);
    for (const [id, p] of pending) {
      if (this.getAuth() !== auth) return; // signed out or another user meanwhile
      try {
        const saved = await apiRequest(auth.serverUrl, `/client/tours/${id}/progress`, {
          method: "PUT",
          token: auth.token,
          timeoutMs: TIMEOUT_MS,
          body: { step: p.step, status: p.status, ...(p.version ? { version: p.version } : {}) },
        });
        await this.#update(auth, (mine) => {
          // Only if no newer write arrived while this one was on its way.
          if (mine[id]?.updated_at === p.updated_at) mine[id] = validAnswer(saved) ? clean(saved) : { ...p, pending: false };
        });
        this.attempts = 0;
      } catch (err) {
        const retryable = err instanceof NetworkError || (err instanceof ApiError && (err.status >= 500 || [401, 408, 429].includes(err.status)));
        if (!retryable) {
          // The server refuses this write for good (the tour was deleted, the step no longer valid).
          log.warn(`tour ${id} progress dropped:`, err.message);
          await this.#update(auth, (mine) => {
            if (mine[id]?.updated_at === p.updated_at) delete mine[id].pending;
          });
          continue;
        }
        const delay = RETRY_MS[Math.min(this.attempts++, RETRY_MS.length - 1)];
        clearTimeout(this.retry);
        this.retry = setTimeout(() => this.#sendPending(auth), delay);
        return;
      }
    }
  }
}

const perWorker = new WeakMap();

/** The progress keeper of this worker's Background (one per worker start). */
export function tourProgressFor(bg) {
  let keeper = perWorker.get(bg);
  if (!keeper) {
    keeper = new TourProgress(() => bg.store.get("auth"));
    perWorker.set(bg, keeper);
  }
  return keeper;
}
