// Author mode, the service worker's side. The toolbar button turns author mode on and
// off in the active tab for a signed-in admin (the author bundle is injected only
// then: staff pages never load it), and every call the author panel makes to the API
// goes through here, with the admin's token, which never reaches the page's process.

import { MSG } from "../shared/messages.js";
import { log } from "../shared/log.js";
import { urlMatches } from "../shared/targeting.js";
import { ApiError, apiRequest } from "./api.js";

const SESSIONS_KEY = "authorTabs";
const DRAFTS_KEY = "authorDrafts";
const AUTHOR_FILE = "author.js";
// What author mode edits: the kinds that point at elements of the page.
export const AUTHOR_KINDS = Object.freeze(["tour", "tooltip", "hotspot"]);
const MAX_URL_LENGTH = 4000;
// Well under the server's 1 MiB body limit: an answer beats a 413.
const MAX_JSON_CHARS = 512 * 1024;

/**
 * A JSON value per tab in chrome.storage.session (it outlives a stopped worker, not the
 * browser), written one change at a time so two tabs at once lose nothing.
 */
class TabMap {
  /** @param {string} key @param {chrome.storage.StorageArea} [area] default: chrome.storage.session, looked up on first use */
  constructor(key, area) {
    this.key = key;
    this.given = area;
    this.chain = Promise.resolve();
  }

  get area() {
    return (this.given ??= chrome.storage.session);
  }

  async #all() {
    const saved = (await this.area.get(this.key))[this.key];
    return saved && typeof saved === "object" ? saved : {};
  }

  #update(fn) {
    // One failed write (storage full, a quota) must not block every later one.
    this.chain = this.chain.catch(() => {}).then(async () => {
      const all = await this.#all();
      fn(all);
      await this.area.set({ [this.key]: all });
    });
    return this.chain;
  }

  async get(tabId) {
    await this.chain.catch(() => {});
    return (await this.#all())[tabId];
  }

  put(tabId, value) {
    return this.#update((all) => {
      all[tabId] = value;
    });
  }

  remove(tabId) {
    return this.#update((all) => {
      delete all[tabId];
    });
  }
}

/**
 * The tabs where author mode is on, with the document it was injected into: a message
 * from another document of the tab (the page navigated) is not author mode's.
 */
export class AuthorSessions extends TabMap {
  constructor(area) {
    super(SESSIONS_KEY, area);
  }

  set(tabId, documentId) {
    return this.put(tabId, { documentId: documentId ?? null });
  }

  /** Is this sender the author bundle of a tab where author mode was turned on? */
  async accepts(sender) {
    const session = await this.get(sender?.tab?.id);
    if (!session) return false;
    // documentId is null between the injection and its result; the tab alone decides then.
    return !session.documentId || !sender.documentId || session.documentId === sender.documentId;
  }
}

/**
 * Unsaved work, per tab, for the identity that made it: a full page load ends author
 * mode with its document (a tour across pages of a classic web app), and the next
 * click of the toolbar button offers to go on where the admin was.
 */
export class KeptDrafts extends TabMap {
  constructor(area) {
    super(DRAFTS_KEY, area);
  }

  async for(tabId, owner) {
    const kept = await this.get(tabId);
    return kept && kept.owner === owner ? kept.draft : null;
  }

  keep(tabId, owner, draft) {
    return draft ? this.put(tabId, { owner, draft }) : this.remove(tabId);
  }
}

export const sessions = new AuthorSessions();
export const drafts = new KeptDrafts();
const ownerOf = (auth) => `${auth.serverUrl}|${auth.user.id}`;

const isAdmin = (auth) => auth?.user?.role === "admin";
const isId = (value) => Number.isSafeInteger(value) && value > 0;
const isPlainObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);

function tooBig(value) {
  try {
    return JSON.stringify(value).length > MAX_JSON_CHARS;
  } catch {
    return true;
  }
}

const refused = (error, status = 400) => ({ ok: false, status, error, details: {} });

/**
 * Call the API as the signed-in admin. Answers `{ok: true, data}` or `{ok: false,
 * status, error, details}` (details: the server's 422 field messages) so the panel
 * can show each error next to its field.
 */
async function call(bg, auth, path, options = {}) {
  try {
    return { ok: true, data: await apiRequest(auth.serverUrl, path, { ...options, token: auth.token }) };
  } catch (err) {
    if (err instanceof ApiError) {
      if (err.status === 401) await bg.signOut({ onlyToken: auth.token, reason: "the server refused the admin's token" });
      return { ok: false, status: err.status, code: err.code, error: err.message, details: err.details ?? {} };
    }
    return { ok: false, status: 0, error: String(err?.message ?? err), details: {} };
  }
}

/** Every author:* handler: a signed-in admin, and a tab where author mode is on. */
function authorOnly(run) {
  return {
    from: "content",
    async run(bg, msg, sender) {
      const auth = bg.store.get("auth");
      if (!isAdmin(auth)) return refused("Author mode is for signed-in admins.", 403);
      if (!(await sessions.accepts(sender))) return refused("Author mode is not on in this tab.", 403);
      return run(bg, msg, sender, auth);
    },
  };
}

function summary(exp) {
  return {
    id: exp.id,
    kind: exp.kind,
    name: exp.name,
    status: exp.status,
    version: exp.version,
    published_version: exp.published_version,
    has_unpublished_changes: exp.has_unpublished_changes,
    targeting: exp.targeting,
    updated_at: exp.updated_at,
  };
}

/** Does an experience belong on this page: its targeting, or one of its tour steps' pages? */
function onPage(exp, url) {
  if (urlMatches(exp?.targeting?.url, url)) return true;
  const steps = Array.isArray(exp?.content?.steps) ? exp.content.steps : [];
  return steps.some((step) => typeof step?.url === "string" && urlMatches(step.url, url));
}

function saveBody(msg) {
  const body = {};
  if (msg.name !== undefined) body.name = msg.name;
  if (msg.targeting !== undefined) body.targeting = msg.targeting;
  if (msg.content !== undefined) body.content = msg.content;
  return body;
}

export const authorHandlers = {
  [MSG.AUTHOR_HELLO]: authorOnly(async (bg, msg, sender, auth) => ({
    ok: true,
    data: {
      user: { email: auth.user.email, role: auth.user.role },
      serverUrl: auth.serverUrl,
      kinds: AUTHOR_KINDS,
      kept: await drafts.for(sender.tab.id, ownerOf(auth)),
    },
  })),

  // The editor's unsaved state (null: nothing unsaved), kept for this tab.
  [MSG.AUTHOR_KEEP]: authorOnly(async (bg, msg, sender, auth) => {
    const draft = msg.draft ?? null;
    if (draft !== null && (!isPlainObject(draft) || !AUTHOR_KINDS.includes(draft.kind) || tooBig(draft))) {
      return refused("Nothing to keep.");
    }
    await drafts.keep(sender.tab.id, ownerOf(auth), draft);
    return { ok: true, data: null };
  }),

  [MSG.AUTHOR_LIST]: authorOnly(async (bg, msg, sender, auth) => {
    const url = typeof msg.url === "string" && msg.url.length <= MAX_URL_LENGTH ? msg.url : sender.url ?? "";
    const answer = await call(bg, auth, "/experiences");
    if (!answer.ok) return answer;
    const items = Array.isArray(answer.data?.items) ? answer.data.items : [];
    return {
      ok: true,
      data: items.filter((e) => AUTHOR_KINDS.includes(e?.kind) && onPage(e, url)).map(summary),
    };
  }),

  [MSG.AUTHOR_GET]: authorOnly((bg, msg, sender, auth) => {
    if (!isId(msg.id)) return refused("No such experience.");
    return call(bg, auth, `/experiences/${msg.id}`);
  }),

  [MSG.AUTHOR_SAVE]: authorOnly((bg, msg, sender, auth) => {
    const body = saveBody(msg);
    if (msg.name !== undefined && typeof msg.name !== "string") return refused("The name must be text.");
    if (msg.targeting !== undefined && !isPlainObject(msg.targeting)) return refused("Targeting must be an object.");
    if (msg.content !== undefined && !isPlainObject(msg.content)) return refused("Content must be an object.");
    if (tooBig(body)) return refused("This experience is too large to save.", 413);
    if (msg.id === undefined || msg.id === null) {
      if (!AUTHOR_KINDS.includes(msg.kind)) return refused("Author mode makes tours, tooltips and hotspots.");
      return call(bg, auth, "/experiences", { method: "POST", body: { kind: msg.kind, ...body } });
    }
    if (!isId(msg.id)) return refused("No such experience.");
    return call(bg, auth, `/experiences/${msg.id}`, { method: "PATCH", body });
  }),

  [MSG.AUTHOR_PUBLISH]: authorOnly((bg, msg, sender, auth) => {
    if (!isId(msg.id)) return refused("Save the draft before publishing.");
    return call(bg, auth, `/experiences/${msg.id}/publish`, { method: "POST" });
  }),

  [MSG.AUTHOR_VERSIONS]: authorOnly((bg, msg, sender, auth) => {
    if (!isId(msg.id)) return refused("No such experience.");
    return call(bg, auth, `/experiences/${msg.id}/versions`);
  }),

  [MSG.AUTHOR_ROLLBACK]: authorOnly((bg, msg, sender, auth) => {
    if (!isId(msg.id) || !isId(msg.version)) return refused("No such version.");
    return call(bg, auth, `/experiences/${msg.id}/rollback`, { method: "POST", body: { version: msg.version } });
  }),

  // The preview is drawn by the tab's content script with the runtime's own renderers;
  // the worker relays it (content scripts of one tab cannot message each other).
  [MSG.AUTHOR_PREVIEW]: authorOnly(async (bg, msg, sender) => {
    const experience = msg.experience ?? null;
    if (experience !== null && (!isPlainObject(experience) || !AUTHOR_KINDS.includes(experience.kind) || tooBig(experience))) {
      return refused("Nothing to preview.");
    }
    try {
      const answer = await chrome.tabs.sendMessage(sender.tab.id, { type: MSG.BG_AUTHOR_PREVIEW, experience }, { frameId: 0 });
      if (answer?.ok === false) return refused(`The page cannot show it: ${answer.error}.`, 422);
      return { ok: true, data: null };
    } catch (err) {
      // No content script in this tab (it was open before the extension loaded).
      return refused(`The page cannot show a preview: reload it and try again (${err?.message ?? err}).`, 409);
    }
  }),

  // From the tab's content script (not the author bundle): its preview ended on its own.
  [MSG.CONTENT_AUTHOR_PREVIEW_ENDED]: {
    from: "content",
    async run(bg, msg, sender) {
      if (!(await sessions.accepts(sender))) return { ok: true, data: null };
      chrome.tabs.sendMessage(sender.tab.id, { type: MSG.BG_AUTHOR_PREVIEW_ENDED }, { frameId: 0 }).catch(() => {});
      return { ok: true, data: null };
    },
  },

  // Author mode ended in this tab; `keep` is its unsaved work (or null), saved with the
  // stop itself so that a page being unloaded needs one message only.
  [MSG.AUTHOR_STOP]: {
    from: "content",
    async run(bg, msg, sender) {
      if (!(await sessions.accepts(sender))) return { ok: true, data: null };
      const auth = bg.store.get("auth");
      const keep = msg.keep ?? null;
      if (isAdmin(auth) && (keep === null || (isPlainObject(keep) && AUTHOR_KINDS.includes(keep.kind) && !tooBig(keep)))) {
        await drafts.keep(sender.tab.id, ownerOf(auth), keep);
      }
      await endSession(sender.tab.id);
      return { ok: true, data: null };
    },
  },
};

async function endSession(tabId) {
  await sessions.remove(tabId);
  chrome.action.setBadgeText({ tabId, text: "" }).catch(() => {});
  chrome.action.setTitle({ tabId, title: "Nudgelayer" }).catch(() => {});
}

/** Runs in the tab (serialised by chrome.scripting): stop author mode if it is running. */
function stopIfRunning() {
  const author = globalThis.__nudgelayerAuthor;
  if (author && typeof author.stop === "function") {
    author.stop();
    return true;
  }
  return false;
}

const ACCESS_RETRIES = 3;
const ACCESS_RETRY_MS = 200;

/**
 * chrome.scripting.executeScript, tried again a few times when the tab refuses access:
 * right after the click, the page's renderer may not have heard of the activeTab grant
 * yet (seen under load: "Cannot access contents of the page").
 */
async function inject(details) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await chrome.scripting.executeScript(details);
    } catch (err) {
      if (attempt >= ACCESS_RETRIES || !/cannot access/i.test(String(err?.message ?? err))) throw err;
      await new Promise((resolve) => setTimeout(resolve, ACCESS_RETRY_MS * (attempt + 1)));
    }
  }
}

/**
 * The toolbar button. An admin on a web page toggles author mode in that tab (the
 * click grants activeTab, which is what lets us inject); anyone else gets the
 * settings page, where signing in happens.
 * @param {import("./controller.js").Background} bg
 * @param {chrome.tabs.Tab} tab
 */
export async function onActionClicked(bg, tab) {
  const auth = bg.store.get("auth");
  const web = typeof tab?.url === "string" && /^https?:\/\//i.test(tab.url);
  if (!isAdmin(auth) || !web || !Number.isInteger(tab.id)) {
    await chrome.runtime.openOptionsPage();
    return;
  }
  const target = { tabId: tab.id, frameIds: [0] };
  const [stopped] = await inject({ target, func: stopIfRunning });
  if (stopped?.result === true) {
    await endSession(tab.id);
    return;
  }
  await sessions.set(tab.id, null);
  try {
    const [injected] = await inject({ target, files: [AUTHOR_FILE] });
    await sessions.set(tab.id, injected?.documentId ?? null);
  } catch (err) {
    await sessions.remove(tab.id);
    throw err;
  }
  chrome.action.setBadgeText({ tabId: tab.id, text: "ON" }).catch(() => {});
  chrome.action.setTitle({ tabId: tab.id, title: "Nudgelayer: author mode is on (click to turn it off)" }).catch(() => {});
  log.info(`author mode on in tab ${tab.id}`);
}

export function forgetAuthorTab(tabId) {
  sessions.remove(tabId).catch(() => {});
  drafts.remove(tabId).catch(() => {});
}
