// Browser side of describe.test.mjs: describe elements, change the page, resolve.

import { describeElement } from "../describe.js";
import { looksGenerated } from "../fingerprint.js";
import { isStillTarget, resolve } from "../resolve.js";
import { cases } from "./cases.js";

const { test, report } = cases();
const $ = (sel) => document.querySelector(sel);
function eq(actual, expected, what = "") {
  if (actual !== expected) throw new Error(`${what} expected ${String(expected)}, got ${String(actual)}`);
}
const snapshot = document.body.cloneNode(true);
function freshPage() {
  document.body.replaceWith(snapshot.cloneNode(true));
}
const elements = () => [...document.body.querySelectorAll("*")].filter((el) => !["PRE", "SCRIPT"].includes(el.tagName));

test("a test id is the best candidate and the selector", () => {
  const t = describeElement($("[data-testid=bulk-assign]"));
  eq(t.candidates[0].by, "testid");
  eq(t.selector, '[data-testid="bulk-assign"]');
  eq(t.candidates.some((c) => c.by === "role" && c.value === "Assign selected" && c.role === "button"), true, "role+name");
});

test("generated class names and ids never appear in a target", () => {
  for (const el of elements()) {
    const json = JSON.stringify(describeElement(el));
    for (const token of ["css-1x2y3z", "sc-bdVaJa", "kYxQpL", ":r1:", "ember512", "__3xZ9a", "jsx-", "x9a2b3c4", "css-9fgh2k", "row-1234"]) {
      if (json.includes(token)) throw new Error(`${el.tagName} target contains ${token}: ${json}`);
    }
  }
});

test("every candidate names only its element; the selector is unique; scores are ranked", () => {
  for (const el of elements()) {
    const t = describeElement(el);
    eq(document.querySelectorAll(t.selector).length, 1, `selector ${t.selector}`);
    eq(document.querySelector(t.selector), el, `selector ${t.selector}`);
    for (let i = 1; i < t.candidates.length; i++) {
      if (t.candidates[i].score > t.candidates[i - 1].score) throw new Error("not ranked");
    }
    for (const c of t.candidates) {
      const r = resolve({ selector: "#nope", candidates: [c], fingerprint: t.fingerprint });
      eq(r.element, el, `${c.by}=${c.value}`);
    }
    if (JSON.stringify(t.fingerprint).length > 2000) throw new Error("fingerprint too large");
  }
});

test("every element resolves back to itself, via its best candidate", () => {
  for (const el of elements()) {
    const t = describeElement(el);
    const r = resolve(t);
    eq(r.element, el, el.outerHTML.slice(0, 60));
    if (r.confidence < 0.6) throw new Error(`low confidence ${r.confidence}`);
  }
});

test("the twin Edit buttons are told apart by their row", () => {
  const second = document.querySelectorAll("tr")[1].querySelector("button");
  const t = describeElement(second);
  eq(resolve(t).element, second);
  // Rows re-sorted: the right row's button is still found.
  const tbody = $("tbody");
  tbody.prepend(tbody.lastElementChild);
  eq(resolve(t).element, second, "after re-sort");
  freshPage();
});

test("classes re-hashed, a sibling inserted, a wrapper added, text edited: still found", () => {
  const link = $("a[href='/reports']");
  const t = describeElement(link);
  for (const a of document.querySelectorAll("a")) a.className = a.className.replace("__3xZ9a", "__9QpZ1");
  const li = document.createElement("li");
  li.append(Object.assign(document.createElement("a"), { href: "/home", textContent: "Home", className: "nav-link" }));
  $("nav ul").prepend(li);
  const wrap = document.createElement("div");
  $("nav").replaceWith(wrap);
  wrap.append(link.closest("nav"));
  link.textContent = "Reports ";
  eq(resolve(t).element, link);
  freshPage();
});

test("a button whose test id and text both changed is found by its fingerprint", () => {
  const btn = $("form button");
  const t = describeElement(btn);
  btn.className = "btn btn-primary btn-lg";
  btn.textContent = "Send the reply";
  const r = resolve(t);
  eq(r.element, btn);
  freshPage();
});

test("a removed element is not found, not swapped for its neighbour", () => {
  const link = $("a[href='/reports']");
  const t = describeElement(link);
  link.parentElement.remove();
  const r = resolve(t);
  eq(r.element, null, `got ${r.element?.outerHTML} via ${r.via}`);
  eq(typeof r.reason, "string");
  const edit = document.querySelectorAll("tr")[0].querySelector("button");
  const te = describeElement(edit);
  edit.closest("tr").remove();
  eq(resolve(te).element, null, "the other row's Edit is not it");
  freshPage();
});

test("a header cell known only by its checkbox's label, and a control by the label before it", () => {
  const th = document.createElement("th");
  const box = Object.assign(document.createElement("input"), { type: "checkbox" });
  box.setAttribute("aria-label", "Select all");
  th.append(box);
  const headRow = document.createElement("tr");
  headRow.append(th, Object.assign(document.createElement("th"), { textContent: "Ticket" }));
  $("tbody").before(Object.assign(document.createElement("thead")));
  $("thead").append(headRow);
  const t = describeElement(th);
  eq(t.fingerprint.inner, "select all");
  // A new column before it: the newcomer takes its place, but not its label.
  const newcomer = th.cloneNode(true);
  newcomer.querySelector("input").setAttribute("aria-label", "Star");
  th.before(newcomer);
  eq(resolve(t).element, th);

  const body = $("#reply-body");
  const tb = describeElement(body);
  eq(tb.fingerprint.label, "your reply");
  body.removeAttribute("id");
  body.removeAttribute("name");
  eq(resolve(tb).element, body, "the label just before it still names it");
  freshPage();
});

test("isStillTarget holds for the same element and drops a reused one", () => {
  const link = $("a[href='/queue']");
  const t = describeElement(link);
  eq(isStillTarget(link, t), true);
  link.textContent = "Billing";
  link.setAttribute("href", "/billing");
  eq(isStillTarget(link, t), false, "reused for another thing");
  freshPage();
});

test("hand-written targets keep the simple rule", () => {
  eq(resolve({ selector: "button.btn" }).element, $("[data-testid=bulk-assign]"));
  eq(resolve({ selector: "#nope", candidates: [{ by: "text", value: "Send reply" }] }).via, "text");
  eq(resolve({ selector: "#nope" }).reason, "no candidate matched");
});

test("nudgelayer's own elements are never targets", () => {
  const host = document.createElement("div");
  host.setAttribute("data-nudgelayer", "");
  host.append(Object.assign(document.createElement("button"), { textContent: "Send reply" }));
  const btn = $("form button");
  const t = describeElement(btn);
  btn.remove();
  document.body.prepend(host);
  eq(resolve(t).element, null);
  freshPage();
});

test("describeElement rejects what is not an element", () => {
  let threw = false;
  try {
    describeElement(document.createTextNode("x"));
  } catch {
    threw = true;
  }
  eq(threw, true);
  eq(looksGenerated("btn-primary"), false);
});

report();
