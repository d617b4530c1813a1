// The help launcher: a small "?" button, shown on pages that have tours, that lists
// them so a person can start or replay one. One per page, shared by all its tours.

import { guard } from "../safe.js";
import { deepActiveElement, within } from "./focus.js";
import { adoptTourStyles } from "./styles.js";

/** @typedef {{id: number, name: string, overlay: any, startFromLauncher: () => void, running: () => boolean}} LaunchableTour */

const tours = new Map();
let ui = null;

function build(overlay) {
  const shadow = overlay.root();
  const lifetime = new AbortController();
  adoptTourStyles(shadow);
  const root = document.createElement("div");
  root.className = "nl-launcher";
  root.dataset.nudgelayerPart = "launcher";

  const panel = document.createElement("div");
  panel.className = "nl-launcher-panel";
  panel.id = "nl-launcher-panel";
  panel.hidden = true;
  const heading = document.createElement("h2");
  heading.id = "nl-launcher-heading";
  heading.textContent = "Tours on this page";
  const list = document.createElement("ul");
  list.setAttribute("aria-labelledby", heading.id);
  panel.append(heading, list);

  const toggle = document.createElement("button");
  toggle.type = "button";
  toggle.className = "nl-launcher-button";
  toggle.textContent = "?";
  toggle.setAttribute("aria-label", "Help: tours on this page");
  toggle.setAttribute("aria-expanded", "false");
  toggle.setAttribute("aria-controls", panel.id);
  toggle.dataset.nudgelayerPart = "launcher-button";

  const setOpen = (open) => {
    panel.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    if (open) list.querySelector("button")?.focus();
  };
  toggle.addEventListener("click", guard(() => setOpen(panel.hidden), "launcher toggle"));
  root.addEventListener(
    "keydown",
    guard((event) => {
      if (event.key !== "Escape" || panel.hidden) return;
      event.stopPropagation();
      event.preventDefault();
      setOpen(false);
      toggle.focus();
    }, "launcher key"),
  );
  // A click anywhere else closes the list, like any disclosure menu.
  document.addEventListener(
    "pointerdown",
    guard((event) => {
      if (!panel.hidden && !within(root, event.composedPath()[0])) setOpen(false);
    }, "launcher outside"),
    { capture: true, signal: lifetime.signal },
  );
  root.append(panel, toggle);
  shadow.append(root);
  const remove = () => {
    lifetime.abort();
    root.remove();
  };
  return { root, list, toggle, panel, setOpen, overlay, remove };
}

function render() {
  const visible = [...tours.values()];
  if (!visible.length) {
    ui?.remove();
    ui = null;
    return;
  }
  const { overlay } = visible[0];
  if (!ui || ui.overlay !== overlay || !ui.root.isConnected) {
    ui?.remove();
    ui = build(overlay);
  }
  const running = visible.some((t) => t.running());
  // While a tour runs the launcher stays out of its way (and out of the Tab order).
  ui.root.hidden = running;
  const hadFocus = within(ui.root, deepActiveElement());
  ui.list.replaceChildren(
    ...visible.map((t) => {
      const li = document.createElement("li");
      const b = document.createElement("button");
      b.type = "button";
      b.className = "nl-btn";
      b.textContent = t.name;
      b.dataset.nudgelayerExperienceId = String(t.id);
      b.dataset.nudgelayerAction = "start-tour";
      b.addEventListener(
        "click",
        guard(() => {
          ui?.setOpen(false);
          t.startFromLauncher();
        }, "launcher start"),
      );
      li.append(b);
      return li;
    }),
  );
  if (hadFocus && !ui.panel.hidden) ui.list.querySelector("button")?.focus();
}

/** List `tour` in the launcher until `signal` aborts. */
export function offerInLauncher(tour, signal) {
  tours.set(tour.id, tour);
  render();
  signal.addEventListener("abort", () => {
    if (tours.get(tour.id) === tour) tours.delete(tour.id);
    render();
  });
}

/** A tour started or ended: show or hide the launcher. */
export const refreshLauncher = () => render();
