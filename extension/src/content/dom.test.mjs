// DOM behaviour (target resolution, Markdown DOM, the card, the overlay host) tested
// in a real browser: testing/in-browser.js is bundled and run in headless Chromium,
// which writes its results into the page; --dump-dom hands them back.

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { CHROMIUM, runInBrowser } from "./testing/run-in-browser.mjs";

const entry = fileURLToPath(new URL("./testing/in-browser.js", import.meta.url));

const FIXTURE = `<header><input id="filter" name="q" data-testid="queue-filter" aria-label="Filter tickets"></header>
<main><section>
  <button id="bulk" data-testid="bulk-assign">Assign <b>selected</b></button>
  <button id="save" aria-label="Save">Save changes</button>
  <button id="close" aria-label="Close panel">×</button>
  <span id="cy" data-cy="cy-thing">x</span>
  <span id="weird" data-testid='we"ird\\id'>w</span>
</section>
<p><a id="export" href="#">Export <em>all</em> tickets</a></p>
<script type="text/plain">secret script text</script>
</main>`;

test("DOM cases pass in headless Chromium", { skip: !existsSync(CHROMIUM) && `no browser at ${CHROMIUM}`, timeout: 60000 }, async (t) => {
  const results = await runInBrowser(entry, FIXTURE);
  assert.ok(results.length >= 9);
  for (const r of results) {
    await t.test(r.name, () => assert.ok(r.ok, r.error));
  }
});
