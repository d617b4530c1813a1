import assert from "node:assert/strict";
import { test } from "node:test";

import { badgeText } from "../renderers/badge.js";
import { currentStep, milestoneMessage, milestones } from "../renderers/checklist.js";
import { chartGeometry } from "./chart.js";

test("a badge shows its label, or its number in the label, and nothing without a number", () => {
  assert.equal(badgeText({ label: "New" }, undefined), "New");
  const counter = { source: "signal", key: "queue.pending" };
  assert.equal(badgeText({ label: "{{count}} pending", counter }, 3), "3 pending");
  assert.equal(badgeText({ label: "pending", counter }, 12), "12 pending");
  assert.equal(badgeText({ label: "pending", counter }, null), null);
  assert.equal(badgeText({ label: "pending", counter }, undefined), null);
  assert.equal(badgeText({ label: "pending", counter }, 0), "0 pending");
  assert.equal(badgeText({ label: "pending", counter, hide_when_zero: true }, 0), null);
});

test("milestone messages: authored ones, else a start, half way and the end", () => {
  const items = (n) => Array.from({ length: n }, (_, i) => ({ title: `T${i}` }));
  assert.deepEqual(milestones({ items: items(3) }), { 1: "Good start!", 3: "All done. Well done!" });
  assert.deepEqual(Object.keys(milestones({ items: items(6) })), ["1", "3", "6"]);
  const authored = milestones({ items: items(3), milestones: [{ after: 2, message: "Two!" }] });
  assert.deepEqual(authored, { 2: "Two!" });
  // Ticking two at once (another device) shows the highest milestone passed, once.
  assert.equal(milestoneMessage({ 1: "a", 2: "b", 3: "c" }, 0, 2), "b");
  assert.equal(milestoneMessage({ 1: "a", 3: "c" }, 1, 2), "");
});

test("the wizard's current step is the last located step matching the page", () => {
  const steps = [
    { title: "Customer", url: "https://t.test/new/*" },
    { title: "Problem", url: "https://t.test/new/*", selector: "#problem" },
    { title: "Review", url: "https://t.test/new/review" },
  ];
  const present = (ids) => (sel) => ids.includes(sel);
  assert.equal(currentStep(steps, "https://t.test/new/customer", present([])), 0);
  assert.equal(currentStep(steps, "https://t.test/new/customer", present(["#problem"])), 1);
  assert.equal(currentStep(steps, "https://t.test/new/review", present([])), 2);
  assert.equal(currentStep(steps, "https://t.test/queue", present(["#problem"])), -1);
});

test("the goal chart scales days to the deadline and values to the target", () => {
  const geo = chartGeometry(
    [
      { day: "2026-03-01", value: 0 },
      { day: "2026-03-02", value: 2 },
      { day: "2026-03-03", value: 5 },
    ],
    10,
    "2026-03-11",
  );
  assert.equal(geo.top, 10);
  const xs = geo.line.map((p) => p[0]);
  assert.ok(xs[0] < xs[1] && xs[1] < xs[2]);
  // Three days of ten: the line ends a fifth of the way across, above the bottom.
  assert.ok(geo.line[2][1] < geo.line[0][1]);
  assert.equal(geo.pace[1][1], geo.targetY);
  // More than the target: the scale grows, the target line is below the top.
  assert.equal(chartGeometry([{ day: "2026-03-01", value: 14 }], 10, "2026-03-02").top, 14);
});
