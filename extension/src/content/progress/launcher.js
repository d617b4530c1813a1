// The progress launcher: a "Your progress" button in the bottom-left dock, on pages
// where Nudgelayer shows something and the workspace has goals or gamification. It
// carries the number of goals close to their deadline, and opens the personal panel.

import { subscribe } from "./client.js";
import { dockAppend, dockRemove } from "./dock.js";
import { openPanel } from "./panel.js";
import { guard } from "../safe.js";

let current = null; // {button, lifetime, overlay}

function label(reminders) {
  return reminders ? `${reminders} goal${reminders === 1 ? "" : "s"} due soon` : "";
}

/** Show the launcher in this overlay (once; calling again keeps the same one). */
export function showLauncher(overlay) {
  if (current?.button.isConnected && current.overlay === overlay) return;
  hideLauncher();
  const lifetime = new AbortController();
  const button = document.createElement("button");
  button.type = "button";
  button.className = "nl-launch";
  button.dataset.nudgelayerPart = "progress-launcher";
  button.setAttribute("aria-expanded", "false");
  const star = document.createElement("span");
  star.setAttribute("aria-hidden", "true");
  star.textContent = "\u2605";
  const text = document.createElement("span");
  text.textContent = "Your progress";
  const dot = document.createElement("span");
  dot.className = "nl-dot";
  dot.hidden = true;
  const hint = document.createElement("span");
  hint.className = "nl-sr";
  button.append(star, text, dot, hint);

  button.addEventListener(
    "click",
    guard(() => {
      const open = button.getAttribute("aria-expanded") === "true";
      if (open) current?.panel?.close();
      else if (current) current.panel = openPanel(overlay, button, lifetime.signal);
    }, "progress launcher"),
  );
  subscribe(({ progress }) => {
    const reminders = progress.summary?.reminders ?? 0;
    dot.hidden = reminders === 0;
    dot.textContent = String(reminders);
    dot.setAttribute("aria-hidden", "true");
    hint.textContent = reminders ? `, ${label(reminders)}` : "";
  }, lifetime.signal);
  dockAppend(overlay, button, { last: true });
  current = { button, lifetime, overlay, panel: null };
}

export function hideLauncher() {
  if (!current) return;
  current.lifetime.abort();
  current.panel?.close({ restoreFocus: false });
  dockRemove(current.button);
  current = null;
}
