import assert from "node:assert/strict";
import { test } from "node:test";

import {
  BATCH_SIZE,
  MAX_QUEUED,
  pythonJsonLength,
  backoffDelay,
  enqueue,
  invalidIndexes,
  isRetryableStatus,
  removeIds,
  stampEvents,
} from "./queue.js";
import { validateEvent } from "./queue.testlib.mjs";

let n = 0;
const ids = () => `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}`;
const at = () => new Date("2030-01-31T17:00:00.123Z");

test("each event gets a UUID and an ISO timestamp when queued", () => {
  const { accepted, rejected } = stampEvents(
    [{ type: "experience.viewed", url: "https://a.test/x", experience_id: 4, data: { kind: "tooltip", version: 2 } }],
    () => crypto.randomUUID(),
  );
  assert.equal(rejected, 0);
  const [event] = accepted;
  assert.match(event.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.ok(!Number.isNaN(Date.parse(event.ts)) && event.ts.endsWith("Z"));
  // What we queue is what the server's schema accepts.
  assert.ok(validateEvent(event), JSON.stringify(validateEvent.errors));
});

test("malformed events from a page are dropped, not queued", () => {
  const bad = [
    null,
    "x",
    { type: "Experience.Viewed" },
    { type: "ok", experience_id: 0 },
    { type: "ok", experience_id: "4" },
    { type: "ok", data: [1] },
    { type: "ok", data: { ["k".repeat(65)]: 1 } },
    { type: "ok", data: { big: "x".repeat(5000) } },
    // 700 "é" are 1400 bytes of UTF-8 but 4200 characters once Python escapes them.
    { type: "ok", data: { big: "\u00e9".repeat(700) } },
  ];
  const { accepted, rejected } = stampEvents(bad, ids, at);
  assert.equal(accepted.length, 0);
  assert.equal(rejected, bad.length);
  const long = stampEvents([{ type: "ok", url: "u".repeat(5000) }], ids, at).accepted[0];
  assert.equal(long.url.length, 4000);
  assert.ok(validateEvent(long));
});

test("event data size is measured as the server measures it", () => {
  assert.equal(pythonJsonLength('{"a":"x"}'), 9);
  assert.equal(pythonJsonLength('{"a":"\u00e9"}'), 14);
  assert.equal(pythonJsonLength('{"a":"\u{1f600}"}'), 20);
});

test("the queue is capped: the oldest events go first", () => {
  const full = Array.from({ length: MAX_QUEUED }, (_, i) => ({ id: `old-${i}` }));
  const { queue, dropped } = enqueue(full, [{ id: "new" }]);
  assert.equal(queue.length, MAX_QUEUED);
  assert.equal(dropped, 1);
  assert.equal(queue[0].id, "old-1");
  assert.equal(queue.at(-1).id, "new");
});

test("sent events are removed by id, so events queued meanwhile stay", () => {
  const queue = [{ id: "a" }, { id: "b" }, { id: "c" }];
  assert.deepEqual(removeIds(queue, ["a", "c"]), [{ id: "b" }]);
  assert.equal(BATCH_SIZE, 20);
});

test("a 422 names the invalid events of a batch by index", () => {
  assert.deepEqual(invalidIndexes({ events: { 3: { ts: ["bad"] }, 0: { type: ["bad"] } } }, 5).sort(), [0, 3]);
  assert.equal(invalidIndexes({ events: { 9: {} } }, 5), null);
  assert.equal(invalidIndexes({ events: ["Length must be at most 500."] }, 5), null);
  assert.equal(invalidIndexes({}, 5), null);
  assert.equal(invalidIndexes(undefined, 5), null);
});

test("only transient failures are retried, with growing delays", () => {
  for (const status of [408, 429, 500, 502, 503]) assert.ok(isRetryableStatus(status), status);
  for (const status of [400, 401, 403, 404, 413, 422]) assert.ok(!isRetryableStatus(status), status);
  const mid = () => 0.5;
  assert.ok(backoffDelay(1, 0, mid) < backoffDelay(2, 0, mid));
  assert.ok(backoffDelay(30, 0, mid) <= 5 * 60 * 1000);
  assert.equal(backoffDelay(1, 60000, mid), 60000);
});
