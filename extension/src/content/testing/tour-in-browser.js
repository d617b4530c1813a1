// Browser side of tour.test.mjs. The tour is driven as the runtime drives it (a ctx
// with an overlay, a signal and a report callback); without the extension there is no
// stored progress, so each case starts its tour itself.

import { Overlay } from "../overlay.js";
import { Tour } from "../tour/controller.js";
import { cases } from "./cases.js";

const { test: register, report } = cases();
// Every tour a case starts is stopped after it, even when the case fails half-way.
const running = [];
const test = (name, fn) =>
  register(name, async () => {
    try {
      await fn();
    } finally {
      while (running.length) running.pop()();
    }
  });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function eq(actual, expected, what = "") {
  if (actual !== expected) throw new Error(`${what} expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}
const $ = (sel) => document.querySelector(sel);
const here = location.href;

function run(steps, extra = {}) {
  const events = [];
  const controller = new AbortController();
  const overlay = new Overlay();
  const ctx = {
    signal: controller.signal,
    overlay,
    viewed: () => events.push({ type: "experience.viewed" }),
    report: (type, data) => events.push({ type, ...data }),
    dismiss: () => {},
    ...extra,
  };
  const tour = new Tour({ id: 7, name: "Onboarding", version: 2, content: { steps } }, ctx);
  const stop = () => {
    controller.abort();
    overlay.destroy();
  };
  running.push(stop);
  const shadow = () => overlay.shadow;
  const dialog = () => overlay.shadow?.querySelector("[role=dialog][data-nudgelayer-kind=tour]") ?? null;
  const key = (key, opts = {}) => {
    const target = deepActive() ?? document.body;
    target.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, composed: true, cancelable: true, ...opts }));
  };
  return { tour, events, stop, shadow, dialog, key };
}

function deepActive() {
  let el = document.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  return el;
}
const types = (events) => events.map((e) => e.type);

const STEPS = [
  { target: { selector: "#assign" }, title: "Assign <b>in bulk</b>", body: "Select rows, then **assign**." },
  { target: { selector: "#filter" }, title: "Filter", body: "" },
  { target: { selector: "#far" }, title: "Far away", body: "", placement: "top" },
];

test("a step is a labelled, described dialog next to its target, with focus in it", async () => {
  $("#before").focus();
  const t = run(STEPS);
  t.tour.start(0);
  const d = t.dialog();
  eq(!!d, true, "dialog");
  eq(d.getAttribute("aria-modal"), "false");
  const title = t.shadow().getElementById(d.getAttribute("aria-labelledby"));
  eq(title.textContent, "Assign <b>in bulk</b>", "title is text, not HTML");
  const described = d.getAttribute("aria-describedby").split(" ").map((id) => t.shadow().getElementById(id)?.textContent ?? "");
  eq(described[0], "Step 1 of 3");
  eq(described[1], "Select rows, then assign.");
  eq(d.querySelector("strong").textContent, "assign");
  eq(deepActive(), d, "focus moved into the step");
  eq(d.dataset.state, "anchored");
  eq(JSON.stringify(types(t.events)), JSON.stringify(["tour.started", "experience.viewed", "tour.step_viewed"]));
  eq(t.events[2].step, 0);
  // The backdrop leaves a hole where the target is, so the target gets the clicks.
  await sleep(50);
  const r = $("#assign").getBoundingClientRect();
  eq(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2), $("#assign"), "target clickable");
  const outside = document.elementFromPoint(r.right + 200, r.top + r.height / 2);
  eq(outside?.localName, "nudgelayer-root", "the rest of the page is behind the backdrop");
  t.key("Escape");
  eq(t.dialog(), null, "Esc ends it");
  eq(t.events.at(-1).type, "tour.dismissed");
  eq(t.events.at(-1).how, "escape");
  eq(deepActive(), $("#before"), "focus is back where it was");
  t.stop();
});

test("Next, Back, arrow keys, Done: every step viewed, then completed", async () => {
  // Reduced motion: the scroll to a far target is instant (smooth scrolling would not
  // advance on the test's virtual clock anyway).
  const realMatchMedia = window.matchMedia;
  window.matchMedia = (q) => ({ matches: q.includes("reduce"), media: q, addEventListener() {}, removeEventListener() {} });
  running.push(() => (window.matchMedia = realMatchMedia));
  const t = run(STEPS);
  t.tour.start(0);
  t.dialog().querySelector("[data-nudgelayer-action=next]").click();
  eq(t.dialog().dataset.nudgelayerStep, "1");
  eq(t.dialog().querySelector("[data-nudgelayer-action=back]").hidden, false);
  t.key("ArrowLeft");
  eq(t.dialog().dataset.nudgelayerStep, "0");
  eq(t.dialog().querySelector("[data-nudgelayer-action=back]").hidden, true, "no Back on the first step");
  t.key("ArrowRight");
  t.key("ArrowRight");
  eq(t.dialog().dataset.nudgelayerStep, "2");
  t.key("ArrowRight");
  eq(t.dialog().dataset.nudgelayerStep, "2", "ArrowRight on the last step does not finish the tour");
  // The far target was scrolled into view.
  await sleep(1500);
  const r = $("#far").getBoundingClientRect();
  eq(r.top >= 0 && r.bottom <= innerHeight, true, `scrolled into view (top ${r.top})`);
  const next = t.dialog().querySelector("[data-nudgelayer-action=next]");
  eq(next.textContent, "Done");
  next.click();
  eq(t.dialog(), null);
  const viewed = t.events.filter((e) => e.type === "tour.step_viewed").map((e) => e.step);
  eq(JSON.stringify(viewed), JSON.stringify([0, 1, 0, 1, 2]));
  eq(t.events.at(-1).type, "tour.completed");
  eq(t.events.at(-1).step, 2);
  scrollTo(0, 0);
  t.stop();
});

test("Tab stays within the step and its target", () => {
  const t = run(STEPS);
  t.tour.start(1); // the filter box: a focusable target
  const seen = new Set();
  for (let i = 0; i < 8; i++) {
    t.key("Tab");
    const el = deepActive();
    seen.add(el.id === "filter" ? "target" : el.dataset?.nudgelayerAction ?? el.localName);
  }
  eq(seen.has("target"), true, "the target is in the cycle");
  eq(seen.has("next"), true, [...seen].join(","));
  eq([...seen].every((s) => ["target", "next", "back", "skip", "close"].includes(s)), true, [...seen].join(","));
  t.key("Tab", { shiftKey: true });
  const back = deepActive();
  eq(back.id === "filter" || !!back.dataset?.nudgelayerAction, true, `Shift+Tab went to ${back.outerHTML.slice(0, 80)}`);
  t.stop();
});

test("a late target is waited for; a missing one is reported and the tour goes on", async () => {
  const t = run([
    { target: { selector: "#late" }, title: "Late" },
    { target: { selector: "#never" }, title: "Missing" },
    { target: { selector: "#assign" }, title: "Last" },
  ]);
  t.tour.start(0);
  eq(t.dialog().hidden, true, "nothing shown while waiting");
  setTimeout(() => {
    const b = document.createElement("button");
    b.id = "late";
    b.textContent = "Late button";
    $("#late-slot").append(b);
  }, 2000);
  await sleep(2600);
  eq(t.dialog().hidden, false, "shown once the target arrived");
  eq(t.dialog().dataset.state, "anchored");
  eq(types(t.events).includes("tour.target_not_found"), false);
  t.dialog().querySelector("[data-nudgelayer-action=next]").click();
  await sleep(8500);
  eq(t.dialog().hidden, false);
  eq(t.dialog().dataset.state, "centred");
  eq(t.dialog().textContent.includes("We couldn't find this on the page"), true);
  const missing = t.events.find((e) => e.type === "tour.target_not_found");
  eq(missing.step, 1);
  eq(missing.reason, "no candidate matched");
  eq(t.events.filter((e) => e.type === "tour.step_viewed").length, 2, "the centred step counts as viewed");
  t.dialog().querySelector("[data-nudgelayer-action=next]").click();
  eq(t.dialog().dataset.state, "anchored");
  $("#late").remove();
  t.stop();
});

test("a step on another page waits there, with a link only for a concrete URL", () => {
  const t = run([
    { target: { selector: "#assign" }, title: "Elsewhere", url: "https://other.example/settings" },
    { target: { selector: "#assign" }, title: "Somewhere", url: "https://other.example/*" },
    { target: { selector: "#assign" }, title: "Here", url: here },
  ]);
  t.tour.start(0);
  const d = t.dialog();
  eq(d.dataset.state, "elsewhere");
  const link = d.querySelector("[data-nudgelayer-action=goto]");
  eq(link.hidden, false);
  eq(link.getAttribute("href"), "https://other.example/settings");
  eq(types(t.events).includes("tour.step_viewed"), false, "not viewed until its page");
  d.querySelector("[data-nudgelayer-action=next]").click();
  eq(d.dataset.state, "elsewhere");
  eq(link.hidden, true, "a glob is not a link");
  d.querySelector("[data-nudgelayer-action=next]").click();
  eq(d.dataset.state, "anchored");
  t.stop();
});

test("advance on click: clicking the target moves on", async () => {
  const t = run([
    { target: { selector: "#assign" }, title: "Click it", advance: "click" },
    { target: { selector: "#filter" }, title: "Then filter" },
  ]);
  t.tour.start(0);
  eq(t.dialog().textContent.includes("Click the highlighted element"), true);
  $("#assign").click();
  await sleep(10);
  eq(t.dialog().dataset.nudgelayerStep, "1");
  t.stop();
});

test("only one tour at a time; one started on its own waits for the other", () => {
  const a = run(STEPS);
  const b = run([{ target: { selector: "#filter" }, title: "Second tour" }]);
  a.tour.request(0, {});
  eq(a.tour.active, true, "a runs");
  b.tour.request(0, {});
  eq(b.dialog(), null, "waits");
  a.dialog().querySelector("[data-nudgelayer-action=skip]").click();
  eq(a.events.at(-1).how, "skip");
  eq(!!b.dialog(), true, "starts once the first one ends");
  a.stop();
  b.stop();
});

test("a click trigger starts the tour; the help launcher lists it and replays it", async () => {
  const t = run([{ target: { selector: "#filter" }, title: "Filter" }]);
  t.tour.exp.content.trigger = { type: "click", selector: "#assign" };
  t.tour.init();
  await sleep(10);
  eq(t.dialog(), null, "not on its own");
  const launcher = t.shadow().querySelector("[data-nudgelayer-part=launcher-button]");
  eq(launcher.getAttribute("aria-label"), "Help: tours on this page");
  $("#assign").click();
  eq(!!t.dialog(), true, "started by the click");
  eq(t.shadow().querySelector("[data-nudgelayer-part=launcher]").hidden, true, "launcher out of the way meanwhile");
  t.dialog().querySelector("[data-nudgelayer-action=next]").click(); // Done
  eq(t.dialog(), null);
  launcher.click();
  eq(launcher.getAttribute("aria-expanded"), "true");
  const item = t.shadow().querySelector("[data-nudgelayer-action=start-tour]");
  eq(item.textContent, "Onboarding");
  item.click();
  eq(!!t.dialog(), true, "replayed from the launcher");
  eq(types(t.events).filter((x) => x === "tour.started").length, 2);
});

test("a preview reports nothing and ends the preview when closed", () => {
  let ended = false;
  const t = run(STEPS, { preview: true, dismiss: () => (ended = true), report: () => {}, viewed: () => {} });
  t.tour.init();
  eq(!!t.dialog(), true, "starts at once");
  t.dialog().querySelector("[data-nudgelayer-action=close]").click();
  eq(ended, true);
  t.stop();
});

report();
