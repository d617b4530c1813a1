import assert from "node:assert/strict";
import { test } from "node:test";
import { nextIndex, resumePoint, validAnswer } from "./flow.js";

const questions = [
  { id: "score", type: "nps", next: { "0": "why", "10": "end" } },
  { id: "area", type: "multi", options: ["Speed", "Search", "Reports"], next: { Search: "why", Reports: "end" } },
  { id: "mood", type: "single", options: ["Good", "Bad"] },
  { id: "why", type: "text" },
];

test("unlisted answers go to the following question", () => {
  assert.equal(nextIndex(questions, 0, 7), 1);
  assert.equal(nextIndex(questions, 2, "Good"), 3);
});

test("a branch jumps forward or ends the survey", () => {
  assert.equal(nextIndex(questions, 0, 0), 3);
  assert.equal(nextIndex(questions, 0, 10), -1);
  assert.equal(nextIndex(questions, 3, "anything"), -1);
});

test("multi: the first chosen option in option order with a branch decides", () => {
  assert.equal(nextIndex(questions, 1, ["Reports", "Search"]), 3);
  assert.equal(nextIndex(questions, 1, ["Reports"]), -1);
  assert.equal(nextIndex(questions, 1, ["Speed"]), 2);
});

test("a branch backwards is ignored rather than looping", () => {
  const loop = [{ id: "a", type: "single", options: ["x", "y"] }, { id: "b", type: "single", options: ["x", "y"], next: { x: "a" } }];
  assert.equal(nextIndex(loop, 1, "x"), -1);
});

test("answers are checked as the backend checks them", () => {
  assert.ok(validAnswer({ type: "nps" }, 0));
  assert.ok(!validAnswer({ type: "nps" }, 11));
  assert.ok(!validAnswer({ type: "csat" }, 0));
  assert.ok(validAnswer({ type: "rating", scale: 10 }, 10));
  assert.ok(!validAnswer({ type: "rating" }, 6));
  assert.ok(!validAnswer({ type: "multi", options: ["a", "b"] }, []));
  assert.ok(!validAnswer({ type: "text" }, "   "));
});

test("an unfinished response goes on at the first open question of its path", () => {
  assert.deepEqual(resumePoint(questions, null), { answers: {}, path: [], index: 0 });
  assert.deepEqual(resumePoint(questions, { score: 0 }), { answers: { score: 0 }, path: [0], index: 3 });
  assert.deepEqual(resumePoint(questions, { score: 5, area: ["Speed"] }), {
    answers: { score: 5, area: ["Speed"] },
    path: [0, 1],
    index: 2,
  });
  // An answer the question no longer accepts is asked again.
  assert.deepEqual(resumePoint(questions, { score: 5, area: ["Gone"] }), { answers: { score: 5 }, path: [0], index: 1 });
});
