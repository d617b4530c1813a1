import assert from "node:assert/strict";
import { test } from "node:test";

import { ESSENTIAL_EVENTS, allowedEvents, cleanConsent, eventsNeededBy } from "./consent.js";

const ev = (type) => ({ type, url: "https://tickets.example.com/", experience_id: 3 });
const TYPES = ["experience.viewed", "experience.dismissed", "hotspot.opened", "tour.completed", "ticket.closed"];

test("undecided or refused: only the essential events are kept", () => {
  for (const consent of [null, { analytics: false }, { analytics: "yes" }]) {
    const kept = allowedEvents(TYPES.map(ev), consent, []).map((e) => e.type);
    assert.deepEqual(kept, ["experience.dismissed", "tour.completed"], JSON.stringify(consent));
  }
});

test("analytics allowed: every event is kept", () => {
  assert.equal(allowedEvents(TYPES.map(ev), { analytics: true }, []).length, TYPES.length);
});

test("events an experience's rules name are kept without analytics", () => {
  const checklist = {
    kind: "checklist",
    content: { title: "Start", items: [{ title: "Close three", done_when: { event: "ticket.closed", count: 3 } }] },
    targeting: { url: "*", segment: { event: "report.opened", count: { gte: 1 }, within_days: 7 } },
  };
  assert.deepEqual([...eventsNeededBy([checklist])].sort(), ["report.opened", "ticket.closed"]);
  const kept = allowedEvents([...TYPES, "report.opened"].map(ev), null, [checklist]).map((e) => e.type);
  assert.deepEqual(kept, ["experience.dismissed", "tour.completed", "ticket.closed", "report.opened"]);
});

test("malformed rules and events name nothing and keep nothing", () => {
  const odd = [null, 7, { content: { event: "Not A Type" } }, { content: { deep: [[[{ event: 5 }]]] } }];
  assert.equal(eventsNeededBy(odd).size, 0);
  assert.deepEqual(allowedEvents([null, 3, { type: 7 }, {}], null, []), []);
  // Not a list: passed on untouched for the queue's own checks to refuse.
  assert.equal(allowedEvents("nope", null, []), "nope");
});

test("the essential list is what experiences need to work, not analytics", () => {
  assert.ok(ESSENTIAL_EVENTS.includes("experience.dismissed"));
  for (const analytics of ["experience.viewed", "hotspot.opened"]) assert.ok(!ESSENTIAL_EVENTS.includes(analytics));
});

test("a consent answer is taken only when every purpose is a boolean", () => {
  const ok = { analytics: true, identified_surveys: false, leaderboards: false, decided_at: "2026-12-01T10:00:00Z" };
  assert.deepEqual(cleanConsent({ ...ok, extra: 1 }), ok);
  assert.equal(cleanConsent({ ...ok, leaderboards: "false" }), null);
  assert.equal(cleanConsent(null), null);
  assert.equal(cleanConsent({ ...ok, decided_at: 5 }).decided_at, null);
});
