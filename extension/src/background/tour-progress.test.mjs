import assert from "node:assert/strict";
import { afterEach, test } from "node:test";

import { TourProgress } from "./tour-progress.js";

/** chrome.storage.local as far as TourProgress uses it. */
function memoryArea() {
  const data = {};
  return {
    data,
    get: async (key) => (key in data ? { [key]: structuredClone(data[key]) } : {}),
    set: async (patch) => Object.assign(data, structuredClone(patch)),
  };
}

const realFetch = globalThis.fetch;
afterEach(() => (globalThis.fetch = realFetch));

/** A server answering progress requests; `down` makes every request fail like a dead network. */
function fakeServer() {
  const server = { down: false, calls: [], stored: {} };
  globalThis.fetch = async (url, init) => {
    server.calls.push(`${init.method} ${new URL(url).pathname}`);
    if (server.down) throw new TypeError("Failed to fetch");
    const id = /tours\/(\d+)\//.exec(url)[1];
    if (id === "404") return new Response(JSON.stringify({ error: { code: "not_found", message: "No tour" } }), { status: 404 });
    if (init.method === "PUT") server.stored[id] = { ...JSON.parse(init.body), updated_at: "2026-12-03T10:00:00+00:00" };
    const p = server.stored[id] ?? { step: 0, status: "not_started", version: null, updated_at: null };
    return new Response(JSON.stringify({ tour_id: Number(id), ...p }), { status: 200, headers: { "Content-Type": "application/json" } });
  };
  return server;
}

const auth = { token: "t", serverUrl: "http://127.0.0.1:9", user: { id: 5 } };

test("progress comes from the server and is cached for offline use", async () => {
  const server = fakeServer();
  server.stored["3"] = { step: 2, status: "active", version: 4 };
  const keeper = new TourProgress(() => auth, memoryArea());
  const first = await keeper.handle({ op: "get", id: 3 });
  assert.deepEqual(first, { ok: true, progress: { step: 2, status: "active", version: 4, updated_at: null } });
  server.down = true;
  const offline = await keeper.handle({ op: "get", id: 3 });
  assert.equal(offline.progress.step, 2, "the cached answer");
  assert.deepEqual(await keeper.handle({ op: "get", id: 9 }), { ok: false, error: "progress unavailable" });
});

test("a write made offline is kept, answered from the cache, and sent when the server is back", async () => {
  const server = fakeServer();
  server.down = true;
  const area = memoryArea();
  const keeper = new TourProgress(() => auth, area);
  const put = await keeper.handle({ op: "put", id: 3, step: 1, status: "active", version: 2 });
  assert.equal(put.ok, true);
  await keeper.sending;
  clearTimeout(keeper.retry);
  assert.equal(Object.values(area.data.tourProgress)[0]["3"].pending, true);
  // Another read while offline: the unsent write wins over anything older.
  assert.equal((await keeper.handle({ op: "get", id: 3 })).progress.step, 1);
  server.down = false;
  await keeper.sending;
  clearTimeout(keeper.retry);
  await keeper.handle({ op: "get", id: 3 });
  await keeper.sending;
  assert.deepEqual(server.stored["3"], { step: 1, status: "active", version: 2, updated_at: "2026-12-03T10:00:00+00:00" });
  assert.equal(Object.values(area.data.tourProgress)[0]["3"].pending, undefined);
});

test("bad input and signed-out calls are refused; a tour the server does not know is not cached", async () => {
  const server = fakeServer();
  const keeper = new TourProgress(() => auth, memoryArea());
  for (const msg of [
    { op: "put", id: 3, step: -1, status: "active" },
    { op: "put", id: 3, step: 50, status: "active" },
    { op: "put", id: 3, step: 1, status: "paused" },
    { op: "put", id: 3, step: 1.5, status: "active" },
    { op: "put", id: 3, step: 1, status: "active", version: "2" },
    { op: "get", id: "3" },
    { op: "get", id: 0 },
    { op: "drop", id: 3 },
  ]) {
    assert.equal((await keeper.handle(msg)).ok, false, JSON.stringify(msg));
  }
  assert.deepEqual(server.calls, []);
  assert.deepEqual(await keeper.handle({ op: "get", id: 404 }), { ok: false, error: "no such tour" });
  const signedOut = new TourProgress(() => null, memoryArea());
  assert.equal((await signedOut.handle({ op: "get", id: 3 })).ok, false);
});

test("each user has their own progress", async () => {
  fakeServer().down = true;
  const area = memoryArea();
  let who = auth;
  const keeper = new TourProgress(() => who, area);
  await keeper.handle({ op: "put", id: 3, step: 2, status: "dismissed" });
  await keeper.sending;
  clearTimeout(keeper.retry);
  who = { ...auth, user: { id: 6 } };
  assert.equal((await keeper.handle({ op: "get", id: 3 })).ok, false, "nothing for the other user");
});
