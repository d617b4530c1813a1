import assert from "node:assert/strict";
import { test } from "node:test";

import { parseInline, parseMarkdown, safeHref } from "./markdown.js";

const text = (value) => ({ type: "text", value });

test("blank lines separate paragraphs; single newlines stay in one paragraph", () => {
  assert.deepEqual(parseMarkdown("One\ntwo\n\n\nThree"), [
    { type: "paragraph", children: [text("One\ntwo")] },
    { type: "paragraph", children: [text("Three")] },
  ]);
  assert.deepEqual(parseMarkdown(""), []);
  assert.deepEqual(parseMarkdown("\r\n\r\n"), []);
});

test("bold, italic and code, with nesting", () => {
  assert.deepEqual(parseInline("Type to **narrow** the queue. Press *Esc*."), [
    text("Type to "),
    { type: "strong", children: [text("narrow")] },
    text(" the queue. Press "),
    { type: "em", children: [text("Esc")] },
    text("."),
  ]);
  assert.deepEqual(parseInline("*a **b** c*"), [
    { type: "em", children: [text("a "), { type: "strong", children: [text("b")] }, text(" c")] },
  ]);
  assert.deepEqual(parseInline("run `a *b* [c](https://x.test)` now"), [
    text("run "),
    { type: "code", value: "a *b* [c](https://x.test)" },
    text(" now"),
  ]);
});

test("unclosed or spaced markers stay literal", () => {
  assert.deepEqual(parseInline("2 * 3 * 4"), [text("2 * 3 * 4")]);
  assert.deepEqual(parseInline("**not closed"), [text("**not closed")]);
  assert.deepEqual(parseInline("a ` b"), [text("a ` b")]);
  assert.deepEqual(parseInline("\\*literal\\*"), [text("*literal*")]);
});

test("links keep http, https and mailto targets only", () => {
  assert.deepEqual(parseInline("See [the docs](https://docs.example.com/a_(b)) now"), [
    text("See "),
    { type: "link", href: "https://docs.example.com/a_(b)", children: [text("the docs")] },
    text(" now"),
  ]);
  assert.deepEqual(parseInline("[mail](mailto:help@example.com)"), [
    { type: "link", href: "mailto:help@example.com", children: [text("mail")] },
  ]);
  for (const bad of ["javascript:alert(1)", "data:text/html,x", "vbscript:x", "/relative", "file:///etc/passwd"]) {
    assert.deepEqual(parseInline(`[click](${bad})`), [text("click")], bad);
  }
  assert.deepEqual(parseInline("[**bold** link](http://a.test)"), [
    { type: "link", href: "http://a.test/", children: [{ type: "strong", children: [text("bold")] }, text(" link")] },
  ]);
  assert.deepEqual(parseInline("[no url]() and [x] (y)"), [text("[no url]() and [x] (y)")]);
  assert.equal(safeHref("JaVaScRiPt:alert(1)"), null);
  assert.equal(safeHref(" https://a.test "), "https://a.test/");
});

test("dash lines form a list; other lines end it", () => {
  assert.deepEqual(parseMarkdown("Steps:\n- open **it**\n- close\n  it later\nDone"), [
    { type: "paragraph", children: [text("Steps:")] },
    {
      type: "list",
      items: [[text("open "), { type: "strong", children: [text("it")] }], [text("close\nit later")]],
    },
    { type: "paragraph", children: [text("Done")] },
  ]);
  assert.deepEqual(parseMarkdown("-not a list\n*not a list*"), [
    { type: "paragraph", children: [text("-not a list\n"), { type: "em", children: [text("not a list")] }] },
  ]);
});

test("markup that looks like HTML is plain text", () => {
  assert.deepEqual(parseMarkdown("<img src=x onerror=alert(1)> & <b>hi</b>"), [
    { type: "paragraph", children: [text("<img src=x onerror=alert(1)> & <b>hi</b>")] },
  ]);
});

test("deeply nested or long input parses quickly without blowing the stack", () => {
  const deep = "*".repeat(2000) + "x" + "*".repeat(2000);
  const long = "**a** *b* `c` [d](https://e.test) ".repeat(150);
  const started = Date.now();
  parseMarkdown(deep);
  const tree = parseMarkdown(long);
  assert.ok(Date.now() - started < 1000);
  assert.equal(tree[0].children.filter((n) => n.type === "link").length, 150);
});
