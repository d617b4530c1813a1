import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { segmentMatches, urlMatches, userAttributes } from "./targeting.js";

const examples = fileURLToPath(new URL("../../../shared-schemas/examples/", import.meta.url));

test("a glob matches any run of characters at each star and nothing else", () => {
  assert.ok(urlMatches("https://tickets.example.com/queue/*", "https://tickets.example.com/queue/42"));
  assert.ok(urlMatches("https://tickets.example.com/queue/*", "https://tickets.example.com/queue/"));
  assert.ok(!urlMatches("https://tickets.example.com/queue/*", "https://tickets.example.com/queues"));
  assert.ok(urlMatches("https://*.example.com/*", "https://a.b.example.com/x/y"));
  // Dots and other regex characters are literal.
  assert.ok(!urlMatches("https://tickets.example.com/*", "https://ticketsXexample.com/q"));
  assert.ok(urlMatches("http://127.0.0.1:5001/(beta)+[x]/*", "http://127.0.0.1:5001/(beta)+[x]/1"));
});

test("the fragment is ignored and the query only counts when the glob has one", () => {
  assert.ok(urlMatches("https://a.test/page", "https://a.test/page#section"));
  assert.ok(urlMatches("https://a.test/page", "https://a.test/page?tab=2"));
  assert.ok(!urlMatches("https://a.test/page?tab=1", "https://a.test/page?tab=2"));
  assert.ok(urlMatches("https://a.test/page?tab=*", "https://a.test/page?tab=2#x"));
  assert.ok(!urlMatches("https://a.test/page?*", "https://a.test/page"));
});

test("no rule admits everyone", () => {
  assert.ok(segmentMatches(null, {}));
  assert.ok(segmentMatches(undefined, { role: "staff" }));
  assert.ok(segmentMatches({}, {}));
});

test("equality never coerces types", () => {
  assert.ok(segmentMatches({ attr: "level", op: "eq", value: 1 }, { level: 1 }));
  assert.ok(segmentMatches({ attr: "level", op: "eq", value: 1 }, { level: 1.0 }));
  assert.ok(!segmentMatches({ attr: "level", op: "eq", value: 1 }, { level: true }));
  assert.ok(!segmentMatches({ attr: "level", op: "eq", value: 1 }, { level: "1" }));
  assert.ok(!segmentMatches({ attr: "beta", op: "eq", value: true }, { beta: 1 }));
  assert.ok(segmentMatches({ attr: "beta", op: "neq", value: true }, { beta: 1 }));
  assert.ok(!segmentMatches({ attr: "level", op: "in", value: [1, 2] }, { level: "1" }));
  assert.ok(segmentMatches({ attr: "level", op: "nin", value: [true] }, { level: 1 }));
});

test("a missing or null attribute fails every op but neq, nin and exists:false", () => {
  const ops = { eq: "x", in: ["x"], contains: "x", gt: 1, gte: 1, lt: 1, lte: 1 };
  for (const attrs of [{}, { team: null }]) {
    for (const [op, value] of Object.entries(ops)) {
      assert.equal(segmentMatches({ attr: "team", op, value }, attrs), false, `${op} on ${JSON.stringify(attrs)}`);
    }
    assert.ok(segmentMatches({ attr: "team", op: "neq", value: "x" }, attrs));
    assert.ok(segmentMatches({ attr: "team", op: "nin", value: ["x"] }, attrs));
    assert.ok(segmentMatches({ attr: "team", op: "exists", value: false }, attrs));
    assert.ok(!segmentMatches({ attr: "team", op: "exists", value: true }, attrs));
    assert.ok(!segmentMatches({ attr: "team", op: "exists" }, attrs));
  }
  assert.ok(segmentMatches({ attr: "team", op: "exists" }, { team: "" }));
});

test("contains looks into lists by equality and into strings by substring", () => {
  assert.ok(segmentMatches({ attr: "skills", op: "contains", value: "sql" }, { skills: ["go", "sql"] }));
  assert.ok(!segmentMatches({ attr: "skills", op: "contains", value: 1 }, { skills: [true] }));
  assert.ok(segmentMatches({ attr: "email", op: "contains", value: "@demo." }, { email: "a@demo.local" }));
  assert.ok(!segmentMatches({ attr: "n", op: "contains", value: "1" }, { n: 10 }));
});

test("ordering compares numbers with numbers and strings with strings only", () => {
  assert.ok(segmentMatches({ attr: "tenure", op: "gte", value: 12 }, { tenure: 12 }));
  assert.ok(segmentMatches({ attr: "tenure", op: "gt", value: 1.5 }, { tenure: 2 }));
  assert.ok(!segmentMatches({ attr: "tenure", op: "gt", value: "1" }, { tenure: 2 }));
  assert.ok(!segmentMatches({ attr: "flag", op: "gt", value: 0 }, { flag: true }));
  assert.ok(segmentMatches({ attr: "locale", op: "lt", value: "fr" }, { locale: "de" }));
  // Code point order, as Python compares: an astral character sorts after U+FFFF.
  assert.ok(segmentMatches({ attr: "s", op: "gt", value: "\uffff" }, { s: "\u{1f600}" }));
});

test("all, any and not combine rules", () => {
  const admins = { attr: "role", op: "eq", value: "admin" };
  const ops = { attr: "team", op: "in", value: ["ops", "sre"] };
  assert.ok(segmentMatches({ all: [admins, ops] }, { role: "admin", team: "ops" }));
  assert.ok(!segmentMatches({ all: [admins, ops] }, { role: "admin", team: "support" }));
  assert.ok(segmentMatches({ any: [admins, ops] }, { role: "staff", team: "sre" }));
  assert.ok(segmentMatches({ not: admins }, { role: "staff" }));
  assert.ok(!segmentMatches({ not: { not: admins } }, { role: "staff" }));
});

test("user attributes are the free-form ones overridden by the account fields", () => {
  const attrs = userAttributes({
    email: "s@demo.local",
    role: "staff",
    team: "support",
    locale: null,
    attributes: { role: "spoofed", tenure: 3 },
  });
  assert.deepEqual(attrs, { role: "staff", team: "support", locale: null, email: "s@demo.local", tenure: 3 });
});

// Vectors shared with the backend's tests: both evaluators must give these answers.
for (const [file, run] of [
  ["segment-cases.json", (c) => segmentMatches(c.rule, c.attrs, c.counts)],
  ["url-cases.json", (c) => urlMatches(c.pattern, c.url)],
]) {
  const path = examples + file;
  test(`shared vectors: ${file}`, { skip: !existsSync(path) && `${file} not written yet` }, () => {
    const cases = JSON.parse(readFileSync(path, "utf8"));
    assert.ok(Array.isArray(cases) && cases.length > 0, "the vector file holds a non-empty list");
    for (const c of cases) {
      assert.equal(run(c), c.expected, `${c.name ?? c.description ?? ""} ${JSON.stringify(c)}`);
    }
  });
}
