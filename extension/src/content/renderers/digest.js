// The daily digest card: on the first visit of the day (worker: once a day, in one tab),
// what is pending for the user — warnings, goals near their deadline, checklist items,
// unanswered surveys, a streak at risk — from GET /client/nudges. Dismissed for the day
// with its button. It sits in the same corner as the What's new launcher.

import { MSG } from "../../shared/messages.js";
import { send } from "../bridge.js";
import { guard } from "../safe.js";
import { adoptSheet, h } from "../sheets.js";
import { corner, leaveCorner } from "./whatsnew.js";

const CSS = `
.nl-digest { width: min(340px, calc(100vw - 32px)); padding: 12px 14px; position: relative;
  background: #ffffff; color: #1f2937; border: 1px solid #e5e7eb; border-radius: 12px; box-shadow: 0 10px 30px rgba(15,23,42,.2); }
.nl-digest h2 { margin: 0 32px 6px 0; font-size: 15px; }
.nl-digest ul { margin: 0; padding-left: 18px; }
.nl-digest li { margin: 3px 0; }
.nl-digest .nl-kind { font-weight: 600; }
.nl-digest .nl-detail { color: #4b5563; }
.nl-digest .nl-close { position: absolute; top: 6px; right: 6px; width: 28px; height: 28px; border: 0; border-radius: 6px;
  background: transparent; color: #4b5563; font: 20px/1 system-ui, sans-serif; cursor: pointer; }
.nl-digest .nl-close:focus-visible { outline: 2px solid #1d4ed8; outline-offset: 1px; }
@media (prefers-color-scheme: dark) {
  .nl-digest { background: #1f2937; color: #f9fafb; border-color: #374151; }
  .nl-digest .nl-detail, .nl-digest .nl-close { color: #d1d5db; }
}
`;
const KIND_LABEL = { warning: "Warning", goal: "Goal", checklist: "Checklist", survey: "Survey", streak: "Streak" };

/**
 * @param {object} experience {id: -2, kind: "digest", content: {items}}
 * @param {import("./common.js").RendererContext} ctx
 */
export function initDigest(experience, { signal, overlay }) {
  const list = h("ul");
  const close = h("button", { type: "button", class: "nl-close", "aria-label": "Dismiss for today", text: "\u00d7" });
  const card = h("section", {
    class: "nl-digest",
    "aria-labelledby": "nl-digest-title",
    "data-nudgelayer-kind": "digest",
  }, [close, h("h2", { id: "nl-digest-title", text: "Pending for you today" }), list]);

  const setItems = (items) => {
    list.replaceChildren(
      ...items.map((item) =>
        h("li", {}, [
          h("span", { class: "nl-kind", text: `${KIND_LABEL[item.kind] ?? "To do"}: ` }),
          h("span", { text: item.title }),
          item.detail ? h("span", { class: "nl-detail", text: ` (${item.detail})` }) : null,
        ]),
      ),
    );
  };
  setItems(experience.content.items);

  close.addEventListener("click", guard(() => {
    leaveCorner(card);
    send({ type: MSG.CONTENT_DIGEST_DISMISSED });
  }, "digest dismiss"));

  const shadow = overlay.root();
  adoptSheet(shadow, "digest", CSS);
  corner(shadow).prepend(card);

  signal.addEventListener("abort", () => leaveCorner(card));
  return {
    update(next) {
      setItems(next.content.items);
      return true;
    },
  };
}
