// The service worker's behaviour: signing in and out, the experience cache, the
// socket, the event queue. index.js wires browser events to it; handlers.js maps
// messages to it.

import { EVENT } from "../shared/messages.js";
import { log } from "../shared/log.js";
import { normalizeServerUrl } from "../shared/server-url.js";
import { userAttributes } from "../shared/targeting.js";
import { ApiError, NetworkError, apiRequest } from "./api.js";
import { applyChanges, experiencesForPage, sameExperiences } from "./cache.js";
import { EventSender } from "./events.js";
import { Nudges } from "./nudges.js";
import { attachProgress, progressFor, substituteVariables } from "./progress.js";
import { stampEvents } from "./queue.js";
import { Realtime } from "./realtime.js";
import { DEFAULTS, Store } from "./store.js";
import { Tabs } from "./tabs.js";
import { validFeed } from "./validate.js";

const MAX_DISMISSED_PER_USER = 500;
const SIGN_OUT_FLUSH_MS = 3000;

function validLogin(data) {
  const user = data?.user;
  return (
    typeof data?.token === "string" &&
    data.token.length > 0 &&
    user !== null &&
    typeof user === "object" &&
    Number.isSafeInteger(user.id) &&
    typeof user.email === "string" &&
    typeof user.role === "string"
  );
}

/** Where an identity's dismissals are kept: per server and user. */
function dismissScope(auth) {
  return auth ? `${auth.serverUrl}|${auth.user.id}` : null;
}

async function managedServerUrl() {
  try {
    const { serverUrl } = await chrome.storage.managed.get("serverUrl");
    return typeof serverUrl === "string" && serverUrl.trim() ? serverUrl.trim() : null;
  } catch {
    // No policy store on this platform, or no schema: nothing is managed.
    return null;
  }
}

export class Background {
  constructor() {
    this.store = new Store();
    this.tabs = new Tabs();
    // Only the token that was refused is signed out: a late 401 for a token replaced
    // by a new sign-in must not sign the new one out.
    const onUnauthorized = (token) =>
      this.signOut({ onlyToken: token, reason: "the server no longer accepts this sign-in" });
    this.events = new EventSender(this.store, { onUnauthorized });
    this.realtime = new Realtime(this.store, {
      setCache: (cache) => this.setCache(cache),
      onUnauthorized,
      checkToken: () => this.checkToken(),
    });
    this.nudges = new Nudges(this);
    attachProgress(this); // the server's `counter` and `progress` pushes
  }

  /** Load state and reconnect; safe to call on every wake-up. */
  async start() {
    await this.store.ready();
    this.realtime.ensure();
    if (this.store.get("queue").length) this.events.schedule(0);
  }

  status() {
    const auth = this.store.get("auth");
    return {
      signedIn: Boolean(auth),
      user: auth?.user ?? null,
      serverUrl: auth?.serverUrl ?? (this.store.get("lastServerUrl") || null),
      connected: this.realtime.connected,
      cursor: this.store.get("cache").cursor,
      queued: this.store.get("queue").length,
      lastEmail: this.store.get("lastEmail") || "",
    };
  }

  async signIn({ serverUrl, email, password }) {
    const managed = await managedServerUrl();
    const checked = normalizeServerUrl(managed ?? serverUrl);
    if (checked.error) return { ok: false, error: checked.error };
    if (typeof email !== "string" || !email.trim() || typeof password !== "string" || !password) {
      return { ok: false, error: "Enter your email and password." };
    }
    const url = checked.url;
    let login;
    try {
      login = await apiRequest(url, "/auth/login", { method: "POST", body: { email: email.trim(), password } });
    } catch (err) {
      return { ok: false, error: signInError(err, url) };
    }
    if (!validLogin(login)) return { ok: false, error: `${url} did not answer like a Nudgelayer server.` };
    const previous = this.store.get("auth");
    if (previous) {
      this.realtime.stop();
      await this.#revoke(previous);
    }
    const auth = { token: login.token, user: login.user, serverUrl: url, expiresAt: login.expires_at ?? null };
    const sameIdentity = previous && dismissScope(previous) === dismissScope(auth);
    await this.store.set({
      auth,
      lastServerUrl: url,
      lastEmail: login.user.email,
      // Another user's or server's cached experiences and queued events are not this user's.
      ...(sameIdentity ? {} : { cache: DEFAULTS.cache, queue: [], flush: DEFAULTS.flush }),
    });
    await this.refreshFeed();
    this.nudges.refresh().catch((err) => log.warn("could not fetch nudges:", err?.message ?? err));
    this.realtime.ensure();
    this.tabs.notifyChanged();
    return { ok: true, status: this.status() };
  }

  /** Fill the cache from GET /client/experiences (used right after signing in). */
  async refreshFeed() {
    const auth = this.store.get("auth");
    if (!auth) return;
    let feed;
    try {
      feed = await apiRequest(auth.serverUrl, "/client/experiences", { token: auth.token });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) await this.signOut({ onlyToken: auth.token, reason: "token refused" });
      else log.warn("could not fetch experiences now; the socket's sync will bring them:", err.message);
      return;
    }
    if (!validFeed(feed) || this.store.get("auth") !== auth) return;
    // The server filtered by segment already; the same rule applied here again is free.
    const changes = feed.experiences.map((e) => ({ op: "upsert", id: e.id, experience: e }));
    await this.setCache({ cursor: feed.cursor, experiences: applyChanges([], changes, userAttributes(auth.user)) });
  }

  /** Does the server still accept our token? Throws when it cannot be asked. */
  async checkToken() {
    const auth = this.store.get("auth");
    if (!auth) return false;
    try {
      await apiRequest(auth.serverUrl, "/me", { token: auth.token });
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return false;
      throw err;
    }
  }

  /**
   * Forget the sign-in: token, user, cache and queue. With `revoke`, the server is
   * told too (a user signing out, not a token the server already refused).
   */
  async signOut({ revoke = false, reason = "signed out", onlyToken = null } = {}) {
    const auth = this.store.get("auth");
    if (!auth || (onlyToken && auth.token !== onlyToken)) return { ok: true, status: this.status() };
    log.info("signing out:", reason);
    if (revoke) {
      // Best effort: send what is queued while the token still works.
      await Promise.race([this.events.flush(), new Promise((r) => setTimeout(r, SIGN_OUT_FLUSH_MS))]);
      await this.#revoke(auth);
    }
    if (this.store.get("auth") !== auth) return { ok: true, status: this.status() };
    this.realtime.stop();
    this.events.cancel();
    await this.store.set({ auth: null, cache: DEFAULTS.cache, queue: [], flush: DEFAULTS.flush });
    await this.nudges.clear();
    this.tabs.notifyChanged();
    return { ok: true, status: this.status() };
  }

  async #revoke(auth) {
    try {
      await apiRequest(auth.serverUrl, "/auth/logout", { method: "POST", token: auth.token, timeoutMs: 5000 });
    } catch (err) {
      log.warn("could not revoke the token on the server:", err.message);
    }
  }

  async setCache(cache) {
    const before = this.store.get("cache").experiences;
    await this.store.set({ cache });
    if (!sameExperiences(before, cache.experiences)) this.tabs.notifyChanged();
  }

  /** content:hello — the experiences for this page, answered from the cache. */
  async hello(url, tabId) {
    await this.tabs.add(tabId);
    const auth = this.store.get("auth");
    if (!auth) return { signedIn: false, user: null, experiences: [], dismissed: {} };
    const attrs = userAttributes(auth.user);
    // Event counts, variants, experiments and signals decide what the page shows (nudges.js).
    const { experiences, exposures } = await this.nudges.forPage(
      experiencesForPage(this.store.get("cache").experiences, url, attrs),
      url,
      tabId,
    );
    return {
      signedIn: true,
      user: auth.user,
      // {{team.percent_completed:12}} and the like, as text (progress.js).
      experiences: substituteVariables(experiences, await progressFor(this).variables()),
      exposures,
      dismissed: this.#dismissedFor(auth),
    };
  }

  /** content:events — stamp, remember dismissals, queue. */
  async addEvents(events) {
    const auth = this.store.get("auth");
    if (!auth) return { ok: false, error: "not signed in" };
    const { accepted, rejected } = stampEvents(events);
    if (rejected) log.warn(`dropped ${rejected} malformed event(s) from a page`);
    await this.#rememberDismissals(auth, accepted);
    await this.events.add(accepted);
    return { ok: true };
  }

  async #rememberDismissals(auth, events) {
    const dismissals = events.filter(
      (e) => e.type === EVENT.DISMISSED && e.experience_id && Number.isSafeInteger(e.data?.version),
    );
    if (!dismissals.length) return;
    const scope = dismissScope(auth);
    const all = this.store.get("dismissed");
    // A list of [id, version], oldest first, so the oldest are forgotten past the cap.
    let mine = Array.isArray(all[scope]) ? all[scope] : [];
    for (const e of dismissals) {
      mine = mine.filter(([id]) => id !== e.experience_id).concat([[e.experience_id, e.data.version]]);
    }
    await this.store.set({ dismissed: { ...all, [scope]: mine.slice(-MAX_DISMISSED_PER_USER) } });
    this.tabs.notifyChanged();
  }

  /** {"<experience id>": dismissed version} for the signed-in user. */
  #dismissedFor(auth) {
    const mine = this.store.get("dismissed")[dismissScope(auth)];
    return Array.isArray(mine) ? Object.fromEntries(mine) : {};
  }
}

const FIELD_NAMES = { email: "Email", password: "Password" };

/** "Email: Not a valid email address." from {"email": ["Not a valid email address."]}. */
function fieldErrors(details) {
  return Object.entries(details ?? {})
    .filter(([, messages]) => Array.isArray(messages))
    // Own keys only: a server naming a field "constructor" must not print Object's.
    .map(([field, messages]) => `${Object.hasOwn(FIELD_NAMES, field) ? FIELD_NAMES[field] : field}: ${messages.join(" ")}`)
    .join(" ");
}

function signInError(err, url) {
  if (err instanceof NetworkError) {
    return `Cannot reach the server at ${url}. Check the URL and that the server is running.`;
  }
  if (err instanceof ApiError) {
    if (err.status === 429) return `Too many sign-in attempts. ${err.message}`;
    if (err.status === 404) return `${url} does not look like a Nudgelayer server (no sign-in API there).`;
    if (err.status === 422) return fieldErrors(err.details) || err.message;
    return err.message;
  }
  return String(err?.message ?? err);
}
