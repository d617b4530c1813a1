// Nudge state in the service worker: event counts, signals, fresh user attributes,
// What's new, the daily digest (GET /client/nudges), kept live by the socket's `signal`
// and `nudges` messages; and what a page's experiences become for this user
// (`present`): event-count segments decided, variants chosen, the control arm of an
// experiment held out, warnings shown only while their signal holds.
//
// State is persisted (chrome.storage.local, key "nudges") per server and user, like
// the cache: a stopped worker answers from it at once.

import { log } from "../shared/log.js";
import {
  eventConditions,
  experimentArm,
  resolveContent,
  segmentMatches,
  urlMatches,
  userAttributes,
} from "../shared/targeting.js";
import { ApiError, apiRequest } from "./api.js";
import { validNudgesMessage, validSignal } from "./validate.js";

const KEY = "nudges";
const REFRESH_DEBOUNCE_MS = 300;
// Counts slide with time and change with every event the user sends: refresh this often.
const STALE_MS = 5 * 60 * 1000;
const MAX_EXPOSED = 2000;
// Pseudo-experiences for the overlay's own panels (never sent to the server as ids).
export const WHATSNEW_ID = -1;
export const DIGEST_ID = -2;

const EMPTY = Object.freeze({
  identity: null,
  counts: {},
  signals: [],
  overlayUrl: null,
  whatsnew: { unread: 0, latest_at: null },
  digest: { items: [] },
  fetchedAt: 0,
  // {day: "YYYY-MM-DD", tabId, dismissed}: the digest shows once a day, in one tab.
  digestShown: null,
});

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

/** Does this targeting count events (in its segment or a variant's)? */
function countsNeeded(targeting) {
  const rules = [targeting.segment, ...(Array.isArray(targeting.variants) ? targeting.variants.map((v) => v?.segment) : [])];
  return rules.some((r) => r && eventConditions(r).length > 0);
}

/** A signal's scope as a segment rule: every attribute equal (as signals.py). */
export function scopeMatches(scope, attrs) {
  const entries = isObject(scope) ? Object.entries(scope) : [];
  if (!entries.length) return true;
  return segmentMatches({ all: entries.map(([attr, value]) => ({ attr, op: "eq", value })) }, attrs);
}

/** Per key, the most specific matching signal (most scope entries, then the newest). */
export function signalsFor(signals, attrs) {
  const best = new Map();
  for (const s of signals) {
    if (s.value === null || !scopeMatches(s.scope, attrs)) continue;
    const rank = [Object.keys(s.scope ?? {}).length, Date.parse(s.updated_at) || 0];
    const current = best.get(s.key);
    if (!current || rank[0] > current.rank[0] || (rank[0] === current.rank[0] && rank[1] >= current.rank[1])) {
      best.set(s.key, { signal: s, rank });
    }
  }
  return new Map([...best].map(([k, v]) => [k, v.signal]));
}

/** A banner's `signal: {key, op, value}` against the user's value, as a segment condition. */
export function conditionHolds(condition, value) {
  const rule = { attr: "value", op: condition.op };
  if ("value" in condition) rule.value = condition.value;
  return segmentMatches(rule, { value });
}

/** 3.0 reads "3", as in signals.format_value. */
export function formatValue(value) {
  return String(value);
}

/** The user's local calendar day, "YYYY-MM-DD". */
export function localDay(now = new Date()) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** Put a signal message into a list of signals (value null removes it). */
export function mergeSignal(signals, msg) {
  const sameScope = (a, b) => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
  const rest = signals.filter((s) => !(s.key === msg.key && sameScope(s.scope, msg.scope)));
  return msg.value === null ? rest : [...rest, { key: msg.key, value: msg.value, scope: msg.scope, updated_at: msg.updated_at }];
}

function sortKeys(obj) {
  return Object.fromEntries(Object.entries(obj ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * What the page shows of `experiences` (already matched on URL and, without counts, on
 * segment) for this user. Returns the experiences and the exposures to record.
 * @param {object[]} experiences
 * @param {{attrs: object, userId: number, counts: object, signals: Map<string, object>}} who
 */
export function present(experiences, { attrs, userId, counts, signals }) {
  const shown = [];
  const exposures = [];
  for (const exp of experiences) {
    const targeting = exp.targeting ?? {};
    // Counts not fetched yet (just signed in): what depends on them waits for them, rather
    // than showing to the wrong people or hiding from the right ones for a moment.
    if (counts === null && countsNeeded(targeting)) continue;
    if (!segmentMatches(targeting.segment ?? null, attrs, counts)) continue;
    let { index, content } = resolveContent(targeting, exp.content, attrs, counts);
    let rev = index === null ? "" : `v${index}`;
    if (exp.kind === "banner" && isObject(content?.signal)) {
      const signal = signals.get(content.signal.key);
      if (!signal || !conditionHolds(content.signal, signal.value)) continue;
      content = { ...content, text: content.text.replaceAll("{{signal.value}}", formatValue(signal.value)) };
      rev += `s${JSON.stringify(signal.value)}`;
    }
    // Exposure where the experience would show, in both arms alike (an unbiased comparison).
    const arm = experimentArm(targeting.experiment, exp.id, userId);
    if (arm) exposures.push({ experience_id: exp.id, version: exp.version, kind: exp.kind, arm });
    if (arm === "control") continue;
    shown.push(rev || content !== exp.content ? { ...exp, content, rev } : exp);
  }
  return { experiences: shown, exposures };
}

export class Nudges {
  /** @param {import("./controller.js").Background} bg */
  constructor(bg) {
    this.bg = bg;
    this.attach(bg.realtime);
    this.state = { ...EMPTY };
    this.loaded = null;
    this.timer = null;
    this.inflight = null;
    // Exposures already recorded by this worker: "<tab>|<page>|<experience>".
    this.exposed = new Set();
  }

  ready() {
    this.loaded ??= chrome.storage.local.get(KEY).then((saved) => {
      if (isObject(saved[KEY])) this.state = { ...EMPTY, ...saved[KEY] };
    });
    return this.loaded;
  }

  #identity() {
    const auth = this.bg.store.get("auth");
    return auth ? `${auth.serverUrl}|${auth.user.id}` : null;
  }

  /** The state, if it belongs to the signed-in user (else the empty one). */
  mine() {
    return this.state.identity && this.state.identity === this.#identity() ? this.state : { ...EMPTY };
  }

  async #save(patch, { notify = true } = {}) {
    this.state = { ...this.mine(), ...patch, identity: this.#identity() };
    await chrome.storage.local.set({ [KEY]: this.state });
    if (notify) this.bg.tabs.notifyChanged();
  }

  async clear() {
    this.state = { ...EMPTY };
    this.exposed.clear();
    await chrome.storage.local.remove(KEY);
  }

  /** Fetch again soon (bursts of pushes make one request). */
  refreshSoon(delay = REFRESH_DEBOUNCE_MS) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh().catch((err) => log.warn("nudges refresh failed:", err?.message ?? err)), delay);
  }

  /** GET /client/nudges; one request at a time. */
  refresh() {
    this.inflight ??= this.#fetch().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  async #fetch() {
    await this.ready();
    const auth = this.bg.store.get("auth");
    if (!auth) return;
    let data;
    try {
      data = await apiRequest(auth.serverUrl, "/client/nudges", { token: auth.token });
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) log.warn("could not fetch nudges now:", err.message);
      return;
    }
    if (this.bg.store.get("auth") !== auth || !validNudges(data)) return;
    const before = JSON.stringify(this.mine());
    await this.#save(
      {
        counts: data.counts,
        signals: data.signals,
        overlayUrl: data.overlay_url ?? null,
        whatsnew: data.whatsnew,
        digest: data.digest,
        fetchedAt: Date.now(),
      },
      { notify: false },
    );
    if (JSON.stringify(this.mine()) !== before) this.bg.tabs.notifyChanged();
    await this.#adoptUser(auth, data.user);
  }

  /** An admin changed this user's attributes: segments change, so the feed is fetched again. */
  async #adoptUser(auth, user) {
    if (!isObject(user) || user.id !== auth.user.id) return;
    const keys = ["role", "team", "locale", "display_name", "attributes"];
    if (keys.every((k) => JSON.stringify(user[k] ?? null) === JSON.stringify(auth.user[k] ?? null))) return;
    const next = { ...auth, user: { ...auth.user, ...Object.fromEntries(keys.map((k) => [k, user[k] ?? null])) } };
    await this.bg.store.set({ auth: next });
    await this.bg.refreshFeed();
    this.bg.tabs.notifyChanged();
  }

  /** Listen on the socket: signals, "fetch again" hints, and a fetch on every (re)connect. */
  attach(realtime) {
    realtime.on("connect", () => this.refreshSoon(0));
    realtime.on("signal", (msg) => this.#onSignal(msg));
    realtime.on("nudges", (msg) => {
      if (!validNudgesMessage(msg)) return;
      const me = this.bg.store.get("auth")?.user?.id;
      if (!Array.isArray(msg.user_ids) || msg.user_ids.includes(me)) this.refreshSoon();
    });
  }

  async #onSignal(msg) {
    if (!validSignal(msg)) return;
    await this.ready();
    const attrs = userAttributes(this.bg.store.get("auth")?.user);
    // Another team's signal: kept anyway (cheap), but it changes nothing this user sees.
    await this.#save({ signals: mergeSignal(this.mine().signals, msg) }, { notify: scopeMatches(msg.scope, attrs) });
  }

  /** The hello answer's experiences for this user, the panels, and exposures to record. */
  async forPage(experiences, url, tabId) {
    await this.ready();
    const auth = this.bg.store.get("auth");
    const state = this.mine();
    if (Date.now() - state.fetchedAt > STALE_MS) this.refreshSoon(0);
    const attrs = userAttributes(auth.user);
    const signals = signalsFor(state.signals, attrs);
    const { experiences: shown, exposures } = present(experiences, {
      attrs,
      userId: auth.user.id,
      counts: state.fetchedAt ? state.counts : null,
      signals,
    });
    if (state.overlayUrl && urlMatches(state.overlayUrl, url)) shown.push(...(await this.#panels(state, tabId)));
    const page = url.split("#", 1)[0];
    const fresh = exposures.filter((e) => !this.exposed.has(`${tabId}|${page}|${e.experience_id}`));
    for (const e of fresh) this.exposed.add(`${tabId}|${page}|${e.experience_id}`);
    if (this.exposed.size > MAX_EXPOSED) this.exposed.clear();
    return { experiences: shown, exposures: fresh };
  }

  async #panels(state, tabId) {
    const panels = [];
    if (state.whatsnew.latest_at) {
      panels.push({ id: WHATSNEW_ID, kind: "whatsnew", name: "What's new", version: 1, rev: String(state.whatsnew.unread), targeting: {}, content: { unread: state.whatsnew.unread } });
    }
    const today = localDay();
    let shown = state.digestShown;
    if (state.digest.items.length && (!shown || shown.day !== today)) {
      shown = { day: today, tabId, dismissed: false };
      await this.#save({ digestShown: shown }, { notify: false });
    }
    if (state.digest.items.length && shown?.day === today && shown.tabId === tabId && !shown.dismissed) {
      panels.push({ id: DIGEST_ID, kind: "digest", name: "Your day", version: 1, rev: JSON.stringify(state.digest.items), targeting: {}, content: { items: state.digest.items } });
    }
    return panels;
  }

  async digestDismissed() {
    await this.ready();
    const shown = this.mine().digestShown;
    if (shown) await this.#save({ digestShown: { ...shown, dismissed: true } });
    return { ok: true };
  }

  /** POST /client/interruptions: may this tour, survey or modal banner show now? */
  async interruption(msg) {
    const auth = this.bg.store.get("auth");
    const ok = (v) => Number.isSafeInteger(v) && v > 0;
    if (!auth || !ok(msg.experience_id) || !ok(msg.version)) return { allowed: false, reason: "not signed in or bad request" };
    const body = { experience_id: msg.experience_id, version: msg.version };
    if (["low", "normal", "high", "critical"].includes(msg.priority)) body.priority = msg.priority;
    try {
      const answer = await apiRequest(auth.serverUrl, "/client/interruptions", { method: "POST", token: auth.token, body });
      return { allowed: answer?.allowed === true, reason: String(answer?.reason ?? "") };
    } catch (err) {
      // Unsure means no: an interruption is never worth breaking the budget for.
      return { allowed: false, reason: `budget unknown: ${err.message}` };
    }
  }

  /** The What's new panel's entries; `read` marks them read (the panel was opened). */
  async whatsnew({ read = false } = {}) {
    const auth = this.bg.store.get("auth");
    if (!auth) return { ok: false, entries: [] };
    try {
      const path = read ? "/client/whatsnew/read" : "/client/whatsnew";
      const data = await apiRequest(auth.serverUrl, path, { method: read ? "POST" : "GET", token: auth.token });
      const entries = Array.isArray(data?.entries) ? data.entries.filter(validEntry) : [];
      if (read) await this.#save({ whatsnew: { ...this.mine().whatsnew, unread: 0 } });
      return { ok: true, entries };
    } catch (err) {
      return { ok: false, entries: [], error: err.message };
    }
  }
}

function validEntry(e) {
  return isObject(e) && Number.isSafeInteger(e.id) && typeof e.title === "string" && typeof e.body === "string" && typeof e.published_at === "string";
}

function validItem(i) {
  return isObject(i) && typeof i.kind === "string" && typeof i.title === "string" && (i.detail === undefined || typeof i.detail === "string");
}

/** The shape of GET /client/nudges that this module relies on. */
export function validNudges(d) {
  const ok =
    isObject(d) &&
    isObject(d.counts) &&
    Object.values(d.counts).every((per) => isObject(per) && Object.values(per).every(Number.isSafeInteger)) &&
    Array.isArray(d.signals) &&
    d.signals.every(validSignalQuiet) &&
    (d.overlay_url === null || d.overlay_url === undefined || typeof d.overlay_url === "string") &&
    isObject(d.whatsnew) &&
    Number.isSafeInteger(d.whatsnew.unread) &&
    isObject(d.digest) &&
    Array.isArray(d.digest.items) &&
    d.digest.items.every(validItem);
  if (!ok) log.warn("dropped an invalid nudges answer");
  return ok;
}

function validSignalQuiet(s) {
  return isObject(s) && typeof s.key === "string" && isObject(s.scope) && ["number", "string", "boolean"].includes(typeof s.value);
}
