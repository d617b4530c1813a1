// Badges and checklists in headless Chromium, against a stand-in worker.

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { CHROMIUM, runInBrowser } from "../testing/run-in-browser.mjs";

const entry = fileURLToPath(new URL("../testing/progress-in-browser.js", import.meta.url));

test("progress DOM cases", { skip: !existsSync(CHROMIUM) && `no browser at ${CHROMIUM}`, timeout: 90000 }, async (t) => {
  const results = await runInBrowser(entry, "<main><h1>Page</h1></main>", { virtualTimeMs: 20000 });
  assert.ok(results.length >= 4, "all cases reported");
  for (const r of results) await t.test(r.name, () => assert.ok(r.ok, r.error));
});
