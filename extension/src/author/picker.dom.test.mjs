// The element picker and the target check in a real browser: testing/picker-in-browser.js is bundled and run
// in headless Chromium on a small page, which writes its results into the page;
// --dump-dom hands them back.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import * as esbuild from "esbuild";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const entry = fileURLToPath(new URL("./testing/picker-in-browser.js", import.meta.url));

const FIXTURE = `<!doctype html><html><head><meta charset="utf-8"></head><body>
<main><section id="toolbar">
  <button id="save">Save changes</button>
  <label><input id="box" type="checkbox"> Notify me</label>
  <div id="outer"><p id="middle"><span id="inner">deep</span></p></div>
  <button id="other" type="button">Other</button>
</section></main>
<pre id="results"></pre>
<script>__BUNDLE__</script>
</body></html>`;

test("the picker in headless Chromium", { skip: !existsSync(CHROMIUM) && `no browser at ${CHROMIUM}`, timeout: 60000 }, async (t) => {
  const bundle = await esbuild.build({ entryPoints: [entry], bundle: true, format: "iife", write: false, target: "chrome116" });
  const dir = mkdtempSync(join(tmpdir(), "nl-picker-"));
  try {
    const page = join(dir, "page.html");
    writeFileSync(page, FIXTURE.replace("__BUNDLE__", () => bundle.outputFiles[0].text));
    const { stdout } = await promisify(execFile)(
      CHROMIUM,
      ["--headless", "--no-sandbox", "--disable-gpu", `--user-data-dir=${join(dir, "profile")}`, "--dump-dom", `file://${page}`],
      { timeout: 45000, maxBuffer: 16 * 1024 * 1024 },
    );
    const m = /<pre id="results">([^<]*)<\/pre>/.exec(stdout);
    assert.ok(m && m[1], "the page wrote its results");
    const results = JSON.parse(m[1].replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&"));
    assert.ok(results.length >= 6);
    for (const r of results) {
      await t.test(r.name, () => assert.ok(r.ok, r.error));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
