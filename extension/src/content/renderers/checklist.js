// Checklist: a floating widget in the bottom-left dock with a progress bar, "2 of 3",
// items ticked by the server's rules (page views, clicks, events) or by hand, a message
// at each milestone and a celebration at the end (motion only when the user allows it).
// It can be collapsed (remembered by the worker) or hidden for this version.
//
// Wizard mode follows the user through a host workflow instead: the current step is
// the last one whose url matches the page and whose selector is on it: "Step 2 of 4".
// Part of dist/progress.js; progress itself is kept by the server, across devices.

import { urlMatches } from "../../shared/targeting.js";
import { watchNavigation } from "../navigation.js";
import { act, refresh, subscribe } from "../progress/client.js";
import { dockAppend, dockRemove } from "../progress/dock.js";
import { guard } from "../safe.js";

let counter = 0;
const CONFETTI_COLOURS = ["#4338ca", "#047857", "#b45309", "#be185d", "#0369a1"];

/** Built-in milestone messages when the author wrote none: {after: message}. */
export function milestones(content) {
  const total = content.items.length;
  if (Array.isArray(content.milestones) && content.milestones.length) {
    return Object.fromEntries(content.milestones.map((m) => [m.after, m.message]));
  }
  const out = {};
  if (total > 2) out[1] = "Good start!";
  if (total >= 4) out[Math.ceil(total / 2)] = "Halfway there.";
  out[total] = "All done. Well done!";
  return out;
}

/** The message for going from `seen` to `done` items: the highest milestone passed. */
export function milestoneMessage(messages, seen, done) {
  let found = "";
  for (let n = seen + 1; n <= done; n += 1) if (messages[n]) found = messages[n];
  return found;
}

/** The wizard step the user is on: the last located step that matches here, or -1. */
export function currentStep(items, href, present) {
  let current = -1;
  items.forEach((item, i) => {
    if (!item.url && !item.selector) return;
    if (item.url && !urlMatches(item.url, href)) return;
    if (item.selector && !present(item.selector)) return;
    current = i;
  });
  return current;
}

function isPresent(selector) {
  try {
    return document.querySelector(selector) !== null;
  } catch {
    return false;
  }
}

/** A link for the item's page, when its url is one page (no wildcard) on http(s). */
function concreteUrl(url) {
  if (typeof url !== "string" || url.includes("*")) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * @param {object} experience a Published checklist
 * @param {import("./common.js").RendererContext} ctx
 */
export function initChecklist(experience, { signal, overlay, viewed, dismiss }) {
  let exp = experience;
  let state = null; // the server's {done, ticked, total, complete}
  let ui = {};
  let seen = null;
  let failed = "";
  const uid = `nl-cl-${exp.id}-${++counter}`;

  const card = el("section", "nl-card nl-p");
  card.dataset.nudgelayerExperienceId = String(exp.id);
  card.dataset.nudgelayerKind = "checklist";
  card.setAttribute("aria-labelledby", `${uid}-title`);

  const head = el("div", "nl-cl-head");
  const heading = el("h2");
  const toggle = el("button", "nl-cl-toggle");
  toggle.type = "button";
  toggle.setAttribute("aria-controls", `${uid}-body`);
  toggle.dataset.nudgelayerAction = "toggle";
  const title = el("span", "nl-cl-title");
  title.id = `${uid}-title`;
  const count = el("span", "nl-cl-count");
  count.dataset.nudgelayerPart = "count";
  const chevron = el("span", "nl-cl-chevron");
  chevron.setAttribute("aria-hidden", "true");
  toggle.append(title, count, chevron);
  heading.append(toggle);
  const close = el("button", "nl-icon-button", "\u00d7");
  close.type = "button";
  close.setAttribute("aria-label", "Hide checklist");
  close.dataset.nudgelayerAction = "close";
  head.append(heading, close);

  const body = el("div", "nl-cl-body");
  body.id = `${uid}-body`;
  const bar = el("div", "nl-bar");
  bar.setAttribute("role", "progressbar");
  bar.setAttribute("aria-valuemin", "0");
  const fill = el("div", "nl-bar-fill");
  bar.append(fill);
  const message = el("p", "nl-msg");
  message.setAttribute("role", "status");
  message.dataset.nudgelayerPart = "message";
  let list = null;
  body.append(bar, message);
  card.append(head, body);

  const wizard = () => exp.content.mode === "wizard";
  const items = () => exp.content.items;

  const buildItems = () => {
    list?.remove();
    if (wizard()) {
      list = el("ol", "nl-steps");
      list.setAttribute("aria-label", "Steps");
      for (const item of items()) list.append(el("li", "nl-step", item.title));
    } else {
      list = el("ul", "nl-items");
      items().forEach((item, i) => {
        const li = el("li", "nl-item");
        const box = el("input");
        box.type = "checkbox";
        box.id = `${uid}-item-${i}`;
        box.addEventListener("change", guard(() => tick(i, box.checked), "checklist tick"));
        const label = el("label", "", item.title);
        label.htmlFor = box.id;
        li.append(box, label);
        const href = concreteUrl(item.url);
        if (href) {
          const link = el("a", "", "Open");
          link.href = href;
          link.append(el("span", "nl-sr", ` page: ${item.title}`));
          li.append(link);
        }
        list.append(li);
      });
    }
    body.append(list);
  };

  const setMessage = (text) => {
    if (message.textContent !== text) message.textContent = text;
  };

  const celebrate = () => {
    if (matchMedia("(prefers-reduced-motion: reduce)").matches) return;
    const burst = el("div", "nl-confetti");
    burst.setAttribute("aria-hidden", "true");
    for (let i = 0; i < 24; i += 1) {
      const piece = el("span");
      piece.style.left = `${(i * 37) % 100}%`;
      piece.style.background = CONFETTI_COLOURS[i % CONFETTI_COLOURS.length];
      piece.style.animationDelay = `${(i % 6) * 60}ms`;
      burst.append(piece);
    }
    card.append(burst);
    setTimeout(() => burst.remove(), 2400);
  };

  const render = () => {
    title.textContent = exp.content.title;
    card.dataset.nudgelayerVersion = String(exp.version);
    const total = items().length;
    const done = new Set(state?.done ?? []);
    const ticked = new Set(state?.ticked ?? []);
    const doneCount = [...done].filter((i) => i < total).length;
    let countText = `${doneCount} of ${total}`;
    let now = doneCount;
    if (wizard()) {
      const step = currentStep(items(), location.href, isPresent);
      [...list.children].forEach((li, i) => {
        li.dataset.done = String(done.has(i));
        if (i === step) li.setAttribute("aria-current", "step");
        else li.removeAttribute("aria-current");
      });
      if (step >= 0) {
        countText = `Step ${step + 1} of ${total}`;
        now = step + 1;
      } else {
        countText = `${doneCount} of ${total} done`;
      }
    } else {
      [...list.children].forEach((li, i) => {
        const box = li.querySelector("input");
        const isDone = done.has(i);
        li.dataset.done = String(isDone);
        box.checked = isDone;
        // Done by a rule: the server says so, a person cannot undo it.
        box.disabled = isDone && !ticked.has(i);
      });
    }
    count.textContent = countText;
    bar.setAttribute("aria-valuemax", String(total));
    bar.setAttribute("aria-valuenow", String(now));
    bar.setAttribute("aria-valuetext", countText);
    bar.setAttribute("aria-label", `${exp.content.title}: progress`);
    fill.style.width = `${total ? Math.round((100 * now) / total) : 0}%`;
    card.dataset.complete = String(doneCount === total);

    const collapsed = ui[exp.id]?.collapsed === true;
    toggle.setAttribute("aria-expanded", String(!collapsed));
    body.hidden = collapsed;

    if (failed) {
      setMessage(failed);
    } else if (state) {
      if (seen === null) seen = Number.isInteger(ui[exp.id]?.seen) ? ui[exp.id].seen : 0;
      if (doneCount !== seen) {
        const text = milestoneMessage(milestones(exp.content), seen, doneCount);
        if (text) setMessage(text);
        if (doneCount === total && seen < total) celebrate();
        seen = doneCount;
        act("ui", { experience_id: exp.id, seen });
      }
    }
  };

  async function tick(index, done) {
    failed = "";
    const answer = await act("tick", { experience_id: exp.id, index, done });
    if (!answer?.ok) failed = "Could not save that. Try again in a moment.";
    else if (answer.state) state = answer.state;
    render();
    refresh();
  }

  toggle.addEventListener(
    "click",
    guard(() => {
      const collapsed = toggle.getAttribute("aria-expanded") === "true";
      ui = { ...ui, [exp.id]: { ...(ui[exp.id] ?? {}), collapsed } };
      act("ui", { experience_id: exp.id, collapsed });
      render();
    }, "checklist toggle"),
  );
  close.addEventListener("click", guard(() => dismiss(), "checklist close"));
  card.addEventListener(
    "keydown",
    guard((event) => {
      // Esc collapses (it never hides for good: that is the close button's job).
      if (event.key !== "Escape" || body.hidden) return;
      event.stopPropagation();
      toggle.click();
      toggle.focus();
    }, "checklist key"),
  );

  buildItems();
  render();
  dockAppend(overlay, card);
  viewed();

  subscribe((latest) => {
    state = latest.progress.checklists.find((c) => c.id === exp.id) ?? null;
    ui = latest.ui ?? {};
    render();
  }, signal);
  if (wizard()) {
    // The current step follows the page: its route and what is on it.
    watchNavigation(guard(render, "wizard navigation"), signal);
    overlay.watch(render, signal);
  }

  signal.addEventListener("abort", () => dockRemove(card));

  return {
    update(next) {
      const sameItems = JSON.stringify(next.content.items) === JSON.stringify(exp.content.items);
      const wasWizard = wizard();
      exp = next;
      if (!sameItems || wasWizard !== wizard()) buildItems();
      if (wizard() && !wasWizard) return false; // start again to watch the page
      render();
      return true;
    },
  };
}
