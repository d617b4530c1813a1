import assert from "node:assert/strict";
import { test } from "node:test";

import { formatRemaining, nextChange } from "./banner.js";
import { toggleLabel } from "./disclosure.js";

const s = 1000;
const min = 60 * s;
const h = 60 * min;
const day = 24 * h;

test("the countdown says what is left, rounded down", () => {
  assert.equal(formatRemaining(2 * day + 3 * h + 59 * min), "2 days 3 h");
  assert.equal(formatRemaining(2 * day + 30 * min), "2 days");
  assert.equal(formatRemaining(day + h), "1 day 1 h");
  assert.equal(formatRemaining(5 * h + 12 * min + 59 * s), "5 h 12 min");
  assert.equal(formatRemaining(4 * min + 9 * s + 999), "4 min 09 s");
  assert.equal(formatRemaining(59 * s), "59 s");
  assert.equal(formatRemaining(0), null);
  assert.equal(formatRemaining(-5), null);
});

test("the next tick comes when the text changes", () => {
  assert.equal(nextChange(2 * h + 30 * s), 30 * s + 1);
  assert.equal(nextChange(10 * min + 250), 251);
  const left = 2 * day + 3 * h + 30 * s;
  assert.notEqual(formatRemaining(left - nextChange(left) + 2), formatRemaining(left - nextChange(left)));
});

test("the disclosure toggle says what it will do", () => {
  assert.equal(toggleLabel("Show advanced", false), "Show advanced");
  assert.equal(toggleLabel("Show advanced", true), "Hide advanced");
  assert.equal(toggleLabel("Erweitert", true), "Erweitert");
});
