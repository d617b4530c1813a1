// `npm run lint`: cheap checks without extra dependencies. Every source parses, and
// the rules that matter for an extension hold: no HTML from strings, no eval, logging
// through shared/log.js (one prefix), no stray imports of node modules in browser code.

import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

import * as esbuild from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const RULES = [
  [/\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write\(/, "builds HTML from a string; use DOM APIs"],
  [/\beval\(|new Function\(/, "eval is forbidden under the MV3 CSP"],
  [/\bconsole\.(log|info|warn|error|debug)\(/, "log through src/shared/log.js so messages carry the [nudgelayer] prefix"],
  [/from "node:/, "browser code cannot import node modules"],
];

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "generated" ? [] : files(path);
    return /\.(m?js)$/.test(name) ? [path] : [];
  });
}

let problems = 0;
const all = [...files(join(root, "src")), ...files(join(root, "scripts")), join(root, "build.mjs")];
for (const file of all) {
  const rel = relative(root, file);
  const code = readFileSync(file, "utf8");
  try {
    await esbuild.transform(code, { loader: "js", format: "esm", logLevel: "silent" });
  } catch (err) {
    problems++;
    console.error(`${rel}: does not parse: ${err.errors?.[0]?.text ?? err.message}`);
    continue;
  }
  const browserCode = rel.startsWith("src/") && !/\.test\.m?js$|testing\/|testlib/.test(rel);
  if (!browserCode || rel === "src/shared/log.js") continue;
  code.split("\n").forEach((line, i) => {
    for (const [pattern, why] of RULES) {
      if (pattern.test(line)) {
        problems++;
        console.error(`${rel}:${i + 1}: ${why}\n    ${line.trim()}`);
      }
    }
  });
}
console.log(`${all.length} files checked, ${problems} problem(s)`);
process.exit(problems ? 1 : 0);
