import assert from "node:assert/strict";
import { test } from "node:test";

import { applyChange, applySync, classifyChange, experiencesForPage, sameExperiences } from "./cache.js";

const staff = { role: "staff", team: "support", locale: null, email: "s@demo.local" };
const exp = (id, version = 1, segment = null, url = "http://127.0.0.1:5001/*") => ({
  id,
  kind: "tooltip",
  name: `e${id}`,
  version,
  targeting: { url, segment },
  content: { target: { selector: "#x" }, title: "t", body: "", placement: "auto" },
});
const upsert = (e) => ({ op: "upsert", id: e.id, experience: e });

test("a full sync replaces the cache with exactly its experiences", () => {
  const cache = { cursor: 4, experiences: [exp(1), exp(2)] };
  const next = applySync(cache, { cursor: 9, full: true, changes: [upsert(exp(3))] }, staff);
  assert.deepEqual(next, { cursor: 9, experiences: [exp(3)] });
});

test("a catch-up sync applies upserts and removes on top of the cache", () => {
  const cache = { cursor: 4, experiences: [exp(1), exp(2)] };
  const next = applySync(cache, { cursor: 6, full: false, changes: [upsert(exp(2, 2)), { op: "remove", id: 1 }] }, staff);
  assert.deepEqual(next, { cursor: 6, experiences: [exp(2, 2)] });
});

test("an upsert for another segment removes the experience instead of showing it", () => {
  const admins = { attr: "role", op: "eq", value: "admin" };
  const cache = { cursor: 1, experiences: [exp(1)] };
  const next = applyChange(cache, { cursor: 2, ...upsert(exp(1, 2, admins)) }, staff);
  assert.deepEqual(next, { cursor: 2, experiences: [] });
  const kept = applyChange(cache, { cursor: 2, ...upsert(exp(5, 1, { attr: "team", op: "eq", value: "support" })) }, staff);
  assert.deepEqual(kept.experiences.map((e) => e.id), [1, 5]);
});

test("pushed changes are applied in order; old ones dropped; gaps ask for a resume", () => {
  assert.equal(classifyChange(null, 5), "wait");
  assert.equal(classifyChange(4, 5), "apply");
  assert.equal(classifyChange(5, 5), "stale");
  assert.equal(classifyChange(6, 5), "stale");
  assert.equal(classifyChange(4, 7), "gap");
  assert.equal(classifyChange(0, 1), "apply");
  // With prev_cursor, other workspaces' changes in between are not a gap.
  assert.equal(classifyChange(4, 9, 4), "apply");
  assert.equal(classifyChange(4, 9, 2), "apply");
  assert.equal(classifyChange(4, 9, 6), "gap");
  assert.equal(classifyChange(9, 9, 4), "stale");
});

test("a page gets the experiences whose URL glob and segment match", () => {
  const list = [
    exp(1),
    exp(2, 1, null, "http://127.0.0.1:5001/tickets*"),
    exp(3, 1, { attr: "role", op: "eq", value: "admin" }),
  ];
  assert.deepEqual(experiencesForPage(list, "http://127.0.0.1:5001/tickets/4?x=1#top", staff).map((e) => e.id), [1, 2]);
  assert.deepEqual(experiencesForPage(list, "http://127.0.0.1:5001/settings", staff).map((e) => e.id), [1]);
  assert.deepEqual(experiencesForPage(list, "http://127.0.0.1:5001/", { ...staff, role: "admin" }).map((e) => e.id), [1, 3]);
});

test("tabs are told about a change only when ids or versions differ", () => {
  assert.ok(sameExperiences([exp(1), exp(2)], [exp(1), exp(2)]));
  assert.ok(!sameExperiences([exp(1)], [exp(1, 2)]));
  assert.ok(!sameExperiences([exp(1)], [exp(1), exp(2)]));
});
