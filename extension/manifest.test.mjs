// The extension's attack surface, as the manifest declares it: the fewest permissions,
// a strict CSP for its own pages, no page can message it, no code from elsewhere.
import assert from "node:assert/strict";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

const root = new URL(".", import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(join(root, "manifest.json"), "utf8"));
const readme = readFileSync(join(root, "README.md"), "utf8");

// Each with the reason README.md gives for it ("## Permissions").
const ALLOWED_PERMISSIONS = ["storage", "alarms", "activeTab", "scripting"];

test("only the documented permissions, each explained in the README", () => {
  for (const permission of manifest.permissions ?? []) {
    assert.ok(ALLOWED_PERMISSIONS.includes(permission), `unexpected permission ${permission}`);
    assert.match(readme, new RegExp("`" + permission + "`"), `README does not explain ${permission}`);
  }
  // The server is reached through CORS (it allows exactly this extension's origin).
  assert.equal(manifest.host_permissions, undefined);
  assert.equal(manifest.optional_host_permissions, undefined);
  assert.equal(manifest.optional_permissions, undefined);
});

test("the extension's pages run under a strict CSP", () => {
  const csp = manifest.content_security_policy.extension_pages;
  const directives = Object.fromEntries(
    csp.split(";").map((d) => d.trim()).filter(Boolean).map((d) => [d.split(/\s+/)[0], d.split(/\s+/).slice(1)]),
  );
  assert.deepEqual(directives["script-src"], ["'self'"]);
  assert.deepEqual(directives["object-src"], ["'none'"]);
  assert.deepEqual(directives["default-src"], ["'self'"]);
  assert.deepEqual(directives["frame-ancestors"], ["'none'"]);
  assert.deepEqual(directives["base-uri"], ["'none'"]);
  assert.doesNotMatch(csp, /unsafe-(eval|inline|hashes)|wasm-unsafe-eval|\*/);
});

test("no web page can message the worker, and content scripts run in top frames only", () => {
  assert.equal(manifest.externally_connectable, undefined);
  for (const script of manifest.content_scripts) assert.equal(script.all_frames, false);
  // Pages may load only the lazily imported modules, never an extension page.
  for (const entry of manifest.web_accessible_resources ?? []) {
    for (const resource of entry.resources) assert.match(resource, /^[a-z-]+\.js$/, resource);
  }
});

test("no code from elsewhere: the built bundles load nothing remote", { skip: !existsSync(join(root, "dist")) }, () => {
  const dist = join(root, "dist");
  for (const file of readdirSync(dist).filter((f) => f.endsWith(".js"))) {
    const code = readFileSync(join(dist, file), "utf8");
    assert.doesNotMatch(code, /importScripts\s*\(/, `${file} imports scripts`);
    assert.doesNotMatch(code, /import\s*\(\s*["'`]https?:/, `${file} imports a remote module`);
    assert.doesNotMatch(code, /\.src\s*=\s*["'`]https?:/, `${file} loads a remote script`);
  }
  for (const file of readdirSync(dist).filter((f) => f.endsWith(".html"))) {
    const html = readFileSync(join(dist, file), "utf8");
    assert.doesNotMatch(html, /<script[^>]+src=["']?(https?:)?\/\//i, `${file} loads a remote script`);
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, `${file} has an inline script`);
  }
});
