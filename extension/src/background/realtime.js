// The one Socket.IO connection of the browser (namespace /rt, websocket only).
//
// It keeps the cache in step with the server: `sync` after every connect, `change`
// for each publish, `resume` when a cursor gap shows that something was missed.
// Every message is validated before it touches the cache.

import { io } from "socket.io-client";

import { log } from "../shared/log.js";
import { userAttributes } from "../shared/targeting.js";
import { applyChange, applySync, classifyChange } from "./cache.js";
import { validChange, validSync } from "./validate.js";

const RESUME_TIMEOUT_MS = 10000;
const REFUSED_RETRY_MS = 30000;

/** Socket.IO takes the namespace from the URL path, so a server under a prefix needs `path`. */
export function socketTarget(serverUrl) {
  const url = new URL(serverUrl);
  const prefix = url.pathname.replace(/\/+$/, "");
  return { uri: `${url.origin}/rt`, path: `${prefix}/socket.io` };
}

export class Realtime {
  /**
   * @param {import("./store.js").Store} store
   * @param {{
   *   setCache: (cache: import("./store.js").Cache) => Promise<void>,
   *   onUnauthorized: (token: string) => Promise<unknown>,
   *   checkToken: () => Promise<boolean>,
   * }} hooks
   */
  constructor(store, hooks) {
    this.store = store;
    this.hooks = hooks;
    this.socket = null;
    this.serverUrl = null;
    this.token = null;
    // Socket messages are handled one at a time, in arrival order.
    this.chain = Promise.resolve();
    this.highestSeen = 0;
    this.refusedTimer = null;
    // Features' own server messages (progress: `counter`, `progress`): name → handler.
    this.extra = new Map();
  }

  /** Handle another server message, in order with the rest, on this and every later socket. */
  on(name, handler) {
    this.extra.set(name, handler);
    this.socket?.on(name, (msg) => this.#enqueue(() => handler(msg)));
  }

  get connected() {
    return Boolean(this.socket?.connected);
  }

  /** Connect when signed in and not connected (or connecting) already. Idempotent. */
  ensure() {
    const auth = this.store.get("auth");
    if (!auth) return this.stop();
    if (this.socket && (this.serverUrl !== auth.serverUrl || this.token !== auth.token)) this.stop();
    if (this.socket) {
      if (!this.socket.connected && !this.socket.active) this.socket.connect();
      return;
    }
    this.serverUrl = auth.serverUrl;
    this.token = auth.token;
    const { uri, path } = socketTarget(auth.serverUrl);
    const socket = io(uri, {
      path,
      transports: ["websocket"],
      // A callback, not an object: each reconnect sends the cursor stored by then.
      auth: (cb) => cb({ token: this.store.get("auth")?.token ?? null, cursor: this.store.get("cache").cursor }),
      reconnectionDelay: 1000,
      reconnectionDelayMax: 30000,
      timeout: 10000,
    });
    this.socket = socket;
    socket.on("connect", () => log.info("connected to", auth.serverUrl));
    socket.on("disconnect", (reason) => this.#onDisconnect(socket, reason));
    socket.on("connect_error", (err) => this.#onConnectError(socket, err));
    socket.on("sync", (msg) => this.#enqueue(() => this.#onSync(msg, "sync")));
    socket.on("change", (msg) => this.#enqueue(() => this.#onChange(msg)));
    socket.on("revoked", () => this.#enqueue(() => this.#revoked(auth.token)));
    for (const [name, handler] of this.extra) socket.on(name, (msg) => this.#enqueue(() => handler(msg)));
  }

  stop() {
    clearTimeout(this.refusedTimer);
    if (this.socket) {
      this.socket.removeAllListeners();
      this.socket.disconnect();
    }
    this.socket = null;
    this.serverUrl = null;
    this.token = null;
    this.highestSeen = 0;
  }

  #enqueue(task) {
    this.chain = this.chain.then(task).catch((err) => log.error("realtime message failed", err));
  }

  async #onSync(msg, source) {
    if (!validSync(msg, source)) return;
    const cache = this.store.get("cache");
    await this.hooks.setCache(applySync(cache, msg, this.#attrs()));
    // A push newer than the connect's sync arrived before it: ask again so nothing
    // regresses. A resume answer is built after that push, so it is never behind.
    const behind = source === "sync" && msg.cursor < this.highestSeen;
    this.highestSeen = msg.cursor;
    if (behind) this.#resume();
  }

  async #onChange(msg) {
    if (!validChange(msg)) return;
    this.highestSeen = Math.max(this.highestSeen, msg.cursor);
    const cache = this.store.get("cache");
    const verdict = classifyChange(cache.cursor, msg.cursor, msg.prev_cursor);
    if (verdict === "apply") await this.hooks.setCache(applyChange(cache, msg, this.#attrs()));
    else if (verdict === "gap") this.#resume();
  }

  #resume() {
    const socket = this.socket;
    if (!socket?.connected) return; // the next connect's sync catches up
    const cursor = this.store.get("cache").cursor;
    socket.timeout(RESUME_TIMEOUT_MS).emit("resume", { cursor }, (err, answer) => {
      if (err) {
        log.warn("resume got no answer; the next reconnect catches up");
        return;
      }
      if (answer && typeof answer === "object" && answer.error === "unauthorized") {
        const token = this.token;
        this.#enqueue(() => this.hooks.onUnauthorized(token));
        return;
      }
      this.#enqueue(() => this.#onSync(answer, "resume"));
    });
  }

  async #revoked(token) {
    log.info("the server revoked this sign-in");
    await this.hooks.onUnauthorized(token);
  }

  #onDisconnect(socket, reason) {
    log.info("disconnected:", reason);
    // The server closed us on purpose (e.g. a token that stopped being valid): find out why.
    if (reason === "io server disconnect" && socket === this.socket) this.#recheck(socket);
  }

  #onConnectError(socket, err) {
    if (socket.active) {
      // Network trouble: Socket.IO retries on its own, with backoff.
      log.warn("cannot connect yet:", err?.message ?? err);
      return;
    }
    // Refused by the server: a bad token, or a server that cannot check it right now.
    log.warn("connection refused:", err?.message ?? err);
    this.#recheck(socket);
  }

  async #recheck(socket) {
    if (socket !== this.socket) return;
    const token = this.token;
    let valid = true;
    try {
      valid = await this.hooks.checkToken();
    } catch (err) {
      log.warn("could not check the token:", err?.message ?? err);
    }
    if (!valid) {
      await this.hooks.onUnauthorized(token);
      return;
    }
    if (socket !== this.socket) return;
    clearTimeout(this.refusedTimer);
    this.refusedTimer = setTimeout(() => {
      if (socket === this.socket && !socket.connected && !socket.active) socket.connect();
    }, REFUSED_RETRY_MS);
  }

  #attrs() {
    return userAttributes(this.store.get("auth")?.user);
  }
}
