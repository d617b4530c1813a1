// content:survey — what a survey card needs from the worker.
//
// Answers and display reports are queued persistently in chrome.storage.local (like
// events) and sent in order: a survey answered while the backend is away is stored
// when it returns. A response keeps one client-made id per display, so each POST
// /responses (partial, then complete) updates one row however often it is retried.
// The worker also counts visits (nth_visit triggers) and remembers the events the
// tabs reported (event and tour_completed triggers), per server and user.

import { log } from "../shared/log.js";
import { ApiError, apiRequest, NetworkError } from "./api.js";

const OUTBOX = "surveyOutbox";
const SEEN = "surveySeen";
const DRAFTS = "surveyDrafts";
const MAX_OUTBOX = 500;
const MAX_SEEN = 50;
const MAX_VISIT_KEYS = 500;
const TIMEOUT_MS = 8000;
const RETRY_MS = [3000, 15000, 60000, 300000];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const QUESTION_ID = /^[A-Za-z0-9_-]{1,64}$/;
const ACTIONS = new Set(["shown", "dismissed", "snoozed"]);
const MAX_URL = 4000;

const validId = (id) => Number.isSafeInteger(id) && id > 0 && id <= 2 ** 31 - 1;
const isPlainObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

/** An answer value the server may accept (it checks the type per question). */
function validValue(v) {
  if (typeof v === "number") return Number.isInteger(v) && v >= 0 && v <= 10;
  if (typeof v === "string") return v.length > 0 && v.length <= 5000;
  if (Array.isArray(v)) return v.length > 0 && v.length <= 20 && v.every((x) => typeof x === "string" && x.length <= 200);
  return false;
}

/** The answers object of a content message, or null when anything in it is off. */
export function cleanAnswers(answers) {
  if (!isPlainObject(answers)) return null;
  const entries = Object.entries(answers);
  if (entries.length > 20) return null;
  for (const [k, v] of entries) if (!QUESTION_ID.test(k) || !validValue(v)) return null;
  return Object.fromEntries(entries);
}

const cleanUrl = (url) => (typeof url === "string" && url.length <= MAX_URL && /^https?:/i.test(url) ? url : undefined);

/**
 * Add an item to the outbox. A newer response with the same id replaces the queued one
 * (its answers include the earlier ones), so the server sees the latest state once.
 */
export function outboxAdd(outbox, item) {
  const next = item.kind === "response" ? outbox.filter((o) => !(o.kind === "response" && o.body.id === item.body.id)) : outbox.slice();
  next.push(item);
  return next.length > MAX_OUTBOX ? next.slice(next.length - MAX_OUTBOX) : next;
}

export class Surveys {
  /**
   * @param {() => ({token: string, serverUrl: string, user: {id: number}}|null)} getAuth
   * @param {chrome.storage.StorageArea} area
   */
  constructor(getAuth, area = chrome.storage.local) {
    this.getAuth = getAuth;
    this.area = area;
    this.chain = Promise.resolve();
    this.sending = null;
    this.retry = null;
    this.attempts = 0;
  }

  #scope(auth) {
    return `${auth.serverUrl}|${auth.user.id}`;
  }

  /** Read-modify-write one storage key for this user, one change at a time. */
  #update(key, auth, change) {
    const run = this.chain.then(async () => {
      const all = (await this.area.get(key))[key] ?? {};
      const scope = this.#scope(auth);
      const mine = all[scope] ?? (key === OUTBOX ? [] : {});
      const result = change(mine);
      all[scope] = result.value;
      await this.area.set({ [key]: all });
      return result.answer;
    });
    this.chain = run.catch(() => {});
    return run;
  }

  async handle(msg) {
    const auth = this.getAuth();
    if (!auth) return { ok: false, error: "not signed in" };
    switch (msg?.op) {
      case "eligibility":
        return this.#eligibility(auth, msg.ids);
      case "display":
        return this.#display(auth, msg);
      case "answer":
        return this.#answer(auth, msg);
      case "resume":
        return this.#resume(auth, msg);
      case "visit":
        return this.#visit(auth, msg);
      case "seen":
        return this.#seen(auth, msg);
      default:
        return { ok: false, error: "unknown op" };
    }
  }

  async #eligibility(auth, ids) {
    if (!Array.isArray(ids) || !ids.length || ids.length > 50 || !ids.every(validId)) return { ok: false, error: "invalid ids" };
    try {
      const answer = await apiRequest(auth.serverUrl, `/client/surveys/eligibility?ids=${ids.join(",")}`, {
        token: auth.token,
        timeoutMs: TIMEOUT_MS,
      });
      const surveys = Array.isArray(answer?.surveys) ? answer.surveys : [];
      return {
        ok: true,
        surveys: surveys
          .filter((s) => isPlainObject(s) && validId(s.id))
          .map((s) => ({ id: s.id, eligible: s.eligible === true, reason: typeof s.reason === "string" ? s.reason : null })),
      };
    } catch (err) {
      // The server decides fatigue and sampling: without it, no survey interrupts anyone.
      log.warn("survey eligibility unavailable:", err.message);
      return { ok: false, error: "eligibility unavailable" };
    }
  }

  async #display(auth, msg) {
    if (!validId(msg.experience_id) || typeof msg.id !== "string" || !UUID.test(msg.id) || !ACTIONS.has(msg.action)) {
      return { ok: false, error: "invalid display" };
    }
    const body = { id: msg.id, action: msg.action };
    const url = cleanUrl(msg.url);
    if (url) body.url = url;
    if (msg.action === "snoozed" && Number.isInteger(msg.snooze_days) && msg.snooze_days >= 1 && msg.snooze_days <= 90) {
      body.snooze_days = msg.snooze_days;
    }
    await this.#enqueue(auth, { kind: "display", path: `/surveys/${msg.experience_id}/display`, body });
    return { ok: true };
  }

  async #answer(auth, msg) {
    const answers = cleanAnswers(msg.answers);
    if (typeof msg.id !== "string" || !UUID.test(msg.id) || !validId(msg.experience_id) || !answers) {
      return { ok: false, error: "invalid response" };
    }
    const body = { id: msg.id, experience_id: msg.experience_id, answers, completed: msg.completed === true };
    if (validId(msg.version)) body.version = msg.version;
    const url = cleanUrl(msg.url);
    if (url && msg.anonymous !== true) body.url = url;
    await this.#enqueue(auth, { kind: "response", path: "/responses", body });
    // A half-answered survey that shows again (after a reload, on the next page) goes on
    // with the same response instead of starting a second row.
    await this.#update(DRAFTS, auth, (mine) => {
      const key = String(msg.experience_id);
      if (body.completed) delete mine[key];
      else mine[key] = { id: body.id, version: body.version ?? null, answers };
      const keys = Object.keys(mine);
      if (keys.length > MAX_VISIT_KEYS) delete mine[keys[0]];
      return { value: mine };
    });
    return { ok: true };
  }

  /** The unfinished response of this survey version, if any: {id, answers}. */
  async #resume(auth, msg) {
    if (!validId(msg.experience_id)) return { ok: false, error: "invalid survey" };
    const all = (await this.area.get(DRAFTS))[DRAFTS] ?? {};
    const draft = (all[this.#scope(auth)] ?? {})[String(msg.experience_id)];
    if (!draft || (validId(msg.version) && draft.version !== msg.version)) return { ok: true, draft: null };
    return { ok: true, draft: { id: draft.id, answers: draft.answers } };
  }

  /** Count a page view for an nth_visit trigger; the count after this visit. */
  #visit(auth, msg) {
    if (!validId(msg.experience_id)) return { ok: false, error: "invalid survey" };
    return this.#update("surveyVisits", auth, (mine) => {
      const key = String(msg.experience_id);
      mine[key] = (mine[key] ?? 0) + 1;
      const keys = Object.keys(mine);
      if (keys.length > MAX_VISIT_KEYS) delete mine[keys[0]];
      return { value: mine, answer: { ok: true, count: mine[key] } };
    });
  }

  /** Reported events of a type (or a completed tour) since `since` (epoch ms). */
  async #seen(auth, msg) {
    const since = Number.isFinite(msg.since) ? msg.since : Date.now();
    const all = (await this.area.get(SEEN))[SEEN] ?? {};
    const mine = Array.isArray(all[this.#scope(auth)]) ? all[this.#scope(auth)] : [];
    const hit = mine.some(
      (e) =>
        e.at >= since &&
        (msg.event ? e.type === msg.event : e.type === "tour.completed" && (!validId(msg.tour_id) || e.experience_id === msg.tour_id)),
    );
    return { ok: true, seen: hit };
  }

  /** content:events passing through: remembered briefly for event-triggered surveys. */
  noteEvents(events) {
    const auth = this.getAuth();
    if (!auth || !Array.isArray(events) || !events.length) return Promise.resolve();
    const at = Date.now();
    const noted = events
      .filter((e) => isPlainObject(e) && typeof e.type === "string" && !e.type.startsWith("survey.") && e.type !== "experience.viewed")
      .map((e) => ({ type: e.type.slice(0, 64), experience_id: validId(e.experience_id) ? e.experience_id : null, at }));
    if (!noted.length) return Promise.resolve();
    return this.chain.then(async () => {
      const all = (await this.area.get(SEEN))[SEEN] ?? {};
      const scope = this.#scope(auth);
      all[scope] = [...(all[scope] ?? []), ...noted].slice(-MAX_SEEN);
      await this.area.set({ [SEEN]: all });
    });
  }

  async #enqueue(auth, item) {
    await this.#update(OUTBOX, auth, (mine) => ({ value: outboxAdd(mine, { ...item, key: crypto.randomUUID() }) }));
    this.flush();
  }

  /** Send the outbox in order; stop at the first network trouble and retry later. */
  flush() {
    const auth = this.getAuth();
    if (!auth) return Promise.resolve();
    this.sending ??= this.#drain(auth).finally(() => {
      this.sending = null;
    });
    return this.sending;
  }

  /** How many answers and displays wait to be sent (for status and tests). */
  async pending() {
    const auth = this.getAuth();
    if (!auth) return 0;
    const all = (await this.area.get(OUTBOX))[OUTBOX] ?? {};
    return (all[this.#scope(auth)] ?? []).length;
  }

  async #drain(auth) {
    for (;;) {
      if (this.getAuth() !== auth) return;
      const all = (await this.area.get(OUTBOX))[OUTBOX] ?? {};
      const item = (all[this.#scope(auth)] ?? [])[0];
      if (!item) return;
      try {
        await apiRequest(auth.serverUrl, item.path, { method: "POST", token: auth.token, body: item.body, timeoutMs: TIMEOUT_MS });
        this.attempts = 0;
      } catch (err) {
        const retryable =
          err instanceof NetworkError || (err instanceof ApiError && (err.status >= 500 || [401, 408, 425, 429].includes(err.status)));
        if (retryable) {
          const delay = Math.max(RETRY_MS[Math.min(this.attempts++, RETRY_MS.length - 1)], err.retryAfterMs ?? 0);
          clearTimeout(this.retry);
          this.retry = setTimeout(() => this.flush(), delay);
          return;
        }
        // Refused for good (the survey was unpublished, an answer no longer fits it).
        log.warn(`survey ${item.kind} dropped (${err.status}):`, err.message);
      }
      // Remove exactly what was sent: a newer answer queued meanwhile stays.
      await this.#update(OUTBOX, auth, (mine) => ({ value: mine.filter((o) => o.key !== item.key) }));
    }
  }
}

const perWorker = new WeakMap();

/** The survey keeper of this worker's Background (one per worker start). */
export function surveysFor(bg) {
  let keeper = perWorker.get(bg);
  if (!keeper) {
    keeper = new Surveys(() => bg.store.get("auth"));
    perWorker.set(bg, keeper);
  }
  return keeper;
}
