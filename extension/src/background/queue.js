// The persistent event queue: what content scripts report, sent in batches.
//
// Each event gets its UUID and timestamp when queued, so a batch sent twice (the
// answer was lost, the worker was stopped mid-flight) is stored once by the server.
// Events leave the queue only after a 2xx, or when the server says they are invalid.

export const BATCH_SIZE = 20;
export const FIRST_FLUSH_DELAY_MS = 3000;
export const MAX_QUEUED = 5000;
const MAX_EVENTS_PER_MESSAGE = 50;
const MAX_URL_LENGTH = 4000;
const MAX_DATA_BYTES = 4096;
const BACKOFF_BASE_MS = 2000;
const BACKOFF_MAX_MS = 5 * 60 * 1000;
const EVENT_TYPE = /^[a-z][a-z0-9_.:-]{0,63}$/;

const isPlainObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Check events sent by a content script and stamp them for the queue. Anything
 * malformed is dropped here rather than poisoning a batch later.
 * @param {unknown} events
 * @param {() => string} makeId
 * @param {() => Date} now
 * @returns {{accepted: object[], rejected: number}}
 */
export function stampEvents(events, makeId = () => crypto.randomUUID(), now = () => new Date()) {
  if (!Array.isArray(events)) return { accepted: [], rejected: 0 };
  const accepted = [];
  let rejected = 0;
  for (const raw of events.slice(0, MAX_EVENTS_PER_MESSAGE)) {
    const event = stampEvent(raw, makeId, now);
    if (event) accepted.push(event);
    else rejected += 1;
  }
  return { accepted, rejected: rejected + Math.max(0, events.length - MAX_EVENTS_PER_MESSAGE) };
}

function stampEvent(raw, makeId, now) {
  if (!isPlainObject(raw) || typeof raw.type !== "string" || !EVENT_TYPE.test(raw.type)) return null;
  const event = { id: makeId(), type: raw.type, ts: now().toISOString() };
  if (typeof raw.url === "string" && raw.url) event.url = raw.url.slice(0, MAX_URL_LENGTH);
  if (raw.experience_id !== undefined && raw.experience_id !== null) {
    if (!Number.isSafeInteger(raw.experience_id) || raw.experience_id < 1) return null;
    event.experience_id = raw.experience_id;
  }
  if (raw.data !== undefined) {
    if (!isPlainObject(raw.data) || Object.keys(raw.data).some((k) => k.length > 64)) return null;
    let json;
    try {
      json = JSON.stringify(raw.data);
    } catch {
      return null;
    }
    if (pythonJsonLength(json) > MAX_DATA_BYTES) return null;
    event.data = JSON.parse(json);
  }
  return event;
}

/**
 * The length the server measures: Python's json.dumps escapes every non-ASCII UTF-16
 * unit as \uXXXX (6 characters), so "é" counts 6, not 1 or 2.
 */
export function pythonJsonLength(json) {
  let extra = 0;
  for (let i = 0; i < json.length; i++) if (json.charCodeAt(i) > 0x7f) extra += 5;
  return json.length + extra;
}

/** Append to the queue, dropping the oldest events beyond the cap (a browser offline for weeks). */
export function enqueue(queue, events) {
  const next = queue.concat(events);
  const overflow = next.length - MAX_QUEUED;
  return { queue: overflow > 0 ? next.slice(overflow) : next, dropped: Math.max(0, overflow) };
}

/** The queue without the events whose ids are in `ids`. */
export function removeIds(queue, ids) {
  const gone = new Set(ids);
  return queue.filter((e) => !gone.has(e.id));
}

/**
 * Which events of a batch a 4xx names as invalid. The server reports per-item
 * errors as details.events keyed by index ({"events": {"3": {...}}}).
 * @returns {number[]|null} indexes, or null when the answer does not say
 */
export function invalidIndexes(details, batchLength) {
  const perEvent = isPlainObject(details) ? details.events : undefined;
  if (!isPlainObject(perEvent)) return null;
  const indexes = Object.keys(perEvent)
    .map(Number)
    .filter((i) => Number.isInteger(i) && i >= 0 && i < batchLength);
  return indexes.length ? indexes : null;
}

/** Transient failures worth retrying: 408, 425, 429 and 5xx. */
export function isRetryableStatus(status) {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/** Exponential backoff with jitter, honouring the server's Retry-After when larger. */
export function backoffDelay(attempts, retryAfterMs = 0, random = Math.random) {
  const exp = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
  const jittered = exp / 2 + random() * (exp / 2);
  return Math.min(BACKOFF_MAX_MS, Math.max(jittered, retryAfterMs || 0));
}
