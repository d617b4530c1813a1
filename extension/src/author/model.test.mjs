import assert from "node:assert/strict";
import { test } from "node:test";

import {
  contentOf,
  draftFromSnapshot,
  defaultStepUrl,
  defaultTargetingUrl,
  draftFromExperience,
  duplicateStep,
  flattenDetails,
  messagesUnder,
  moveStep,
  newDraft,
  newStep,
  previewExperience,
  removeStep,
  saveBody,
  shortLabel,
  snapshotOf,
} from "./model.js";
import { urlMatches } from "../shared/targeting.js";

const target = (selector) => ({ selector, candidates: [{ by: "css", value: selector, score: 0.5 }] });

test("a new experience shows on this folder of the site, a step on this path with any query", () => {
  assert.equal(defaultTargetingUrl("https://t.example.com/queue/42?x=1#top"), "https://t.example.com/queue/*");
  assert.equal(defaultTargetingUrl("http://127.0.0.1:5001/"), "http://127.0.0.1:5001/*");
  assert.equal(defaultTargetingUrl("http://127.0.0.1:5001/tickets"), "http://127.0.0.1:5001/*");
  const step = defaultStepUrl("http://127.0.0.1:5001/tickets?status=open#x");
  assert.equal(step, "http://127.0.0.1:5001/tickets");
  // The glob has no "?", so every query of that path matches, and no other path.
  assert.ok(urlMatches(step, "http://127.0.0.1:5001/tickets?status=solved"));
  assert.ok(!urlMatches(step, "http://127.0.0.1:5001/tickets/HD-1"));
});

test("a tour's draft becomes the API's content, with only what the author set", () => {
  const draft = newDraft("tour", "https://a.test/app/home");
  draft.name = "  Onboarding ";
  draft.audience = "staff";
  draft.steps = [newStep(target("#a"), "https://a.test/app/home"), newStep(null, "")];
  draft.steps[0].title = "First";
  draft.steps[0].body = "**Hi**";
  draft.steps[0].advance = "click";
  draft.steps[1].title = "Second";
  assert.deepEqual(saveBody(draft), {
    name: "Onboarding",
    targeting: { url: "https://a.test/app/*", segment: { attr: "role", op: "eq", value: "staff" } },
    content: {
      steps: [
        { target: target("#a"), title: "First", body: "**Hi**", placement: "auto", advance: "click", url: "https://a.test/app/home" },
        // No element picked: no target, so the server names the missing field.
        { title: "Second", body: "", placement: "auto", advance: "next" },
      ],
    },
  });
});

test("a tooltip's draft is one target without tour fields", () => {
  const draft = newDraft("tooltip", "https://a.test/x");
  draft.steps[0].target = target("#save");
  draft.steps[0].title = "Save";
  draft.steps[0].placement = "left";
  assert.deepEqual(contentOf(draft), { target: target("#save"), title: "Save", body: "", placement: "left" });
  assert.equal(saveBody(draft).targeting.segment, null);
});

test("an experience from the API round-trips through the editor", () => {
  const exp = {
    id: 7,
    kind: "tour",
    name: "T",
    status: "published",
    version: 3,
    published_version: 2,
    has_unpublished_changes: true,
    targeting: { url: "https://a.test/*", segment: { attr: "role", op: "eq", value: "admin" } },
    content: { steps: [{ target: target("#a"), title: "A", body: "", placement: "top", advance: "next", url: "https://a.test/" }] },
  };
  const draft = draftFromExperience(exp);
  assert.equal(draft.audience, "admin");
  assert.equal(draft.hasUnpublishedChanges, true);
  assert.deepEqual(saveBody(draft), { name: "T", targeting: exp.targeting, content: exp.content });
});

test("a segment the audience picker cannot express is kept as it is", () => {
  const segment = { all: [{ attr: "team", op: "eq", value: "support" }] };
  const draft = draftFromExperience({ id: 1, kind: "tooltip", name: "x", targeting: { url: "*", segment }, content: { target: target("#a"), title: "t" } });
  assert.equal(draft.audience, "custom");
  assert.deepEqual(saveBody(draft).targeting.segment, segment);
});

test("steps move, duplicate and delete without touching the others", () => {
  const steps = ["a", "b", "c"].map((t) => ({ ...newStep(target(`#${t}`)), title: t }));
  assert.deepEqual(moveStep(steps, 2, -1).map((s) => s.title), ["a", "c", "b"]);
  assert.deepEqual(moveStep(steps, 0, -1).map((s) => s.title), ["a", "b", "c"]);
  assert.deepEqual(moveStep(steps, 2, 1).map((s) => s.title), ["a", "b", "c"]);
  const copied = duplicateStep(steps, 0);
  assert.deepEqual(copied.map((s) => s.title), ["a", "a", "b", "c"]);
  assert.notEqual(copied[0].key, copied[1].key);
  copied[1].target.selector = "#changed";
  assert.equal(steps[0].target.selector, "#a", "a duplicate is a deep copy");
  assert.deepEqual(removeStep(steps, 1).map((s) => s.title), ["a", "c"]);
  assert.equal(steps.length, 3, "the original list is unchanged");
});

test("the server's 422 details become messages per field path", () => {
  const details = {
    name: ["Shorter than minimum length 1."],
    targeting: { url: ["Missing data for required field."] },
    content: { steps: { 1: { title: ["Shorter than minimum length 1."], target: { selector: ["Not a valid string."] } } } },
    _schema: ["Something about the whole body."],
  };
  const errors = flattenDetails(details);
  assert.deepEqual(errors.get("name"), ["Shorter than minimum length 1."]);
  assert.deepEqual(errors.get("targeting.url"), ["Missing data for required field."]);
  assert.deepEqual(errors.get("content.steps.1.title"), ["Shorter than minimum length 1."]);
  assert.deepEqual(messagesUnder(errors, "content.steps.1.target"), ["Not a valid string."]);
  assert.deepEqual(messagesUnder(errors, "content.steps.1"), ["Shorter than minimum length 1.", "Not a valid string."]);
  assert.deepEqual(errors.get("_"), ["Something about the whole body."]);
  assert.deepEqual(messagesUnder(errors, "content.steps.10"), [], "step 10 is not step 1");
});

test("a preview uses id 0 so nothing it might report lands on a real experience", () => {
  const draft = newDraft("tooltip", "https://a.test/");
  draft.steps[0].target = target("#a");
  draft.steps[0].title = "T";
  const exp = previewExperience(draft);
  assert.equal(exp.id, 0);
  assert.equal(exp.kind, "tooltip");
  assert.equal(exp.content.title, "T");
});

test("the picker's label is short and readable", () => {
  assert.equal(shortLabel({ tag: "button", name: "Assign   selected" }), "button “Assign selected”");
  assert.equal(shortLabel({ tag: "div", name: "" }), "div");
  assert.ok(shortLabel({ tag: "p", name: "x".repeat(100) }).length < 50);
});

test("unsaved work survives a page load as JSON, without the picked elements", () => {
  const draft = newDraft("tour", "https://a.test/app/");
  draft.name = "Kept";
  draft.audience = "analyst";
  draft.steps = [{ ...newStep(target("#a"), "https://a.test/app/"), title: "One", el: { not: "json" } }];
  const snap = JSON.parse(JSON.stringify(snapshotOf(draft)));
  assert.equal("el" in snap.steps[0], false);
  const back = draftFromSnapshot(snap);
  assert.deepEqual(saveBody(back), saveBody(draft));
  assert.equal(back.steps[0].url, "https://a.test/app/");
});

test("a snapshot that is not one restores nothing, and odd fields fall back", () => {
  assert.equal(draftFromSnapshot(null), null);
  assert.equal(draftFromSnapshot({ kind: "survey", steps: [] }), null);
  assert.equal(draftFromSnapshot({ kind: "tour" }), null);
  const odd = draftFromSnapshot({ kind: "tooltip", id: "7", name: 5, audience: "root", steps: [{ target: "x", placement: "middle" }] });
  assert.equal(odd.id, null);
  assert.equal(odd.name, "");
  assert.equal(odd.audience, "");
  assert.equal(odd.steps[0].target, null);
  assert.equal(odd.steps[0].placement, "auto");
});
