import assert from "node:assert/strict";
import { test } from "node:test";

import { AuthorSessions, KeptDrafts, authorHandlers } from "./author.js";
import { MSG } from "../shared/messages.js";

/** chrome.storage.session's get/set, in memory (node has no extension storage). */
class MemoryArea {
  constructor() {
    this.data = {};
  }
  async get(key) {
    return key in this.data ? { [key]: structuredClone(this.data[key]) } : {};
  }
  async set(items) {
    Object.assign(this.data, structuredClone(items));
  }
}

const sender = (tabId, documentId = "doc-1") => ({ id: "x", tab: { id: tabId }, frameId: 0, documentId, url: "https://a.test/" });

test("only the tab and document where author mode was turned on are accepted", async () => {
  const sessions = new AuthorSessions(new MemoryArea());
  assert.equal(await sessions.accepts(sender(1)), false);
  // Between the injection and its result the document is not known yet: the tab decides.
  await sessions.set(1, null);
  assert.equal(await sessions.accepts(sender(1, "anything")), true);
  await sessions.set(1, "doc-1");
  assert.equal(await sessions.accepts(sender(1, "doc-1")), true);
  assert.equal(await sessions.accepts(sender(1, "doc-2")), false, "the page navigated: another document");
  assert.equal(await sessions.accepts(sender(2, "doc-1")), false, "another tab");
  await sessions.remove(1);
  assert.equal(await sessions.accepts(sender(1, "doc-1")), false);
});

test("concurrent toggles in two tabs lose neither", async () => {
  const sessions = new AuthorSessions(new MemoryArea());
  await Promise.all([sessions.set(1, "a"), sessions.set(2, "b"), sessions.set(3, "c"), sessions.remove(3)]);
  assert.equal(await sessions.accepts(sender(1, "a")), true);
  assert.equal(await sessions.accepts(sender(2, "b")), true);
  assert.equal(await sessions.accepts(sender(3, "c")), false);
});

function fakeBg(role) {
  const auth = role ? { token: "t", serverUrl: "http://127.0.0.1:9", user: { id: 1, email: "a@b.c", role } } : null;
  return { store: { get: (key) => (key === "auth" ? auth : undefined) } };
}

test("author calls are refused to anyone but a signed-in admin", async () => {
  for (const role of [null, "staff", "analyst"]) {
    const answer = await authorHandlers[MSG.AUTHOR_LIST].run(fakeBg(role), { url: "https://a.test/" }, sender(1));
    assert.deepEqual([answer.ok, answer.status], [false, 403], String(role));
  }
});

test("every author message comes from a tab, like a content script", () => {
  for (const [type, handler] of Object.entries(authorHandlers)) {
    assert.ok(type.startsWith("author:") || type === MSG.CONTENT_AUTHOR_PREVIEW_ENDED, type);
    assert.equal(handler.from, "content", type);
  }
});

test("unsaved work is kept per tab, for the user who made it", async () => {
  const drafts = new KeptDrafts(new MemoryArea());
  const draft = { kind: "tour", name: "Half done", steps: [] };
  await drafts.keep(1, "https://n.test|7", draft);
  assert.deepEqual(await drafts.for(1, "https://n.test|7"), draft);
  assert.equal(await drafts.for(1, "https://n.test|8"), null, "another user does not get it");
  assert.equal(await drafts.for(2, "https://n.test|7"), null, "another tab does not get it");
  await drafts.keep(1, "https://n.test|7", null);
  assert.equal(await drafts.for(1, "https://n.test|7"), null, "null forgets it");
});

test("a failed storage write does not block the next one", async () => {
  const area = new MemoryArea();
  const drafts = new KeptDrafts(area);
  const realSet = area.set.bind(area);
  area.set = async () => {
    throw new Error("quota");
  };
  await drafts.keep(1, "u", { kind: "tooltip", steps: [] }).catch(() => {});
  area.set = realSet;
  await drafts.keep(2, "u", { kind: "tooltip", steps: [] });
  assert.deepEqual(await drafts.for(2, "u"), { kind: "tooltip", steps: [] });
});
