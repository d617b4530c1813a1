// The picker's and the target check's cases, bundled by picker.dom.test.mjs and run in headless Chromium
// against a small page; results are written into #results as JSON.

import { checkTarget, describe } from "../editor.js";
import { createHost } from "../host.js";
import { startPicker } from "../picker.js";

const cases = [];
const test = (name, fn) => cases.push([name, fn]);
function eq(actual, expected, what = "") {
  if (actual !== expected) throw new Error(`${what} expected ${String(expected)}, got ${String(actual)}`);
}
const $ = (sel) => document.querySelector(sel);

// What the page itself hears: its own listeners, bubbling and capturing on document.
const heard = [];
for (const type of ["click", "mousedown", "pointerdown", "keydown"]) {
  document.addEventListener(type, (e) => heard.push(`${type}:${e.target.id || e.target.localName}`));
}
const pageState = () => ({
  elements: document.querySelectorAll("*").length,
  html: document.documentElement.getAttributeNames().join(),
  body: document.body.getAttributeNames().join(),
  sheets: document.styleSheets.length + document.adoptedStyleSheets.length,
});
const move = (el) => el.dispatchEvent(new PointerEvent("pointermove", { bubbles: true, composed: true }));
const key = (k) => window.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true }));
const click = (el) => {
  el.dispatchEvent(new PointerEvent("pointerdown", { bubbles: true, composed: true }));
  el.dispatchEvent(new MouseEvent("mousedown", { bubbles: true, composed: true }));
  el.click();
};

function withPicker(fn) {
  const before = pageState();
  const { host, root, destroy } = createHost();
  const layer = document.createElement("div");
  root.append(layer);
  const got = { picked: null, cancelled: 0 };
  const picker = startPicker({ host, layer, onPick: (el) => (got.picked = el), onCancel: () => got.cancelled++ });
  try {
    fn({ picker, got, root, host });
  } finally {
    picker.stop();
    destroy();
  }
  const after = pageState();
  eq(JSON.stringify(after), JSON.stringify(before), "the page after the picker");
}

test("hover outlines, click picks, and the page never hears the click", () => {
  heard.length = 0;
  withPicker(({ got, root }) => {
    move($("#save"));
    // The box is drawn on the next frame; its label is set at once.
    eq(root.querySelector(".pick-label").textContent, "button “Save changes”");
    click($("#save"));
    eq(got.picked, $("#save"));
    eq(root.querySelector(".pick-box"), null, "the box goes with the picker");
  });
  eq(heard.length, 0, `page heard ${heard.join(" ")}`);
  eq($("#box").checked, false, "a checkbox is not toggled");
});

test("arrows walk to the parent and first child, Enter takes it", () => {
  withPicker(({ got }) => {
    move($("#inner"));
    key("ArrowUp");
    key("ArrowUp");
    key("ArrowDown");
    key("Enter");
    eq(got.picked, $("#inner").parentElement);
  });
});

test("a click after the arrows takes the adjusted element", () => {
  withPicker(({ got }) => {
    move($("#inner"));
    key("ArrowUp");
    click($("#inner"));
    eq(got.picked, $("#inner").parentElement);
  });
});

test("Esc cancels, and afterwards clicks reach the page again", () => {
  heard.length = 0;
  withPicker(({ got }) => {
    move($("#save"));
    key("Escape");
    eq(got.cancelled, 1);
    click($("#save"));
    eq(got.picked, null, "nothing picked after Esc");
  });
  eq(heard.includes("click:save"), true, `page heard ${heard.join(" ")}`);
  click($("#box"));
  eq($("#box").checked, true, "the checkbox works again");
  $("#box").checked = false;
});

test("our own panel's buttons keep working while picking", () => {
  withPicker(({ got, root }) => {
    let pressed = 0;
    const button = document.createElement("button");
    button.addEventListener("click", () => pressed++);
    root.append(button);
    move(button);
    eq(root.querySelector(".pick-label").textContent, "", "our UI is not outlined");
    button.click();
    eq(pressed, 1);
    eq(got.picked, null);
  });
});

test("Nudgelayer's own overlay is not pickable", () => {
  withPicker(({ got }) => {
    const overlay = document.createElement("nudgelayer-root");
    overlay.setAttribute("data-nudgelayer", "");
    document.documentElement.append(overlay);
    click(overlay);
    overlay.remove();
    eq(got.picked, null);
  });
});

test("a picked element is found again, only itself", () => {
  const target = describe($("#save"));
  eq(target.selector.length > 0, true, "a selector");
  eq(target.candidates.length >= 2, true, "several candidates");
  eq(checkTarget(target, $("#save"), "").text, "Found ✓");
});

test("a selector that matches several elements is ambiguous", () => {
  const result = checkTarget({ selector: "button" }, $("#save"), "");
  eq(result.cls, "warn");
  eq(result.text, "Ambiguous: the selector matches 2 elements.");
});

test("a target that finds another element than the picked one is ambiguous", () => {
  eq(checkTarget({ selector: "#save" }, $("#other"), "").text, "Ambiguous: it finds another element.");
});

test("a missing element is not found here, or on another page", () => {
  eq(checkTarget({ selector: "#gone" }, null, "").text, "Not found on this page.");
  eq(checkTarget({ selector: "#gone" }, null, "https://elsewhere.test/*").text, "On another page: go there to check it.");
});

const results = cases.map(([name, fn]) => {
  try {
    fn();
    return { name, ok: true };
  } catch (err) {
    return { name, ok: false, error: String(err?.stack ?? err) };
  }
});
document.getElementById("results").textContent = JSON.stringify(results);
