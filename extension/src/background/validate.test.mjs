// The generated validators against the shared examples: what the server may send is
// accepted, everything in examples/invalid is refused (and so never reaches the cache).
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { validateChange, validatePublished, validateSync } from "../shared/generated/validators.js";

const examples = fileURLToPath(new URL("../../../shared-schemas/examples/", import.meta.url));
const VALIDATORS = {
  "socket-sync": validateSync,
  "socket-change": validateChange,
  "published-experience": validatePublished,
};

function load(kind, schema) {
  const dir = `${examples}${kind}/${schema}/`;
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => [f, JSON.parse(readFileSync(dir + f, "utf8"))]);
}

for (const [schema, validate] of Object.entries(VALIDATORS)) {
  test(`${schema}: every valid example is accepted`, () => {
    const cases = load("valid", schema);
    assert.ok(cases.length > 0);
    for (const [file, data] of cases) assert.ok(validate(data), `${file}: ${JSON.stringify(validate.errors)}`);
  });

  test(`${schema}: every invalid example is refused`, () => {
    const cases = load("invalid", schema);
    assert.ok(cases.length > 0);
    for (const [file, data] of cases) assert.equal(validate(data), false, file);
  });
}

test("a pushed tooltip whose body tries HTML is still just text to validate", () => {
  const change = {
    cursor: 3,
    op: "upsert",
    id: 1,
    experience: {
      id: 1,
      kind: "tooltip",
      name: "x",
      version: 1,
      targeting: { url: "https://a.test/*", segment: null },
      content: { target: { selector: "#a" }, title: "<img src=x onerror=alert(1)>", body: "", placement: "auto" },
    },
  };
  assert.ok(validateChange(change));
  // An unknown content field (e.g. raw HTML smuggled in) is refused.
  change.experience.content.html = "<b>x</b>";
  assert.equal(validateChange(change), false);
});
