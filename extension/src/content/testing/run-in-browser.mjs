// Runs a bundled entry of browser test cases in headless Chromium on a fixture page
// and returns their results: the entry writes JSON into #results, --dump-dom hands
// the page back. Shared by the DOM test files of the describer, resolver and tours.

import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import * as esbuild from "esbuild";

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

/** @returns {Promise<Array<{name: string, ok: boolean, error?: string}>>} */
export async function runInBrowser(entry, fixtureBody, { virtualTimeMs = 5000 } = {}) {
  const bundle = await esbuild.build({ entryPoints: [entry], bundle: true, format: "iife", write: false, target: "chrome116" });
  const dir = mkdtempSync(join(tmpdir(), "nl-dom-"));
  try {
    const page = join(dir, "page.html");
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title></head><body>${fixtureBody}
<pre id="results"></pre><script>${bundle.outputFiles[0].text}</script></body></html>`;
    writeFileSync(page, html);
    const { stdout } = await promisify(execFile)(
      CHROMIUM,
      ["--headless", "--no-sandbox", "--disable-gpu", `--user-data-dir=${join(dir, "profile")}`, `--virtual-time-budget=${virtualTimeMs}`, "--dump-dom", `file://${page}`],
      { timeout: 45000, maxBuffer: 16 * 1024 * 1024 },
    );
    const m = /<pre id="results">([^<]*)<\/pre>/.exec(stdout);
    if (!m || !m[1]) throw new Error("the page wrote no results");
    return JSON.parse(m[1].replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
