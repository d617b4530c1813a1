// The element picker and the target check in a real browser: testing/picker-in-browser.js is bundled and run
// in headless Chromium on a small page, which writes its results into the page;
// --dump-dom hands them back.

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { CHROMIUM, runInBrowser } from "../content/testing/run-in-browser.mjs";

const entry = fileURLToPath(new URL("./testing/picker-in-browser.js", import.meta.url));

const FIXTURE = `<main><section id="toolbar">
  <button id="save">Save changes</button>
  <label><input id="box" type="checkbox"> Notify me</label>
  <div id="outer"><p id="middle"><span id="inner">deep</span></p></div>
  <button id="other" type="button">Other</button>
</section></main>`;

test("the picker in headless Chromium", { skip: !existsSync(CHROMIUM) && `no browser at ${CHROMIUM}`, timeout: 60000 }, async (t) => {
  const results = await runInBrowser(entry, FIXTURE);
  assert.ok(results.length >= 6);
  for (const r of results) {
    await t.test(r.name, () => assert.ok(r.ok, r.error));
  }
});
