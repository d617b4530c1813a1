// Progress in the worker: the user's checklist progress, live badge counters, template
// variables and what to report (GET /client/progress), kept fresh by the server's
// `counter` and `progress` pushes; and `content:progress` for content scripts.
//
// The server computes progress from stored events; this worker only caches its answer,
// records the page views and clicks the rules need, and relays ticks and commitments.
// The cache lives in chrome.storage.session (per server and user), so a restarted
// worker answers at once; it is fetched again when the experiences change (a new
// checklist), when the server says progress changed, and after FRESH_MS.

import { log } from "../shared/log.js";
import { urlMatches } from "../shared/targeting.js";
import * as generated from "../shared/generated/validators.js";
import { apiRequest } from "./api.js";

const KEY = "progress";
const UI_KEY = "progressUi";
const FRESH_MS = 5 * 60 * 1000;
const HINT_DELAY_MS = 250;
const MAX_URL_LENGTH = 4000;
const MAX_ID = 2 ** 31 - 1;
const MAX_UI_ENTRIES = 200;
// Template variables the server computes; anything else in {{…}} is another feature's.
const VARIABLE = /\{\{\s*((?:team|workspace|me)\.[a-z_]+(?::[0-9]{1,10})?)\s*\}\}/g;

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const validId = (v) => Number.isSafeInteger(v) && v > 0 && v <= MAX_ID;
const isIndexList = (v) => Array.isArray(v) && v.length <= 30 && v.every((i) => Number.isInteger(i) && i >= 0 && i < 30);
const str = (v, max) => typeof v === "string" && v.length > 0 && v.length <= max;

function cleanChecklist(c) {
  if (!isObject(c) || !validId(c.id) || !Number.isInteger(c.total) || !isIndexList(c.done)) return null;
  return {
    id: c.id,
    version: Number.isSafeInteger(c.version) ? c.version : null,
    total: c.total,
    done: c.done,
    ticked: isIndexList(c.ticked) ? c.ticked : [],
    complete: c.complete === true,
  };
}

function cleanWatch(w) {
  if (!isObject(w) || !str(w.url, 2000)) return null;
  if (w.event === "page.view") return { event: "page.view", url: w.url };
  if (w.event === "click" && str(w.selector, 1000)) return { event: "click", selector: w.selector, url: w.url };
  return null;
}

/** GET /client/progress, with only what the extension uses and every part checked. */
export function cleanProgress(data) {
  if (!isObject(data)) return null;
  const list = (v, fn, max) => (Array.isArray(v) ? v.slice(0, max).map(fn).filter(Boolean) : []);
  const variables = {};
  if (isObject(data.variables)) {
    for (const [name, value] of Object.entries(data.variables).slice(0, 200)) {
      if (str(name, 80) && typeof value === "string" && value.length <= 64) variables[name] = value;
    }
  }
  const summary = isObject(data.summary) ? data.summary : {};
  return {
    checklists: list(data.checklists, cleanChecklist, 200),
    counters: list(data.counters, (c) => (generated.validateCounter(c) ? c : null), 200),
    watch: list(data.watch, cleanWatch, 200),
    variables,
    summary: {
      available: summary.available === true,
      reminders: Number.isInteger(summary.reminders) && summary.reminders >= 0 ? summary.reminders : 0,
    },
    tz: typeof data.tz === "string" ? data.tz : "UTC",
    tzSet: data.tz_set === true,
  };
}

const counterKey = (c) => `${c.source}|${c.key}|${c.scope}`;

/** Counters of `fresh`, except where `old` has a newer value (a push beat the fetch). */
export function mergeCounters(old, fresh) {
  const before = new Map((old ?? []).map((c) => [counterKey(c), c]));
  return fresh.map((c) => {
    const had = before.get(counterKey(c));
    return had && Date.parse(had.ts) > Date.parse(c.ts) ? had : c;
  });
}

/** Apply a pushed counter; the changed counters, or null when nothing changed. */
export function applyCounter(counters, msg) {
  let changed = false;
  const next = counters.map((c) => {
    if (counterKey(c) !== counterKey(msg) || Date.parse(msg.ts) <= Date.parse(c.ts)) return c;
    changed = changed || c.value !== msg.value;
    return { source: c.source, key: c.key, scope: c.scope, value: msg.value, ts: msg.ts };
  });
  return changed ? next : null;
}

function substituteText(text, variables, used) {
  return text.replace(VARIABLE, (_, name) => {
    // Unknown to the server (not computed yet, or a typo): a dash, never the raw braces.
    const value = Object.hasOwn(variables, name) ? variables[name] : "—";
    used.push(value);
    return value;
  });
}

function substituteNode(node, variables, used) {
  if (typeof node === "string") return substituteText(node, variables, used);
  if (Array.isArray(node)) return node.map((n) => substituteNode(n, variables, used));
  if (!isObject(node)) return node;
  const out = {};
  // Targets and globs are for finding things, not for reading: left exactly as authored.
  for (const [k, v] of Object.entries(node)) out[k] = k === "target" || k === "url" ? v : substituteNode(v, variables, used);
  return out;
}

/**
 * Experiences with {{team.…}}, {{workspace.…}} and {{me.…}} replaced, as text, by the
 * values the server computed. The values used join `rev`, so the runtime re-renders an
 * experience in place when one changes. Other {{…}} are left for their features.
 */
export function substituteVariables(experiences, variables) {
  return experiences.map((exp) => {
    if (!JSON.stringify(exp.content ?? null).match(VARIABLE)) return exp;
    const used = [];
    const content = substituteNode(exp.content, variables ?? {}, used);
    const vars = used.join("\u001f");
    return { ...exp, content, rev: exp.rev ? `${exp.rev}\u001e${vars}` : vars };
  });
}

const instances = new WeakMap();

/** The worker's one Progress (created with the Background, see attachProgress). */
export function progressFor(bg) {
  let p = instances.get(bg);
  if (!p) {
    p = new Progress(bg);
    instances.set(bg, p);
  }
  return p;
}

/** Listen to the server's progress pushes from the start: call once per worker. */
export function attachProgress(bg) {
  const progress = progressFor(bg);
  bg.realtime.on("counter", (msg) => progress.onCounter(msg));
  bg.realtime.on("progress", (msg) => progress.onHint(msg));
}

export class Progress {
  /** @param {import("./controller.js").Background} bg */
  constructor(bg, area = chrome.storage.session, uiArea = chrome.storage.local) {
    this.bg = bg;
    this.area = area;
    this.uiArea = uiArea;
    this.snapshot = null; // {scope, cursor, fetchedAt, data}
    this.loaded = null;
    this.loading = null;
    this.hintTimer = null;
    this.tzSent = new Set();
    this.uiChain = Promise.resolve();
  }

  #auth() {
    return this.bg.store.get("auth");
  }

  #scope(auth) {
    return `${auth.serverUrl}|${auth.user.id}`;
  }

  async #load() {
    this.loaded ??= this.area
      .get(KEY)
      .then((saved) => {
        if (!this.snapshot && isObject(saved[KEY])) this.snapshot = saved[KEY];
      })
      .catch(() => {});
    return this.loaded;
  }

  /** The user's progress (null when signed out or never reachable), refreshed when stale. */
  async current({ force = false } = {}) {
    const auth = this.#auth();
    if (!auth) return null;
    await this.#load();
    const snap = this.snapshot;
    const usable = snap && snap.scope === this.#scope(auth);
    const fresh =
      usable && snap.cursor === this.bg.store.get("cache").cursor && Date.now() - snap.fetchedAt < FRESH_MS;
    if (fresh && !force) return snap.data;
    const fetching = this.#fetch(auth);
    // A stale answer now beats none; the fetch tells the tabs when it changes anything.
    if (usable && !force) return snap.data;
    return (await fetching) ?? (usable ? snap.data : null);
  }

  #fetch(auth) {
    this.loading ??= (async () => {
      const cursor = this.bg.store.get("cache").cursor;
      try {
        const raw = await apiRequest(auth.serverUrl, "/client/progress", { token: auth.token });
        const data = cleanProgress(raw);
        if (!data || this.#auth() !== auth) return null;
        const before = this.snapshot?.scope === this.#scope(auth) ? this.snapshot.data : null;
        data.counters = mergeCounters(before?.counters, data.counters);
        await this.#save({ scope: this.#scope(auth), cursor, fetchedAt: Date.now(), data });
        if (!before || JSON.stringify(before) !== JSON.stringify(data)) this.bg.tabs.notifyChanged();
        this.#sendTimeZone(auth, data);
        return data;
      } catch (err) {
        log.warn("could not fetch progress:", err?.message ?? err);
        return null;
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }

  async #save(snapshot) {
    this.snapshot = snapshot;
    await this.area.set({ [KEY]: snapshot }).catch(() => {});
  }

  /** Streaks count days where the user is: tell the server this browser's zone, once. */
  #sendTimeZone(auth, data) {
    const scope = this.#scope(auth);
    if (data.tzSet || this.tzSent.has(scope)) return;
    this.tzSent.add(scope);
    const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!tz) return;
    apiRequest(auth.serverUrl, "/client/progress/preferences", { method: "PUT", token: auth.token, body: { tz } }).catch(
      (err) => log.warn("could not set the time zone:", err?.message ?? err),
    );
  }

  /** Template variables for content:hello, from the cache (a fetch is started if stale). */
  async variables() {
    const auth = this.#auth();
    if (!auth) return {};
    await this.#load();
    const snap = this.snapshot;
    const usable = snap && snap.scope === this.#scope(auth);
    if (!usable || snap.cursor !== this.bg.store.get("cache").cursor || Date.now() - snap.fetchedAt >= FRESH_MS) {
      this.#fetch(auth);
    }
    return usable ? snap.data.variables : {};
  }

  async onCounter(msg) {
    if (!generated.validateCounter(msg)) {
      log.warn("dropped an invalid counter:", JSON.stringify(generated.validateCounter.errors?.slice(0, 3)));
      return;
    }
    const auth = this.#auth();
    await this.#load();
    if (!auth || this.snapshot?.scope !== this.#scope(auth)) return;
    const counters = applyCounter(this.snapshot.data.counters, msg);
    if (!counters) return;
    await this.#save({ ...this.snapshot, data: { ...this.snapshot.data, counters } });
    this.bg.tabs.notifyChanged();
  }

  onHint(msg) {
    if (!generated.validateProgressHint(msg)) {
      log.warn("dropped an invalid progress message");
      return;
    }
    // A burst of pushes (a batch of events, then a tick) makes one fetch.
    clearTimeout(this.hintTimer);
    this.hintTimer = setTimeout(() => {
      const auth = this.#auth();
      if (auth) this.#fetch(auth);
    }, HINT_DELAY_MS);
  }

  // ------------------------------------------------------------ content:progress

  /** @param {any} msg @param {chrome.runtime.MessageSender} sender */
  async handle(msg, sender) {
    const auth = this.#auth();
    if (!auth) return { ok: false, signedIn: false, error: "not signed in" };
    const url = typeof msg.url === "string" && msg.url.length <= MAX_URL_LENGTH ? msg.url : sender?.url ?? "";
    switch (msg.op) {
      case "get":
        return { ok: true, signedIn: true, progress: await this.current(), ui: await this.#ui(auth) };
      case "page":
        return this.#page(url);
      case "summary": {
        const data = await this.current();
        return { ok: true, launcher: Boolean(data?.summary.available), reminders: data?.summary.reminders ?? 0 };
      }
      case "click":
        return this.#click(url, msg.selector);
      case "tick":
        return this.#tick(auth, msg);
      case "ui":
        return this.#setUi(auth, msg);
      case "panel":
        return this.#call(auth, "/client/gamification", {}, "panel");
      case "commit":
      case "withdraw":
        if (!validId(msg.goal_id)) return { ok: false, error: "invalid goal id" };
        return this.#call(
          auth,
          `/client/goals/${msg.goal_id}/commitment`,
          msg.op === "commit" ? { method: "POST", body: { confirm: true } } : { method: "DELETE" },
          "goal",
        );
      default:
        return { ok: false, error: "unknown op" };
    }
  }

  /** A page view: recorded when a rule needs it; answers the selectors to watch here. */
  async #page(url) {
    const data = await this.current();
    if (!data || !url) return { ok: true, selectors: [], launcher: false, reminders: 0 };
    const here = data.watch.filter((w) => urlMatches(w.url, url));
    // Needed by a checklist rule, so recorded whatever the analytics choice (see consent.js).
    if (here.some((w) => w.event === "page.view")) await this.bg.addEvents([{ type: "page.view", url }]);
    const selectors = [...new Set(here.filter((w) => w.event === "click").map((w) => w.selector))];
    return { ok: true, selectors, launcher: data.summary.available, reminders: data.summary.reminders };
  }

  async #click(url, selector) {
    const data = await this.current();
    const watched = data?.watch.some((w) => w.event === "click" && w.selector === selector && urlMatches(w.url, url));
    if (!watched) return { ok: false, error: "not a watched selector" };
    await this.bg.addEvents([{ type: "target.clicked", url, data: { selector } }]);
    return { ok: true };
  }

  async #tick(auth, msg) {
    const { experience_id: id, index } = msg;
    if (!validId(id) || !Number.isInteger(index) || index < 0 || index >= 30 || typeof msg.done !== "boolean") {
      return { ok: false, error: "invalid tick" };
    }
    let state;
    try {
      state = cleanChecklist(
        await apiRequest(auth.serverUrl, `/client/checklists/${id}/items/${index}`, {
          method: "POST",
          token: auth.token,
          body: { done: msg.done },
        }),
      );
    } catch (err) {
      return { ok: false, error: String(err?.message ?? err) };
    }
    if (state && this.snapshot?.scope === this.#scope(auth)) {
      const checklists = this.snapshot.data.checklists.map((c) => (c.id === state.id ? state : c));
      await this.#save({ ...this.snapshot, data: { ...this.snapshot.data, checklists } });
      this.bg.tabs.notifyChanged();
    }
    return { ok: Boolean(state), state };
  }

  async #call(auth, path, options, field) {
    try {
      const answer = await apiRequest(auth.serverUrl, path, { ...options, token: auth.token });
      if (field === "goal") this.#fetch(auth); // reminders in the launcher
      return { ok: true, [field]: answer };
    } catch (err) {
      return { ok: false, error: String(err?.message ?? err), status: err?.status ?? null };
    }
  }

  // ------------------------------------------------------------ widget state

  async #uiAll() {
    const all = (await this.uiArea.get(UI_KEY))[UI_KEY];
    return isObject(all) ? all : {};
  }

  /** {"<experience id>": {collapsed?, seen?}}: collapsed widgets, milestones already shown. */
  async #ui(auth) {
    const mine = (await this.#uiAll())[this.#scope(auth)];
    return isObject(mine) ? mine : {};
  }

  #setUi(auth, msg) {
    if (!validId(msg.experience_id)) return { ok: false, error: "invalid id" };
    const entry = {};
    if (typeof msg.collapsed === "boolean") entry.collapsed = msg.collapsed;
    if (Number.isInteger(msg.seen) && msg.seen >= 0 && msg.seen <= 30) entry.seen = msg.seen;
    const scope = this.#scope(auth);
    // Read-modify-write, one at a time: two tabs writing at once must not lose either.
    this.uiChain = this.uiChain.then(async () => {
      const all = await this.#uiAll();
      const mine = { ...(isObject(all[scope]) ? all[scope] : {}) };
      mine[msg.experience_id] = { ...(mine[msg.experience_id] ?? {}), ...entry };
      // Ids are integer keys, kept in ascending order: the oldest experiences go first.
      const ids = Object.keys(mine);
      for (const old of ids.slice(0, Math.max(0, ids.length - MAX_UI_ENTRIES))) delete mine[old];
      await this.uiArea.set({ [UI_KEY]: { ...all, [scope]: mine } });
    });
    return this.uiChain.then(
      () => ({ ok: true }),
      (err) => ({ ok: false, error: String(err?.message ?? err) }),
    );
  }
}
