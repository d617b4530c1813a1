// Consent: what the signed-in user agreed to (GET/PUT /me/consent), and so which
// events this browser may record.
//
// Protective default: until the user allows analytics — and whenever their choice
// cannot be known (never asked, server unreachable) — only the events experiences
// need are recorded: ESSENTIAL_EVENTS below, plus every event type a cached
// experience's rules name (a checklist item done on "ticket.closed", a survey
// triggered by an event, a segment counting events). Everything else (views, opens)
// is dropped before it is queued. The choice is cached per server and user in
// chrome.storage.local; a choice made offline is sent when the server answers again.

import { log } from "../shared/log.js";
import { apiRequest } from "./api.js";

/** Recorded whatever the user chose: without them experiences stop working. */
export const ESSENTIAL_EVENTS = Object.freeze([
  // A dismissed tip must not come back, on this device or another.
  "experience.dismissed",
  // Tour progress: resume where the user stopped, and "after the tour" triggers.
  "tour.started",
  "tour.step_viewed",
  "tour.completed",
  "tour.dismissed",
  // A step whose element vanished from the host app: admins must learn the tour broke.
  // It says which step of which tour failed, nothing about what the user did.
  "tour.target_not_found",
]);

export const PURPOSES = Object.freeze(["analytics", "identified_surveys", "leaderboards"]);

const KEY = "consent";
const EVENT_TYPE = /^[a-z][a-z0-9_.:-]{0,63}$/;
// A cached choice is re-read after this long (changed on another device).
const FRESH_MS = 10 * 60 * 1000;
// After a failed read, wait this long before trying again (events keep coming).
const RETRY_MS = 60 * 1000;
const TIMEOUT_MS = 4000;
const MAX_RULE_DEPTH = 12;

/** {analytics, identified_surveys, leaderboards, decided_at} or null, from a server answer. */
export function cleanConsent(answer) {
  if (answer === null || typeof answer !== "object") return null;
  if (!PURPOSES.every((p) => typeof answer[p] === "boolean")) return null;
  const decidedAt = typeof answer.decided_at === "string" ? answer.decided_at : null;
  return { ...Object.fromEntries(PURPOSES.map((p) => [p, answer[p]])), decided_at: decidedAt };
}

/** Every event type named under an "event" key in experiences' content and targeting. */
export function eventsNeededBy(experiences) {
  const found = new Set();
  const walk = (value, depth) => {
    if (depth > MAX_RULE_DEPTH || value === null || typeof value !== "object") return;
    if (Array.isArray(value)) {
      for (const item of value) walk(item, depth + 1);
      return;
    }
    for (const [key, item] of Object.entries(value)) {
      if (key === "event" && typeof item === "string" && EVENT_TYPE.test(item)) found.add(item);
      else walk(item, depth + 1);
    }
  };
  for (const exp of Array.isArray(experiences) ? experiences : []) {
    walk(exp?.content, 0);
    walk(exp?.targeting, 0);
  }
  return found;
}

/**
 * The events of `events` that may be recorded under `consent`.
 * @param {object[]} events as content scripts send them ({type, ...})
 * @param {{analytics?: boolean}|null} consent
 * @param {object[]} experiences the cached experiences (their rules name needed events)
 */
export function allowedEvents(events, consent, experiences) {
  if (!Array.isArray(events) || consent?.analytics === true) return events;
  const needed = eventsNeededBy(experiences);
  return events.filter((e) => typeof e?.type === "string" && (ESSENTIAL_EVENTS.includes(e.type) || needed.has(e.type)));
}

const scopeOf = (auth) => `${auth.serverUrl}|${auth.user.id}`;

export class Consent {
  /**
   * @param {import("./controller.js").Background} bg
   * @param {chrome.storage.StorageArea} area
   */
  constructor(bg, area = chrome.storage.local) {
    this.bg = bg;
    this.area = area;
    this.failedAt = 0;
    this.reading = null;
  }

  async #saved(auth) {
    const all = (await this.area.get(KEY))[KEY];
    const mine = all && typeof all === "object" ? all[scopeOf(auth)] : null;
    return mine && typeof mine === "object" ? mine : null;
  }

  async #save(auth, entry) {
    // Only the identity signed in now: another user's choice is not this one's.
    await this.area.set({ [KEY]: { [scopeOf(auth)]: entry } });
  }

  /**
   * The signed-in user's choice: cached, re-read when stale, null when unknown.
   * @param {{force?: boolean}} options force: ask the server now (the settings page)
   */
  async current({ force = false } = {}) {
    const auth = this.bg.store.get("auth");
    if (!auth) return null;
    let saved = await this.#saved(auth);
    const mayAsk = force || Date.now() - this.failedAt >= RETRY_MS;
    if (saved?.pending && mayAsk && (await this.#sendPending(auth, saved))) saved = await this.#saved(auth);
    const fresh = saved && Date.now() - (saved.fetchedAt ?? 0) < FRESH_MS;
    if (!force && (fresh || !mayAsk)) return saved?.consent ?? null;
    this.reading ??= this.#read(auth, saved).finally(() => {
      this.reading = null;
    });
    return this.reading;
  }

  async #read(auth, saved) {
    try {
      const answer = cleanConsent(await apiRequest(auth.serverUrl, "/me/consent", { token: auth.token, timeoutMs: TIMEOUT_MS }));
      if (!answer) throw new Error("the server's consent answer is malformed");
      if (this.bg.store.get("auth") !== auth) return null;
      const latest = await this.#saved(auth);
      // A choice made meanwhile (still being sent) wins over what the server said before it.
      if (latest?.pending) return latest.consent;
      await this.#save(auth, { consent: answer, fetchedAt: Date.now() });
      this.failedAt = 0;
      return answer;
    } catch (err) {
      this.failedAt = Date.now();
      log.warn("could not read the privacy choices; recording only essential events:", err?.message ?? err);
      return saved?.consent ?? null;
    }
  }

  async #sendPending(auth, saved) {
    try {
      const answer = cleanConsent(
        await apiRequest(auth.serverUrl, "/me/consent", {
          method: "PUT",
          token: auth.token,
          body: Object.fromEntries(PURPOSES.map((p) => [p, saved.consent[p]])),
          timeoutMs: TIMEOUT_MS,
        }),
      );
      if (answer && this.bg.store.get("auth") === auth) await this.#save(auth, { consent: answer, fetchedAt: Date.now() });
      return answer;
    } catch (err) {
      this.failedAt = Date.now();
      log.warn("privacy choices not sent yet; will retry:", err?.message ?? err);
      return null;
    }
  }

  /**
   * Record the user's choice: applied here at once, sent to the server now or later.
   * @param {Record<string, unknown>} choices
   */
  async set(choices) {
    const auth = this.bg.store.get("auth");
    if (!auth) return { ok: false, error: "Sign in first." };
    if (!choices || typeof choices !== "object" || !PURPOSES.every((p) => typeof choices[p] === "boolean")) {
      return { ok: false, error: "Each choice must be on or off." };
    }
    const consent = { ...Object.fromEntries(PURPOSES.map((p) => [p, choices[p]])), decided_at: new Date().toISOString() };
    const entry = { consent, fetchedAt: Date.now(), pending: true };
    await this.#save(auth, entry);
    if (!consent.analytics) await this.#dropQueuedAnalytics();
    const sent = await this.#sendPending(auth, entry);
    this.bg.tabs.notifyChanged();
    return { ok: true, consent: sent ?? consent, saved: Boolean(sent) };
  }

  /** Events queued before analytics was turned off are not sent after it. */
  async #dropQueuedAnalytics() {
    const queue = this.bg.store.get("queue");
    const kept = allowedEvents(queue, null, this.bg.store.get("cache").experiences);
    if (kept.length !== queue.length) await this.bg.store.set({ queue: kept });
  }

  /** content:events — only what the user's choice allows reaches the queue. */
  async filter(events) {
    const consent = await this.current();
    return allowedEvents(events, consent, this.bg.store.get("cache").experiences);
  }
}

const instances = new WeakMap();

/** The one Consent of a Background. */
export function consentFor(bg) {
  let consent = instances.get(bg);
  if (!consent) {
    consent = new Consent(bg);
    instances.set(bg, consent);
  }
  return consent;
}

/** content:consent — {op: "get"} the choice (null: unknown), {op: "set", choice: "all"|"essential"}. */
export async function handleContentConsent(bg, msg) {
  const consent = consentFor(bg);
  if (msg?.op === "set") {
    if (msg.choice !== "all" && msg.choice !== "essential") return { ok: false, error: "unknown choice" };
    const on = msg.choice === "all";
    return consent.set(Object.fromEntries(PURPOSES.map((p) => [p, on])));
  }
  return { ok: true, consent: await consent.current() };
}

/** content:open-privacy — the settings page, at the privacy choices. */
export async function openPrivacySettings() {
  await chrome.tabs.create({ url: chrome.runtime.getURL("options.html#privacy") });
  return { ok: true };
}
