// Sends the persistent event queue to POST /api/v1/events.
//
// A timer flushes ~3 s after the first event; a chrome.alarms backstop (see index.js)
// calls flush() every minute, so a worker that was stopped with a timer pending
// still drains the queue once it is woken again.

import { log } from "../shared/log.js";
import { ApiError, apiRequest } from "./api.js";
import {
  BATCH_SIZE,
  FIRST_FLUSH_DELAY_MS,
  backoffDelay,
  enqueue,
  invalidIndexes,
  isRetryableStatus,
  removeIds,
} from "./queue.js";

export class EventSender {
  /**
   * @param {import("./store.js").Store} store
   * @param {{onUnauthorized: (token: string) => Promise<unknown>}} hooks
   */
  constructor(store, { onUnauthorized }) {
    this.store = store;
    this.onUnauthorized = onUnauthorized;
    this.timer = null;
    this.timerAt = 0;
    this.running = null;
  }

  /** Queue already-stamped events and make sure a flush is coming. */
  async add(events) {
    if (!events.length) return;
    const { queue, dropped } = enqueue(this.store.get("queue"), events);
    if (dropped) log.warn(`event queue full: dropped the ${dropped} oldest events`);
    await this.store.set({ queue });
    this.schedule(queue.length >= BATCH_SIZE ? 0 : FIRST_FLUSH_DELAY_MS);
  }

  /** Flush after `delayMs`, unless a flush is already due sooner. */
  schedule(delayMs) {
    const at = Date.now() + delayMs;
    if (this.timer && this.timerAt <= at) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush().catch((err) => log.error("event flush failed", err));
    }, delayMs);
  }

  cancel() {
    clearTimeout(this.timer);
    this.timer = null;
  }

  /** Send every queued event, batch by batch; one flush at a time. */
  flush() {
    this.running ??= this.#drain().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  async #drain() {
    for (;;) {
      const auth = this.store.get("auth");
      const queue = this.store.get("queue");
      if (!auth || queue.length === 0) return;
      const { notBefore, attempts } = this.store.get("flush");
      if (Date.now() < notBefore) {
        this.schedule(notBefore - Date.now());
        return;
      }
      const batch = queue.slice(0, BATCH_SIZE);
      try {
        await apiRequest(auth.serverUrl, "/events", { method: "POST", token: auth.token, body: { events: batch } });
      } catch (err) {
        if (!(await this.#failed(err, batch, attempts, auth.token))) return;
        continue;
      }
      // Removed by id: events queued while the request was in flight stay.
      await this.store.set({
        queue: removeIds(this.store.get("queue"), batch.map((e) => e.id)),
        flush: { attempts: 0, notBefore: 0 },
      });
    }
  }

  /** Handle a failed batch; true when the next batch may be tried at once. */
  async #failed(err, batch, attempts, token) {
    if (err instanceof ApiError && err.status === 401) {
      await this.onUnauthorized(token);
      return false;
    }
    if (!(err instanceof ApiError) || isRetryableStatus(err.status)) {
      const delay = backoffDelay(attempts + 1, err.retryAfterMs);
      await this.store.set({ flush: { attempts: attempts + 1, notBefore: Date.now() + delay } });
      log.warn(`events not sent (${err.message}); retrying in ${Math.round(delay / 1000)} s`);
      this.schedule(delay);
      return false;
    }
    // Any other 4xx: the events themselves are at fault, and resending cannot help.
    const bad = invalidIndexes(err.details, batch.length);
    const dropped = bad ? bad.map((i) => batch[i]) : batch;
    log.warn(`server refused ${dropped.length} event(s) with ${err.status}: ${err.message}`, err.details, dropped);
    await this.store.set({ queue: removeIds(this.store.get("queue"), dropped.map((e) => e.id)) });
    return true;
  }
}
