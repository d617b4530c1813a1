// The describer and the resolver on a realistic page, in headless Chromium.

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { CHROMIUM, runInBrowser } from "./testing/run-in-browser.mjs";

const entry = fileURLToPath(new URL("./testing/describe-in-browser.js", import.meta.url));

const FIXTURE = `
<header class="css-1x2y3z app-header" id=":r1:">
  <nav aria-label="Main" class="sc-bdVaJa kYxQpL">
    <ul>
      <li><a class="nav-link Nav_link__3xZ9a" href="/queue">Queue</a></li>
      <li><a class="nav-link Nav_link__3xZ9a" href="/reports">Reports</a></li>
      <li><a class="nav-link Nav_link__3xZ9a active" href="/settings">Settings</a></li>
    </ul>
  </nav>
  <input id="ember512" name="q" type="search" placeholder="Search tickets" class="search-input">
</header>
<main id="app-main">
  <section aria-label="Queue">
    <h2 class="jsx-2856418327">Open tickets</h2>
    <button data-testid="bulk-assign" class="btn css-9fgh2k">Assign <b>selected</b></button>
    <button class="btn btn-secondary" aria-label="Refresh list">⟳</button>
    <table class="tickets">
      <tbody>
        <tr id="row-1234"><td>Printer on fire</td><td><button class="btn btn-link">Edit</button></td></tr>
        <tr id="row-1235"><td>VPN drops hourly</td><td><button class="btn btn-link">Edit</button></td></tr>
      </tbody>
    </table>
    <div class="card"><div class="card-body"><span class="x9a2b3c4">Due today: 4</span></div></div>
  </section>
  <form name="reply" aria-label="Reply">
    <label for="reply-body">Your reply</label>
    <textarea id="reply-body" name="body"></textarea>
    <button type="submit" class="btn btn-primary">Send reply</button>
  </form>
</main>`;

test("describer and resolver DOM cases", { skip: !existsSync(CHROMIUM) && `no browser at ${CHROMIUM}`, timeout: 60000 }, async (t) => {
  const results = await runInBrowser(entry, FIXTURE);
  assert.ok(results.length >= 8, "all cases reported");
  for (const r of results) await t.test(r.name, () => assert.ok(r.ok, r.error));
});
