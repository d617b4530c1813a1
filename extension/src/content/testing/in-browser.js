// Cases that need a real DOM, bundled by dom.test.mjs and run in headless Chromium.
// Each case returns nothing or throws; results are written into #results as JSON.

import { renderMarkdown } from "../../shared/markdown.js";
import { createCard } from "../card.js";
import { Overlay } from "../overlay.js";
import { isStillTarget, resolveTarget } from "../resolve.js";

const cases = [];
const test = (name, fn) => cases.push([name, fn]);
function eq(actual, expected, what = "") {
  if (actual !== expected) throw new Error(`${what} expected ${String(expected)}, got ${String(actual)}`);
}
const $ = (sel) => document.querySelector(sel);

test("selector first", () => {
  eq(resolveTarget({ selector: "[data-testid='queue-filter']" }), $("#filter"));
});

test("an invalid or stale selector falls back to the candidates, in order", () => {
  const target = {
    selector: "div[[bad",
    candidates: [
      { by: "css", value: ".gone" },
      { by: "testid", value: "bulk-assign" },
      { by: "id", value: "save" },
    ],
  };
  eq(resolveTarget(target), $("#bulk"));
});

test("each candidate kind finds its element", () => {
  eq(resolveTarget({ selector: ".x", candidates: [{ by: "id", value: "save" }] }), $("#save"));
  eq(resolveTarget({ selector: ".x", candidates: [{ by: "name", value: "q" }] }), $("#filter"));
  eq(resolveTarget({ selector: ".x", candidates: [{ by: "testid", value: "cy-thing" }] }), $("#cy"));
  eq(resolveTarget({ selector: ".x", candidates: [{ by: "aria", value: "Close panel" }] }), $("#close"));
  eq(resolveTarget({ selector: ".x", candidates: [{ by: "aria", value: "Save", role: "button" }] }), $("#save"));
  eq(resolveTarget({ selector: ".x", candidates: [{ by: "role", value: "Assign selected", role: "button" }] }), $("#bulk"));
  eq(resolveTarget({ selector: ".x", candidates: [{ by: "text", value: "Assign selected" }] }), $("#bulk"));
  eq(resolveTarget({ selector: ".x", candidates: [{ by: "text", value: "Export all tickets" }] }), $("#export"));
  eq(resolveTarget({ selector: ".x", candidates: [{ by: "path", value: "main > section > button:nth-of-type(2)" }] }), $("#save"));
});

test("text in scripts and styles is never a target; no match is null", () => {
  eq(resolveTarget({ selector: ".x", candidates: [{ by: "text", value: "secret script text" }] }), null);
  eq(resolveTarget({ selector: ".x", candidates: [{ by: "unknown", value: "x" }, { by: "id", value: "" }] }), null);
  eq(resolveTarget(null), null);
  eq(resolveTarget({ selector: "#nope" }), null);
});

test("quotes and backslashes in values cannot break out of the attribute selector", () => {
  eq(resolveTarget({ selector: ".x", candidates: [{ by: "testid", value: 'we"ird\\id' }] }), $("#weird"));
});

test("a replaced node is no longer the target; the new one is found", () => {
  const target = { selector: "[data-testid='queue-filter']" };
  const old = resolveTarget(target);
  eq(isStillTarget(old, target), true, "before");
  const fresh = old.cloneNode(true);
  old.replaceWith(fresh);
  eq(isStillTarget(old, target), false, "detached");
  eq(resolveTarget(target), fresh);
  // Reused by the app for something else: it no longer matches.
  const byId = { selector: "#save" };
  const save = resolveTarget(byId);
  save.id = "cancel";
  eq(isStillTarget(save, byId), false, "reused");
  save.id = "save";
  // Found through a candidate: still the target while that candidate holds.
  const viaText = { selector: ".x", candidates: [{ by: "text", value: "Assign selected" }] };
  eq(isStillTarget(resolveTarget(viaText), viaText), true, "via text");
});

test("markdown builds only safe elements; text that looks like HTML stays text", () => {
  const box = document.createElement("div");
  box.append(renderMarkdown('<img src=x onerror="window.__pwned=1"> **b** [ok](https://a.test/x) [bad](javascript:window.__pwned=1)\n\n- one\n- `<b>`'));
  eq(box.querySelectorAll("img, script, b").length, 0, "no HTML elements");
  eq(box.querySelector("p").textContent.startsWith('<img src=x onerror="window.__pwned=1">'), true, "literal text");
  const links = box.querySelectorAll("a");
  eq(links.length, 1, "one link");
  eq(links[0].href, "https://a.test/x");
  eq(links[0].rel, "noopener noreferrer");
  eq(links[0].target, "_blank");
  eq(box.querySelector("strong").textContent, "b");
  eq(box.querySelectorAll("ul > li").length, 2);
  eq(box.querySelector("li code").textContent, "<b>");
  eq(window.__pwned, undefined, "nothing ran");
});

test("the card is a labelled, described non-modal dialog with a named close button", () => {
  let closed = null;
  const card = createCard(
    { id: 7, kind: "tooltip", version: 3, content: { title: "Title <i>", body: "Body *text*" } },
    { onClose: (how) => (closed = how) },
  );
  document.body.append(card.el);
  const el = card.el;
  eq(el.getAttribute("role"), "dialog");
  eq(el.getAttribute("aria-modal"), "false");
  eq(document.getElementById(el.getAttribute("aria-labelledby")).textContent, "Title <i>");
  eq(document.getElementById(el.getAttribute("aria-describedby")).textContent, "Body text");
  eq(el.dataset.nudgelayerExperienceId, "7");
  eq(el.dataset.nudgelayerKind, "tooltip");
  eq(card.closeButton.getAttribute("aria-label"), "Close");
  card.closeButton.click();
  eq(closed, "button");
  let pageSawEscape = false;
  document.addEventListener("keydown", () => (pageSawEscape = true));
  card.closeButton.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true, composed: true }));
  eq(closed, "escape");
  eq(pageSawEscape, false, "Esc handled by the card does not reach the page");
  card.setContent({ version: 4, content: { title: "New", body: "" } });
  eq(el.querySelector(".title").textContent, "New");
  el.remove();
});

test("the overlay host resists page CSS, uses an open shadow root, and leaves nothing behind", () => {
  const style = document.createElement("style");
  style.textContent = "nudgelayer-root { display: none !important; position: static !important; z-index: 1 !important }";
  document.head.append(style);
  const overlay = new Overlay();
  const root = overlay.root();
  const host = document.querySelector("nudgelayer-root");
  eq(host.shadowRoot, root, "open shadow root");
  const cs = getComputedStyle(host);
  eq(cs.display, "block");
  eq(cs.position, "fixed");
  eq(cs.zIndex, "2147483647");
  eq(cs.width, "0px");
  host.remove();
  overlay.root();
  eq(document.querySelectorAll("nudgelayer-root").length, 1, "re-attached once");
  overlay.destroy();
  eq(document.querySelectorAll("nudgelayer-root").length, 0, "removed");
  style.remove();
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
