import assert from "node:assert/strict";
import { test } from "node:test";

import { applyCounter, cleanProgress, mergeCounters, substituteVariables } from "./progress.js";

const counter = (value, ts, over = {}) => ({ source: "events", key: "ticket.closed", scope: "team", value, ts, ...over });

test("a pushed counter replaces an older value and never a newer one", () => {
  const counters = [counter(3, "2026-12-03T10:00:00Z"), counter(9, "2026-12-03T10:00:00Z", { scope: "user" })];
  const next = applyCounter(counters, counter(4, "2026-12-03T10:00:01Z"));
  assert.deepEqual(next.map((c) => c.value), [4, 9]);
  // Late delivery of an older value: nothing changes.
  assert.equal(applyCounter(next, counter(2, "2026-12-03T09:59:59Z")), null);
  // A counter no badge shows is not added.
  assert.equal(applyCounter(next, counter(1, "2026-12-03T11:00:00Z", { key: "other" })), null);
});

test("a fetch does not undo a push that arrived while it was on its way", () => {
  const pushed = [counter(5, "2026-12-03T10:00:02Z")];
  const fetched = [counter(4, "2026-12-03T10:00:01Z"), counter(1, "2026-12-03T10:00:01Z", { key: "new.key" })];
  assert.deepEqual(mergeCounters(pushed, fetched).map((c) => c.value), [5, 1]);
});

test("the progress answer is cleaned: bad parts dropped, the rest kept", () => {
  const clean = cleanProgress({
    checklists: [{ id: 3, version: 2, total: 3, done: [0, 2], ticked: [2], complete: false }, { id: "x" }],
    counters: [counter(1, "2026-12-03T10:00:00Z"), { source: "events", key: "a", scope: "user", value: "1" }],
    watch: [
      { event: "page.view", url: "https://a.test/*" },
      { event: "click", selector: "#save", url: "https://a.test/*" },
      { event: "click", url: "https://a.test/*" },
      { event: "script", url: "https://a.test/*" },
    ],
    variables: { "team.members": "9", "team.x": 5 },
    summary: { available: true, reminders: 2 },
    tz: "Europe/Berlin",
    tz_set: true,
  });
  assert.equal(clean.checklists.length, 1);
  assert.equal(clean.counters.length, 1);
  assert.deepEqual(clean.watch.map((w) => w.event), ["page.view", "click"]);
  assert.deepEqual(clean.variables, { "team.members": "9" });
  assert.deepEqual(clean.summary, { available: true, reminders: 2 });
  assert.equal(cleanProgress("nope"), null);
});

test("template variables are replaced as text, other braces and targets are left alone", () => {
  const exp = {
    id: 1,
    version: 2,
    kind: "tooltip",
    content: {
      target: { selector: "[title='{{team.members}}']" },
      title: "{{team.percent_completed:12}} of your team finished",
      body: "<b>{{ team.members }}</b> people · {{signal.value}} · {{me.points}} · {{team.nope}}",
    },
  };
  const [out] = substituteVariables([exp], { "team.percent_completed:12": "78%", "team.members": "<img src=x>" });
  assert.equal(out.content.title, "78% of your team finished");
  // The value is text: the renderer writes it with textContent; nothing is parsed here.
  assert.equal(out.content.body, "<b><img src=x></b> people · {{signal.value}} · — · —");
  assert.equal(out.content.target.selector, "[title='{{team.members}}']");
  assert.ok(out.rev);
  // A changed value changes rev, so the runtime updates the card in place.
  const [again] = substituteVariables([exp], { "team.percent_completed:12": "80%" });
  assert.notEqual(again.rev, out.rev);
  // Experiences without variables pass through untouched (same object).
  const plain = { id: 2, version: 1, kind: "tooltip", content: { title: "Hi", body: "" } };
  assert.equal(substituteVariables([plain], {})[0], plain);
});
