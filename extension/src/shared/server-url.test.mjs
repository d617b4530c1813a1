import assert from "node:assert/strict";
import { test } from "node:test";

import { normalizeServerUrl } from "./server-url.js";

test("http and https URLs are accepted and lose their trailing slash", () => {
  assert.deepEqual(normalizeServerUrl(" http://127.0.0.1:5050/ "), { url: "http://127.0.0.1:5050" });
  assert.deepEqual(normalizeServerUrl("https://Nudge.Example.com/base/"), { url: "https://nudge.example.com/base" });
});

test("anything else is refused with a message a user can act on", () => {
  for (const bad of ["", "   ", "nudge.example.com", "ftp://a.test", "javascript:alert(1)", "https://u:p@a.test",
    "https://a.test/?x=1", "https://a.test/#x", 42, null]) {
    const result = normalizeServerUrl(bad);
    assert.ok(result.error, `refused: ${bad}`);
    assert.equal(result.url, undefined);
  }
  assert.match(normalizeServerUrl("ftp://a.test").error, /http:\/\/ or https:\/\//);
});
