// The card shared by tooltips and hotspots: a non-modal dialog with a title, a
// Markdown body and a close button. Built with DOM APIs only.

import { renderMarkdown } from "../shared/markdown.js";
import { guard } from "./safe.js";

let counter = 0;
// Cards may overlap; the one the user points at or tabs into comes to the front.
let frontmost = 10;

/**
 * @param {{id: number, kind: string, content: {title: string, body?: string}}} experience
 * @param {{onClose: (how: "button"|"escape") => void, closeLabel?: string}} options
 */
export function createCard(experience, { onClose, closeLabel = "Close" }) {
  const uid = `nl-${experience.id}-${++counter}`;
  const card = document.createElement("div");
  card.className = "card";
  card.id = `${uid}-card`;
  card.setAttribute("role", "dialog");
  card.setAttribute("aria-modal", "false");
  card.setAttribute("aria-labelledby", `${uid}-title`);
  card.setAttribute("aria-describedby", `${uid}-body`);
  card.tabIndex = -1;
  card.hidden = true;
  card.dataset.nudgelayerExperienceId = String(experience.id);
  card.dataset.nudgelayerKind = experience.kind;

  const title = document.createElement("h2");
  title.className = "title";
  title.id = `${uid}-title`;

  const body = document.createElement("div");
  body.className = "body";
  body.id = `${uid}-body`;

  const close = document.createElement("button");
  close.type = "button";
  close.className = "close";
  close.setAttribute("aria-label", closeLabel);
  close.dataset.nudgelayerAction = "close";
  close.textContent = "\u00d7";
  close.addEventListener("click", () => onClose("button"));

  const arrowEl = document.createElement("div");
  arrowEl.className = "arrow";
  arrowEl.setAttribute("aria-hidden", "true");

  card.append(title, body, close, arrowEl);
  const toFront = () => {
    if (Number(card.style.zIndex) !== frontmost) card.style.zIndex = String(++frontmost);
  };
  card.addEventListener("pointerenter", toFront);
  card.addEventListener("focusin", toFront);
  card.addEventListener(
    "keydown",
    guard((event) => {
      if (event.key !== "Escape") return;
      // Ours alone: the host page must not also react (e.g. close its own modal).
      event.stopPropagation();
      event.preventDefault();
      onClose("escape");
    }, "card key"),
  );

  const setContent = (exp) => {
    title.textContent = exp.content.title;
    body.replaceChildren(renderMarkdown(exp.content.body ?? ""));
    card.dataset.nudgelayerVersion = String(exp.version);
  };
  setContent(experience);

  return { el: card, arrowEl, closeButton: close, setContent };
}

/** Is focus inside `el` (which lives in a shadow root)? */
export function hasFocusWithin(el) {
  const active = el.getRootNode().activeElement;
  return Boolean(active && (active === el || el.contains(active)));
}

/** Put focus back where it was before it entered our UI, else on `fallback` if focusable. */
export function restoreFocus(previous, fallback) {
  for (const el of [previous, fallback]) {
    if (el && el.isConnected && typeof el.focus === "function") {
      el.focus({ preventScroll: true });
      if (el.ownerDocument.activeElement === el) return;
    }
  }
}
