// The tour runtime in headless Chromium: lifecycle and events, keyboard, focus, late
// and missing targets, steps on another page, the cut-out backdrop. Timers run on
// virtual time, so the 8 s wait for a missing target costs nothing.

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { CHROMIUM, runInBrowser } from "./testing/run-in-browser.mjs";

const entry = fileURLToPath(new URL("./testing/tour-in-browser.js", import.meta.url));

const FIXTURE = `
<header><button id="before">Focus was here</button><input id="filter" aria-label="Filter tickets"></header>
<main style="height: 3000px">
  <button id="assign" data-testid="bulk-assign">Assign selected</button>
  <div id="late-slot"></div>
  <p style="margin-top: 2400px"><button id="far">Far below</button></p>
</main>`;

test("tour runtime DOM cases", { skip: !existsSync(CHROMIUM) && `no browser at ${CHROMIUM}`, timeout: 90000 }, async (t) => {
  const results = await runInBrowser(entry, FIXTURE, { virtualTimeMs: 120000 });
  assert.ok(results.length >= 8, "all cases reported");
  for (const r of results) await t.test(r.name, () => assert.ok(r.ok, r.error));
});
