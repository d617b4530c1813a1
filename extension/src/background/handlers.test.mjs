import assert from "node:assert/strict";
import { test } from "node:test";

import { handlers, senderKind } from "./handlers.js";

const ID = "jlogandglhkomcnabpoojofhddobippp";
const ORIGIN = `chrome-extension://${ID}`;

test("the options page is recognised as our own page", () => {
  const options = { id: ID, url: `${ORIGIN}/options.html`, origin: ORIGIN, tab: { id: 3 }, frameId: 0 };
  assert.equal(senderKind(options, ID, ORIGIN), "page");
});

test("a content script in a tab's top frame is a content sender", () => {
  const content = { id: ID, url: "https://tickets.example.com/queue", origin: "https://tickets.example.com", tab: { id: 7 }, frameId: 0 };
  assert.equal(senderKind(content, ID, ORIGIN), "content");
});

test("other extensions, frames and tab-less senders are refused", () => {
  assert.equal(senderKind({ id: "other", url: `${ORIGIN}/options.html` }, ID, ORIGIN), null);
  assert.equal(senderKind({ id: ID, url: "https://a.test/", tab: { id: 1 }, frameId: 4 }, ID, ORIGIN), null);
  assert.equal(senderKind({ id: ID, url: "https://a.test/" }, ID, ORIGIN), null);
  // A web page that claims our origin in its path is not our page.
  assert.equal(senderKind({ id: ID, url: `https://evil.test/${ORIGIN}/x`, tab: { id: 1 }, frameId: 0 }, ID, ORIGIN), "content");
  assert.equal(senderKind(undefined, ID, ORIGIN), null);
});

test("every message type declares who may send it", () => {
  for (const [type, handler] of Object.entries(handlers)) {
    assert.ok(["content", "page"].includes(handler.from), type);
    // author:* come from the author bundle, a script injected into a tab like a content script.
    const fromTab = type.startsWith("content:") || type.startsWith("author:");
    assert.equal(fromTab ? "content" : "page", handler.from, type);
  }
});
