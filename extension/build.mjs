// Build the unpacked extension into dist/: `npm run build`.
//   node build.mjs               everything
//   node build.mjs --validators  only src/shared/generated/validators.js (tests need it)

import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

import * as esbuild from "esbuild";

import { drawIcon } from "./scripts/icons.mjs";
import { generateValidators } from "./scripts/validators.mjs";

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, "dist");
const schemas = process.env.NUDGELAYER_SCHEMAS ?? join(root, "..", "shared-schemas");
const validatorsFile = join(root, "src", "shared", "generated", "validators.js");
const CONTENT_GZIP_BUDGET = 20 * 1024;
const BUNDLES = ["background.js", "content.js", "options.js", "tour.js", "author.js", "consent.js", "nudges.js", "progress.js", "survey.js"];

function validators() {
  const files = generateValidators(schemas, validatorsFile);
  console.log(`validators: ${files.length} schemas from ${schemas}`);
}

// engine.io-client's global-object shim ends in `Function("return this")()`. It never
// runs where `self` exists (workers, pages), but MV3 forbids the construct outright, so
// the fallback is rewritten to `globalThis` and the no-eval check below can stay strict.
const noFunctionConstructor = {
  name: "no-function-constructor",
  setup(build) {
    build.onLoad({ filter: /engine\.io-client[\\/]build[\\/]esm[\\/]globals\.js$/ }, (args) => {
      const source = readFileSync(args.path, "utf8");
      const patched = source.replace('Function("return this")()', "globalThis");
      if (patched === source) throw new Error("engine.io-client's globals.js changed; review the patch");
      return { contents: patched, loader: "js" };
    });
  },
};

async function bundles() {
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: {
      background: "src/background/index.js",
      content: "src/content/index.js",
      options: "src/options/options.js",
      // Author mode: injected on demand (chrome.scripting) for admins only, never a content script.
      author: "src/author/index.js",
    },
    outdir: dist,
    bundle: true,
    // Classic scripts: a content script cannot be a module, and one format keeps it simple.
    format: "iife",
    platform: "browser",
    target: ["chrome116"],
    minify: true,
    sourcemap: false,
    legalComments: "none",
    metafile: true,
    plugins: [noFunctionConstructor],
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "warning",
  });
  // The tour runtime: an ES module that content.js imports (import(), listed in
  // web_accessible_resources) only on pages that have a tour.
  const tour = await esbuild.build({
    absWorkingDir: root,
    // The first-run privacy dialog, the same way: most pages never need it.
    entryPoints: {
      tour: "src/content/tour/index.js",
      consent: "src/content/consent-dialog.js",
      // Banners, markers, disclosure, What's new and the digest (src/content/nudges.js).
      nudges: "src/content/nudges.js",
      // Badges, checklists and the progress panel (src/content/progress/index.js).
      progress: "src/content/progress/index.js",
      // The survey card, triggers and answers (src/content/survey/index.js).
      survey: "src/content/survey/index.js",
    },
    outdir: dist,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: ["chrome116"],
    minify: true,
    sourcemap: false,
    legalComments: "none",
    metafile: true,
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "warning",
  });
  return { inputs: { ...result.metafile.inputs, ...tour.metafile.inputs } };
}

/** MV3 forbids eval and new Function; fail the build rather than ship code that breaks. */
function checkNoEval() {
  for (const file of BUNDLES) {
    const code = readFileSync(join(dist, file), "utf8");
    const hit = /\beval\s*\(|new\s+Function\s*\(|\bFunction\s*\(\s*["'`]/.exec(code);
    if (hit) throw new Error(`${file} contains ${hit[0]}: not allowed under the MV3 CSP`);
    if (/\.innerHTML\s*=|outerHTML\s*=|insertAdjacentHTML|document\.write/.test(code) && file !== "background.js") {
      throw new Error(`${file} writes HTML from strings; build DOM nodes instead`);
    }
  }
}

/** The licence texts of every package bundled into dist/, for redistribution. */
function thirdPartyNotices(metafile) {
  const packages = new Map();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (!m || packages.has(m[1])) continue;
    const dir = join(root, "node_modules", m[1]);
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    const licenceFile = ["LICENSE", "LICENSE.md", "LICENSE.txt", "license"].map((f) => join(dir, f)).find(existsSync);
    packages.set(m[1], { version: pkg.version, license: pkg.license, text: licenceFile ? readFileSync(licenceFile, "utf8") : "" });
  }
  const parts = [...packages].sort().map(([name, p]) => `${name}@${p.version} (${p.license})\n\n${p.text.trim()}\n`);
  writeFileSync(join(dist, "THIRD_PARTY_NOTICES.txt"), parts.join("\n" + "-".repeat(72) + "\n\n"));
  return [...packages.keys()];
}

function statics() {
  for (const file of ["manifest.json", "managed_schema.json"]) copyFileSync(join(root, file), join(dist, file));
  for (const file of ["options.html", "options.css"]) copyFileSync(join(root, "src", "options", file), join(dist, file));
  mkdirSync(join(dist, "icons"), { recursive: true });
  for (const size of [16, 32, 48, 128]) writeFileSync(join(dist, "icons", `icon-${size}.png`), drawIcon(size));
}

async function main() {
  validators();
  if (process.argv.includes("--validators")) return;
  rmSync(dist, { recursive: true, force: true });
  mkdirSync(dist, { recursive: true });
  const metafile = await bundles();
  checkNoEval();
  statics();
  const bundled = thirdPartyNotices(metafile);
  const content = readFileSync(join(dist, "content.js"));
  const gz = gzipSync(content, { level: 9 }).length;
  console.log(`bundled packages: ${bundled.join(", ")}`);
  for (const file of BUNDLES) {
    const bytes = readFileSync(join(dist, file));
    console.log(`${file}: ${(bytes.length / 1024).toFixed(1)} KiB, ${(gzipSync(bytes, { level: 9 }).length / 1024).toFixed(1)} KiB gzipped`);
  }
  if (gz > CONTENT_GZIP_BUDGET) throw new Error(`content.js is ${gz} bytes gzipped, over the ${CONTENT_GZIP_BUDGET} budget`);
  console.log(`built ${dist}`);
}

main().catch((err) => {
  console.error(err.message ?? err);
  process.exit(1);
});
