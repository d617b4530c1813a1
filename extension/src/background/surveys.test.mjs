import assert from "node:assert/strict";
import { afterEach, test } from "node:test";

import { Surveys, outboxAdd } from "./surveys.js";

/** chrome.storage.local as far as Surveys uses it. */
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

/** A server that stores responses by id, as the backend does; `down` fails like a dead network. */
function fakeServer() {
  const server = { down: false, rows: new Map(), displays: [] };
  globalThis.fetch = async (url, init) => {
    if (server.down) throw new TypeError("Failed to fetch");
    const path = new URL(url).pathname;
    const body = JSON.parse(init.body);
    if (path.endsWith("/responses")) {
      const row = server.rows.get(body.id) ?? { answers: {} };
      server.rows.set(body.id, { answers: { ...row.answers, ...body.answers }, completed: body.completed, url: body.url });
    } else {
      server.displays.push(body.action);
    }
    return new Response(JSON.stringify({ stored: true }), { status: 202, headers: { "Content-Type": "application/json" } });
  };
  return server;
}

const auth = { token: "t", serverUrl: "http://127.0.0.1:9", user: { id: 5 } };
const RID = "8a6e0f64-4c1f-4a57-9d55-1b2c3d4e5f60";

test("answers given while the backend is away are kept and stored once, latest state, when it returns", async () => {
  const server = fakeServer();
  server.down = true;
  const area = memoryArea();
  const keeper = new Surveys(() => auth, area);
  await keeper.handle({ op: "display", experience_id: 3, id: "11111111-2222-4333-8444-555555555555", action: "shown" });
  await keeper.handle({ op: "answer", id: RID, experience_id: 3, answers: { score: 9 }, completed: false });
  await keeper.handle({ op: "answer", id: RID, experience_id: 3, answers: { score: 9, why: "fast" }, completed: true, url: "https://x.test/a" });
  await keeper.flush();
  assert.equal(await keeper.pending(), 2, "one display and one response wait (the partial was replaced)");
  // A new worker (the old one was stopped) finds the queue in storage.
  server.down = false;
  const again = new Surveys(() => auth, area);
  await again.flush();
  assert.equal(await again.pending(), 0);
  assert.deepEqual(server.displays, ["shown"]);
  assert.equal(server.rows.size, 1);
  assert.deepEqual(server.rows.get(RID), { answers: { score: 9, why: "fast" }, completed: true, url: "https://x.test/a" });
  clearTimeout(keeper.retry);
});

test("an anonymous survey's answers leave the page address behind; bad input is refused", async () => {
  const server = fakeServer();
  const keeper = new Surveys(() => auth, memoryArea());
  await keeper.handle({ op: "answer", id: RID, experience_id: 3, answers: { score: 2 }, completed: true, url: "https://x.test/", anonymous: true });
  await keeper.flush();
  assert.equal(server.rows.get(RID).url, undefined);
  assert.equal((await keeper.handle({ op: "answer", id: "nope", experience_id: 3, answers: { a: 1 } })).ok, false);
  assert.equal((await keeper.handle({ op: "answer", id: RID, experience_id: 3, answers: { "bad id": 1 } })).ok, false);
  assert.equal((await keeper.handle({ op: "display", id: RID, experience_id: 3, action: "exploded" })).ok, false);
});

test("visits are counted per survey and events are remembered for triggers", async () => {
  const keeper = new Surveys(() => auth, memoryArea());
  assert.equal((await keeper.handle({ op: "visit", experience_id: 4 })).count, 1);
  assert.equal((await keeper.handle({ op: "visit", experience_id: 4 })).count, 2);
  const since = Date.now();
  assert.equal((await keeper.handle({ op: "seen", since, event: "ticket.closed" })).seen, false);
  await keeper.noteEvents([{ type: "ticket.closed" }, { type: "tour.completed", experience_id: 8 }]);
  assert.equal((await keeper.handle({ op: "seen", since, event: "ticket.closed" })).seen, true);
  assert.equal((await keeper.handle({ op: "seen", since, tour_id: 8 })).seen, true);
  assert.equal((await keeper.handle({ op: "seen", since, tour_id: 9 })).seen, false);
  assert.equal((await keeper.handle({ op: "seen", since })).seen, true, "any tour");
});

test("a newer answer for the same response replaces the queued one", () => {
  const a = { kind: "response", body: { id: RID, answers: { a: 1 } }, key: "1" };
  const b = { kind: "response", body: { id: RID, answers: { a: 1, b: "x" } }, key: "2" };
  assert.deepEqual(outboxAdd(outboxAdd([], a), b), [b]);
});

test("an unfinished response is offered again for the same version, and forgotten once complete", async () => {
  fakeServer();
  const keeper = new Surveys(() => auth, memoryArea());
  await keeper.handle({ op: "answer", id: RID, experience_id: 3, version: 2, answers: { score: 9 }, completed: false });
  assert.deepEqual((await keeper.handle({ op: "resume", experience_id: 3, version: 2 })).draft, { id: RID, answers: { score: 9 } });
  assert.equal((await keeper.handle({ op: "resume", experience_id: 3, version: 3 })).draft, null, "another version starts afresh");
  await keeper.handle({ op: "answer", id: RID, experience_id: 3, version: 2, answers: { score: 9, why: "x" }, completed: true });
  assert.equal((await keeper.handle({ op: "resume", experience_id: 3, version: 2 })).draft, null);
  await keeper.flush();
});
