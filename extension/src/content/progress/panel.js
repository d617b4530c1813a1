// The personal panel: points, streaks, achievements, goals (commit with a confirmation,
// a chart once committed, reminders near the deadline) and the team leaderboard. A
// non-modal dialog above the launcher; Esc or the close button closes it and gives
// focus back to the launcher. Everything comes from GET /client/gamification.

import { MSG } from "../../shared/messages.js";
import { send } from "../bridge.js";
import { guard } from "../safe.js";
import { goalChart } from "./chart.js";
import { act, refresh } from "./client.js";
import { dockAppend, dockRemove } from "./dock.js";

let counter = 0;

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function button(text, onClick, { quiet = false, className = "nl-btn" } = {}) {
  const b = el("button", className, text);
  b.type = "button";
  if (quiet) b.dataset.quiet = "";
  b.addEventListener("click", guard(onClick, "progress panel"));
  return b;
}

const day = (iso) => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : d.toLocaleDateString(undefined, { weekday: "short", day: "numeric", month: "short" });
};

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

function progressBar(value, max, label) {
  const bar = el("div", "nl-bar");
  bar.setAttribute("role", "progressbar");
  bar.setAttribute("aria-label", label);
  bar.setAttribute("aria-valuemin", "0");
  bar.setAttribute("aria-valuemax", String(max));
  bar.setAttribute("aria-valuenow", String(Math.min(value, max)));
  const fill = el("div", "nl-bar-fill");
  fill.style.width = `${max ? Math.min(100, Math.round((100 * value) / max)) : 0}%`;
  bar.append(fill);
  return bar;
}

/**
 * @param {import("../overlay.js").Overlay} overlay
 * @param {HTMLElement} launcher the button that opened it (focus goes back there)
 * @param {AbortSignal} signal
 */
export function openPanel(overlay, launcher, signal) {
  const uid = `nl-panel-${++counter}`;
  const card = el("section", "nl-card nl-p");
  card.id = uid;
  card.setAttribute("role", "dialog");
  card.setAttribute("aria-modal", "false");
  card.setAttribute("aria-labelledby", `${uid}-h`);
  card.dataset.nudgelayerPart = "progress-panel";
  const inner = el("div", "nl-panel");
  inner.tabIndex = -1;
  const heading = el("h2", "", "Your progress");
  heading.id = `${uid}-h`;
  const content = el("div");
  content.setAttribute("aria-live", "polite");
  content.append(el("p", "nl-muted", "Loading…"));
  const closeButton = button("\u00d7", () => close(), { className: "nl-icon-button nl-close" });
  closeButton.setAttribute("aria-label", "Close");
  inner.append(heading, content);
  card.append(inner, closeButton);

  let closed = false;
  function close({ restoreFocus = true } = {}) {
    if (closed) return;
    closed = true;
    dockRemove(card);
    launcher.setAttribute("aria-expanded", "false");
    launcher.removeAttribute("aria-controls");
    if (restoreFocus && launcher.isConnected) launcher.focus({ preventScroll: true });
  }
  card.addEventListener(
    "keydown",
    guard((event) => {
      if (event.key !== "Escape") return;
      event.stopPropagation();
      event.preventDefault();
      close();
    }, "panel key"),
  );
  signal.addEventListener("abort", () => close({ restoreFocus: false }));

  async function load() {
    const answer = await act("panel");
    if (closed) return;
    if (!answer?.ok || !answer.panel || typeof answer.panel !== "object") {
      content.replaceChildren(el("p", "nl-error", "Your progress could not be loaded. Try again in a moment."));
      return;
    }
    content.replaceChildren(...render(answer.panel));
  }

  function render(data) {
    const out = [];
    const points = data.points ?? {};
    const stats = el("dl", "nl-stats");
    for (const [label, value] of [
      ["Points", points.total ?? 0],
      ["This week", points.week ?? 0],
    ]) {
      const row = el("div");
      row.append(el("dt", "", label), el("dd", "", Number(value).toLocaleString()));
      stats.append(row);
    }
    out.push(stats);

    const streaks = Array.isArray(data.streaks) ? data.streaks : [];
    if (streaks.length) {
      out.push(el("h3", "", "Streaks"));
      const list = el("ul", "nl-list");
      for (const s of streaks) {
        const li = el("li");
        li.append(el("span", "", s.name));
        const today = s.active_today ? "done today" : s.current ? "keep it going today" : "start today";
        li.append(el("span", "nl-muted", `${plural(s.current ?? 0, "day")} (best ${s.best ?? 0}) · ${today}`));
        list.append(li);
      }
      out.push(list);
    }

    const achievements = Array.isArray(data.achievements) ? data.achievements : [];
    if (achievements.length) {
      out.push(el("h3", "", "Achievements"));
      const list = el("ul", "nl-list");
      for (const a of achievements) {
        const li = el("li", "nl-ach");
        li.dataset.unlocked = String(a.unlocked === true);
        const name = el("span", "nl-ach-name", a.name);
        li.append(name);
        li.append(el("span", "nl-muted", a.unlocked ? `Unlocked ${day(a.unlocked_at)}` : `${a.value} / ${a.threshold}`));
        list.append(li);
      }
      out.push(list);
    }

    const goals = Array.isArray(data.goals) ? data.goals : [];
    if (goals.length) {
      out.push(el("h3", "", "Goals"));
      for (const g of goals) out.push(goalCard(g));
    }

    const board = data.leaderboard;
    if (board?.team) out.push(...leaderboard(board));
    if (data.tz) out.push(el("p", "nl-muted", `Days count in ${data.tz} time.`));
    return out;
  }

  function goalCard(g) {
    const box = el("div", "nl-goal");
    box.dataset.nudgelayerGoalId = String(g.id);
    const titleId = `${uid}-g${g.id}`;
    const title = el("h4", "", g.title);
    title.id = titleId;
    box.append(title);
    if (g.description) box.append(el("p", "", g.description));
    const whose = g.scope === "team" ? `your team's ${g.event_type}` : g.event_type;
    box.append(el("p", "nl-muted", `${g.value} of ${g.target} ${whose} · due ${day(g.deadline)}`));
    box.append(progressBar(g.value, g.target, `${g.title}: progress`));
    if (g.reminder) box.append(el("p", "nl-reminder", g.reminder));
    if (g.status === "achieved") box.append(el("p", "nl-msg", "Goal reached."));
    if (g.status === "missed") box.append(el("p", "nl-muted", "The deadline has passed."));
    if (g.committed) {
      box.append(el("p", "nl-muted", `You committed on ${day(g.committed_at)}.`));
      box.append(goalChart(g, `${uid}-c${g.id}`));
      box.append(button("Withdraw my commitment", () => change("withdraw", g), { quiet: true }));
    } else if (g.status === "active" || g.status === "upcoming") {
      const commit = button("Commit to this goal", () => confirm(box, g, commit));
      box.append(commit);
    }
    return box;
  }

  function confirm(box, g, trigger) {
    if (box.querySelector(".nl-confirm")) return;
    const ask = el("div", "nl-confirm");
    ask.setAttribute("role", "group");
    const text = el(
      "p",
      "",
      `Commit to “${g.title}”: ${g.target} ${g.event_type} by ${day(g.deadline)}? ` +
        "You will see a reminder here as the deadline nears. You can withdraw at any time.",
    );
    text.id = `${uid}-q${g.id}`;
    ask.setAttribute("aria-labelledby", text.id);
    const row = el("div", "nl-row");
    const yes = button("Yes, I commit", () => change("commit", g));
    const no = button(
      "Cancel",
      () => {
        ask.remove();
        trigger.hidden = false;
        trigger.focus();
      },
      { quiet: true },
    );
    row.append(yes, no);
    ask.append(text, row);
    trigger.hidden = true;
    box.append(ask);
    yes.focus();
  }

  async function change(op, g) {
    const answer = await act(op, { goal_id: g.id });
    if (closed) return;
    if (!answer?.ok) {
      content.append(el("p", "nl-error", "That did not work. Try again in a moment."));
      return;
    }
    await load();
    refresh();
    content.querySelector(`[data-nudgelayer-goal-id="${g.id}"] button`)?.focus();
  }

  function leaderboard(board) {
    const out = [el("h3", "", `Team ${board.team}: last ${board.period_days} days`)];
    const table = el("table", "nl-board");
    const caption = el("caption", "nl-sr", "Points of the people in your team who chose to be shown, and yours");
    const head = el("tr");
    for (const h of ["Rank", "Name", "Points"]) {
      const th = el("th", "", h);
      th.scope = "col";
      head.append(th);
    }
    const thead = el("thead");
    thead.append(head);
    const tbody = el("tbody");
    for (const row of board.members ?? []) {
      const tr = el("tr");
      tr.dataset.you = String(row.you === true);
      const name = el("td", "", row.name ?? "");
      if (row.you && !row.visible_to_others) name.append(el("span", "nl-muted", " (only you see this)"));
      tr.append(el("td", "", row.rank), name, el("td", "", row.points));
      tbody.append(tr);
    }
    table.append(caption, thead, tbody);
    out.push(table);
    const note = el(
      "p",
      "nl-muted",
      board.opted_in ? "Your teammates see your name here. " : "Your name is hidden from your teammates. ",
    );
    if (MSG.CONTENT_OPEN_PRIVACY) {
      note.append(button("Change in privacy settings", () => send({ type: MSG.CONTENT_OPEN_PRIVACY }), { className: "nl-link" }));
    }
    out.push(note);
    const teams = Array.isArray(board.teams) ? board.teams : [];
    if (teams.length) {
      out.push(el("h3", "", "Teams: points per member"));
      const list = el("ol", "nl-list");
      for (const t of teams) {
        const li = el("li");
        li.append(el("span", "", t.yours ? `${t.team} (yours)` : t.team), el("span", "nl-muted", t.points_per_member));
        list.append(li);
      }
      out.push(list);
    }
    return out;
  }

  dockAppend(overlay, card);
  launcher.setAttribute("aria-expanded", "true");
  launcher.setAttribute("aria-controls", uid);
  inner.focus({ preventScroll: true });
  load();
  return { close };
}
