// Browser side of progress/dom.test.mjs: badges and checklists rendered as the runtime
// renders them, against a stand-in worker (chrome.runtime) that answers content:progress.

import { MSG } from "../../shared/messages.js";
import { Overlay } from "../overlay.js";
import { initBadge } from "../renderers/badge.js";
import { initChecklist } from "../renderers/checklist.js";
import { cases } from "./cases.js";

const { test, report } = cases();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function eq(actual, expected, what = "") {
  if (actual !== expected) throw new Error(`${what} expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

// The stand-in worker: a progress snapshot, and every message the page sent.
const worker = {
  progress: { checklists: [], counters: [], summary: { available: false, reminders: 0 } },
  ui: {},
  sent: [],
  listeners: [],
  changed() {
    for (const fn of this.listeners) fn({ type: MSG.BG_EXPERIENCES_CHANGED });
  },
};
globalThis.chrome = {
  runtime: {
    id: "test",
    getURL: (p) => p,
    onMessage: { addListener: (fn) => worker.listeners.push(fn) },
    async sendMessage(msg) {
      worker.sent.push(msg);
      if (msg.op === "get") return { ok: true, signedIn: true, progress: structuredClone(worker.progress), ui: worker.ui };
      if (msg.op === "tick") {
        const c = worker.progress.checklists.find((x) => x.id === msg.experience_id);
        const done = new Set(c.done);
        if (msg.done) done.add(msg.index);
        else done.delete(msg.index);
        c.done = [...done].sort();
        c.ticked = msg.done ? [...new Set([...c.ticked, msg.index])] : c.ticked.filter((i) => i !== msg.index);
        c.complete = c.done.length === c.total;
        return { ok: true, state: structuredClone(c) };
      }
      return { ok: true };
    },
  },
};

function mount(init, experience) {
  const controller = new AbortController();
  const overlay = new Overlay();
  const ctx = { signal: controller.signal, overlay, viewed: () => {}, dismiss: () => {}, report: () => {} };
  const instance = init(experience, ctx);
  const q = (sel) => overlay.shadow?.querySelector(sel) ?? null;
  const stop = () => {
    controller.abort();
    overlay.destroy();
  };
  return { instance, q, stop, overlay };
}

const LIST = {
  id: 5,
  kind: "checklist",
  version: 1,
  content: {
    title: "Get started",
    items: [{ title: "Open the queue", url: "https://t.test/queue" }, { title: "Save" }, { title: "Ask" }],
  },
};

test("a checklist shows what the server says, and a hand tick updates it", async () => {
  worker.progress.checklists = [{ id: 5, version: 1, total: 3, done: [0], ticked: [], complete: false }];
  const { q, stop } = mount(initChecklist, LIST);
  try {
    await sleep(50);
    eq(q("[data-nudgelayer-part=count]").textContent, "1 of 3", "count");
    const boxes = [...q("section").querySelectorAll("input[type=checkbox]")];
    eq(boxes.map((b) => b.checked).join(), "true,false,false", "checked");
    // Done by a rule: cannot be unticked by hand.
    eq(boxes[0].disabled, true, "rule-done disabled");
    eq(q("[role=progressbar]").getAttribute("aria-valuenow"), "1", "bar");
    eq(q("a").getAttribute("href"), "https://t.test/queue", "link to the item's page");
    eq(q("[role=status]").textContent, "Good start!", "first milestone");
    boxes[1].click();
    await sleep(50);
    const tick = worker.sent.find((m) => m.op === "tick");
    eq(JSON.stringify([tick.experience_id, tick.index, tick.done]), "[5,1,true]", "tick sent");
    eq(q("[data-nudgelayer-part=count]").textContent, "2 of 3", "after tick");
    eq(boxes[1].disabled, false, "a hand tick can be undone");
    // Collapsing hides the items and is remembered by the worker.
    q("[data-nudgelayer-action=toggle]").click();
    eq(q("[data-nudgelayer-action=toggle]").getAttribute("aria-expanded"), "false", "collapsed");
    eq(q(".nl-cl-body").hidden, true, "body hidden");
    const ui = worker.sent.filter((m) => m.op === "ui" && "collapsed" in m).pop();
    eq(ui.collapsed, true, "collapsed sent");
  } finally {
    stop();
  }
});

test("completing the checklist celebrates once, with a message", async () => {
  worker.progress.checklists = [{ id: 5, version: 1, total: 3, done: [0, 1], ticked: [1], complete: false }];
  worker.ui = { 5: { seen: 2 } };
  worker.changed(); // the page's copy of the progress is this one before the widget mounts
  await sleep(20);
  const { q, stop } = mount(initChecklist, LIST);
  try {
    await sleep(50);
    eq(q("[role=status]").textContent, "", "no message for what was already seen");
    q("section").querySelectorAll("input[type=checkbox]")[2].click();
    await sleep(50);
    eq(q("[role=status]").textContent, "All done. Well done!", "final message");
    eq(q("section").dataset.complete, "true", "complete");
    // Motion is allowed in this browser: the burst is there, and hidden from assistive tech.
    eq(q(".nl-confetti")?.getAttribute("aria-hidden"), "true", "celebration");
  } finally {
    worker.ui = {};
    stop();
  }
});

test("a wizard follows the page: the current step is the last one located here", async () => {
  const here = location.href.split("#")[0];
  worker.progress.checklists = [{ id: 6, version: 1, total: 3, done: [0], ticked: [], complete: false }];
  const wizard = {
    id: 6,
    kind: "checklist",
    version: 1,
    content: {
      title: "New ticket",
      mode: "wizard",
      items: [
        { title: "Customer", url: here },
        { title: "Problem", url: here, selector: "#problem-form" },
        { title: "Review", url: "https://t.test/review" },
      ],
    },
  };
  // Headless Chromium on virtual time paints no frames, so the page watcher (one rAF
  // per burst of mutations) does not run here: each state is checked on a fresh mount.
  let view = mount(initChecklist, wizard);
  try {
    await sleep(50);
    eq(view.q("[data-nudgelayer-part=count]").textContent, "Step 1 of 3", "no form yet");
    view.stop();
    const form = document.createElement("form");
    form.id = "problem-form";
    document.body.append(form);
    view = mount(initChecklist, wizard);
    await sleep(50);
    eq(view.q("[data-nudgelayer-part=count]").textContent, "Step 2 of 3", "the form is there");
    const steps = [...view.q("ol").children];
    eq(steps[1].getAttribute("aria-current"), "step", "current step marked");
    eq(steps[0].getAttribute("aria-current"), null, "one current step");
    eq(steps[0].dataset.done, "true", "done step");
    eq(view.q("[role=progressbar]").getAttribute("aria-valuenow"), "2", "bar at the step");
    form.remove();
  } finally {
    view.stop();
  }
});

test("a counter badge shows the live number and hides when it has none to show", async () => {
  const target = document.createElement("button");
  target.id = "queue";
  target.textContent = "Queue";
  document.body.append(target);
  worker.progress.counters = [{ source: "signal", key: "queue.pending", scope: "workspace", value: 3, ts: "2026-01-01T00:00:00Z" }];
  const badge = {
    id: 8,
    kind: "badge",
    version: 1,
    content: {
      target: { selector: "#queue" },
      label: "{{count}} pending",
      counter: { source: "signal", key: "queue.pending" },
      hide_when_zero: true,
    },
  };
  const { q, stop } = mount(initBadge, badge);
  try {
    await sleep(100);
    eq(q("[data-nudgelayer-kind=badge]").textContent, "3 pending", "first value");
    eq(q("[data-nudgelayer-kind=badge]").hidden, false, "shown");
    worker.progress.counters[0] = { ...worker.progress.counters[0], value: 5 };
    worker.changed();
    await sleep(50);
    eq(q("[data-nudgelayer-kind=badge]").textContent, "5 pending", "pushed value");
    worker.progress.counters[0] = { ...worker.progress.counters[0], value: 0 };
    worker.changed();
    await sleep(50);
    eq(q("[data-nudgelayer-kind=badge]").hidden, true, "hidden at zero");
  } finally {
    stop();
    target.remove();
  }
});

report();
