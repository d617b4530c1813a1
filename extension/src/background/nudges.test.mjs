import assert from "node:assert/strict";
import { test } from "node:test";

import { conditionHolds, mergeSignal, present, scopeMatches, signalsFor, validNudges } from "./nudges.js";

const banner = (id, content, targeting = {}) => ({ id, kind: "banner", name: "b", version: 1, targeting: { url: "*", ...targeting }, content });
const who = (over = {}) => ({ attrs: { role: "staff", team: "ops", locale: "de-AT" }, userId: 7, counts: {}, signals: new Map(), ...over });

test("a warning shows only while its signal holds, with the value in its text", () => {
  const warn = banner(1, { text: "Backup overdue by {{signal.value}} days", severity: "critical", signal: { key: "backup", op: "gt", value: 0 } });
  assert.deepEqual(present([warn], who()).experiences, []);
  const sig = (value) => new Map([["backup", { key: "backup", value, scope: {} }]]);
  assert.deepEqual(present([warn], who({ signals: sig(0) })).experiences, []);
  const [shown] = present([warn], who({ signals: sig(3) })).experiences;
  assert.equal(shown.content.text, "Backup overdue by 3 days");
  assert.notEqual(shown.rev, present([warn], who({ signals: sig(4) })).experiences[0].rev, "a new value re-renders");
  assert.equal(warn.content.text, "Backup overdue by {{signal.value}} days", "the cache is not changed");
});

test("event-count segments are decided with the counts; unknown pairs count 0", () => {
  const exp = banner(2, { text: "x", severity: "info" }, { segment: { event: "ticket.closed", count: { gte: 3 }, within_days: 7 } });
  assert.equal(present([exp], who()).experiences.length, 0);
  assert.equal(present([exp], who({ counts: { "ticket.closed": { 7: 3 } } })).experiences.length, 1);
  assert.equal(present([exp], who({ counts: null })).experiences.length, 0, "not fetched yet: it waits");
  const plain = banner(4, { text: "x", severity: "info" });
  assert.equal(present([plain], who({ counts: null })).experiences.length, 1, "the rest does not wait");
});

test("the first matching variant replaces the content; locale variants match by language", () => {
  const exp = banner(3, { text: "base", severity: "info" }, {
    variants: [
      { segment: { attr: "role", op: "eq", value: "admin" }, content: { text: "admins", severity: "info" } },
      { locale: "de", content: { text: "Deutsch", severity: "info" } },
    ],
  });
  assert.equal(present([exp], who()).experiences[0].content.text, "Deutsch");
  assert.equal(present([exp], who({ attrs: { role: "admin", locale: "de" } })).experiences[0].content.text, "admins");
  assert.equal(present([exp], who({ attrs: { role: "staff", locale: "en" } })).experiences[0].content.text, "base");
});

test("experiments hold the control arm out and record an exposure in both arms", () => {
  const exp = banner(12, { text: "x", severity: "info" }, { experiment: { control_percent: 50, conversion_event: "a.b" } });
  // fnv1a32("12:34") % 100 = 3 → control; find a treatment user too.
  const control = present([exp], who({ userId: 34 }));
  assert.deepEqual(control.experiences, []);
  assert.deepEqual(control.exposures, [{ experience_id: 12, version: 1, kind: "banner", arm: "control" }]);
  const treatment = [...Array(50).keys()].map((u) => present([exp], who({ userId: u + 1 }))).find((r) => r.experiences.length);
  assert.equal(treatment.exposures[0].arm, "treatment");
});

test("the most specific signal wins; a cleared one is removed", () => {
  let signals = [];
  signals = mergeSignal(signals, { key: "k", value: 1, scope: {}, updated_at: "2026-01-01T00:00:00Z" });
  signals = mergeSignal(signals, { key: "k", value: 5, scope: { team: "ops" }, updated_at: "2025-01-01T00:00:00Z" });
  assert.equal(signalsFor(signals, { team: "ops" }).get("k").value, 5);
  assert.equal(signalsFor(signals, { team: "dev" }).get("k").value, 1);
  signals = mergeSignal(signals, { key: "k", value: null, scope: { team: "ops" }, updated_at: "2026-01-02T00:00:00Z" });
  assert.equal(signalsFor(signals, { team: "ops" }).get("k").value, 1);
  assert.equal(scopeMatches({ team: "ops" }, { team: "ops", role: "x" }), true);
  assert.equal(scopeMatches({ tenure: 1 }, { tenure: true }), false, "no coercion");
});

test("signal conditions evaluate like segment conditions", () => {
  assert.equal(conditionHolds({ op: "exists" }, 0), true);
  assert.equal(conditionHolds({ op: "exists" }, null), false);
  assert.equal(conditionHolds({ op: "gte", value: 3 }, 3), true);
  assert.equal(conditionHolds({ op: "gt", value: 3 }, "4"), false);
  assert.equal(conditionHolds({ op: "eq", value: "degraded" }, "degraded"), true);
});

test("a malformed nudges answer is refused", () => {
  const good = { counts: { a: { 7: 1 } }, signals: [], overlay_url: null, whatsnew: { unread: 0 }, digest: { items: [] } };
  assert.equal(validNudges(good), true);
  assert.equal(validNudges({ ...good, counts: { a: { 7: "1" } } }), false);
  assert.equal(validNudges({ ...good, digest: { items: [{ kind: "x" }] } }), false);
});
