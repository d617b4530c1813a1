// Differential test: random rules, attributes and URLs evaluated by this evaluator and
// by the backend's targeting.py must agree, case by case. Skipped without the venv.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { segmentMatches, urlMatches } from "./targeting.js";

const PYTHON = fileURLToPath(new URL("../../../.venv/bin/python", import.meta.url));

// A small deterministic PRNG: failures reproduce.
function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function generate(seed, count) {
  const r = rng(seed);
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const scalars = ["staff", "admin", "", "1", "Staff", "é", "\u{1f600}", 0, 1, 1.5, -2, true, false];
  const values = [...scalars, null, ["staff", 1], [true], [], { a: 1 }, [0, "x"]];
  const names = ["role", "team", "tenure", "flags", "missing"];
  const ops = ["eq", "neq", "in", "nin", "contains", "gt", "gte", "lt", "lte", "exists"];
  const rule = (depth) => {
    const roll = r();
    if (depth < 3 && roll < 0.15) return { all: [rule(depth + 1), rule(depth + 1)] };
    if (depth < 3 && roll < 0.3) return { any: [rule(depth + 1), rule(depth + 1)] };
    if (depth < 3 && roll < 0.38) return { not: rule(depth + 1) };
    const op = pick(ops);
    if (op === "exists") return r() < 0.3 ? { attr: pick(names), op } : { attr: pick(names), op, value: pick([true, false]) };
    if (op === "in" || op === "nin") return { attr: pick(names), op, value: [pick(scalars), pick(scalars)] };
    return { attr: pick(names), op, value: pick(scalars) };
  };
  const attrs = () => {
    const a = {};
    for (const n of names.slice(0, 4)) if (r() < 0.8) a[n] = pick(values);
    return a;
  };
  const pieces = ["https://", "a.test", "/", "q", "*", "?", "x=1", "#", ".", "(", "+", "é"];
  const str = () => Array.from({ length: 1 + Math.floor(r() * 6) }, () => pick(pieces)).join("");
  return Array.from({ length: count }, () => ({ rule: rule(0), attrs: attrs(), pattern: str(), url: str() }));
}

const SCRIPT = `
import json, sys
from nudgelayer.experiences.targeting import segment_matches, url_matches
cases = json.load(sys.stdin)
json.dump([[segment_matches(c["rule"], c["attrs"]), url_matches(c["pattern"], c["url"])] for c in cases], sys.stdout)
`;

test("the JavaScript and Python evaluators agree on random cases", { skip: !existsSync(PYTHON) && "no backend venv" }, () => {
  const cases = generate(20240601, 3000);
  const answers = JSON.parse(execFileSync(PYTHON, ["-c", SCRIPT], { input: JSON.stringify(cases), maxBuffer: 1 << 24 }));
  cases.forEach((c, i) => {
    const [segment, url] = answers[i];
    assert.equal(segmentMatches(c.rule, c.attrs), segment, `segment ${JSON.stringify(c.rule)} on ${JSON.stringify(c.attrs)}`);
    assert.equal(urlMatches(c.pattern, c.url), url, `url ${JSON.stringify(c.pattern)} on ${JSON.stringify(c.url)}`);
  });
});
