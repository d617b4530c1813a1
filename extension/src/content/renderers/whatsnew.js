// What's new: a launcher in the page's corner with the unread count, opening a panel of
// the workspace's changelog entries (written in the console). Opening it marks them read
// on the server, so every device of the user drops the count. Shown only on the pages
// the workspace chose (nudge settings: overlay_url); the worker adds it as a
// pseudo-experience of kind "whatsnew".

import { MSG } from "../../shared/messages.js";
import { renderMarkdown } from "../../shared/markdown.js";
import { send } from "../bridge.js";
import { restoreFocus } from "../card.js";
import { guard } from "../safe.js";
import { adoptSheet, h } from "../sheets.js";

export const CORNER_CSS = `
.nl-corner { position: fixed; right: 16px; bottom: 16px; display: flex; flex-direction: column; align-items: flex-end; gap: 10px; z-index: 2;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; text-align: left; direction: ltr; pointer-events: none; }
.nl-corner > * { pointer-events: auto; }
.nl-launcher { display: inline-flex; align-items: center; gap: 8px; padding: 8px 14px; border: 0; border-radius: 999px; cursor: pointer;
  background: #3730a3; color: #ffffff; font: 600 14px/1.2 system-ui, sans-serif; box-shadow: 0 6px 18px rgba(15,23,42,.3); }
.nl-launcher:hover { background: #312e81; }
.nl-launcher:focus-visible, .nl-panel :focus-visible { outline: 2px solid #1d4ed8; outline-offset: 2px; }
.nl-sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.nl-count { min-width: 20px; padding: 1px 6px; border-radius: 999px; background: #ffffff; color: #3730a3; font-size: 12px; text-align: center; }
.nl-panel { width: min(360px, calc(100vw - 32px)); max-height: min(480px, calc(100vh - 96px)); overflow: auto; padding: 14px 16px;
  background: #ffffff; color: #1f2937; border: 1px solid #e5e7eb; border-radius: 12px; box-shadow: 0 10px 30px rgba(15,23,42,.2); }
.nl-panel h2 { margin: 0 32px 8px 0; font-size: 16px; }
.nl-panel h3 { margin: 12px 0 2px; font-size: 14px; }
.nl-panel time { color: #4b5563; font-size: 12px; }
.nl-panel p, .nl-panel ul { margin: 4px 0; }
.nl-panel a { color: #3730a3; }
.nl-panel .nl-close { position: absolute; margin: -6px 0 0 0; right: 8px; width: 28px; height: 28px; border: 0; border-radius: 6px;
  background: transparent; color: #4b5563; font: 20px/1 system-ui, sans-serif; cursor: pointer; }
.nl-panel { position: relative; }
@media (prefers-color-scheme: dark) {
  .nl-panel { background: #1f2937; color: #f9fafb; border-color: #374151; }
  .nl-panel time, .nl-panel .nl-close { color: #d1d5db; }
  .nl-panel a { color: #a5b4fc; }
}
`;

/** The corner column shared by the launcher and the digest card. */
export function corner(shadow) {
  adoptSheet(shadow, "corner", CORNER_CSS);
  return shadow.querySelector(".nl-corner") ?? shadow.appendChild(h("div", { class: "nl-corner" }));
}

export function leaveCorner(el) {
  const parent = el.parentElement;
  el.remove();
  if (parent?.classList.contains("nl-corner") && !parent.childElementCount) parent.remove();
}

const dateText = (iso) => new Date(iso).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });

/**
 * @param {object} experience {id: -1, kind: "whatsnew", content: {unread}}
 * @param {import("./common.js").RendererContext} ctx
 */
export function initWhatsNew(experience, { signal, overlay }) {
  let unread = experience.content.unread;
  // The visible count is part of the button's name ("What's new 2 unread"): what is seen is
  // what a voice-control user says.
  const count = h("span", { class: "nl-count" });
  const unreadWord = h("span", { class: "nl-sr", text: " unread" });
  const launcher = h("button", {
    type: "button",
    class: "nl-launcher",
    "aria-expanded": "false",
    "aria-controls": "nl-whatsnew-panel",
    "data-nudgelayer-kind": "whatsnew",
    "data-nudgelayer-part": "launcher",
  }, [h("span", { text: "What's new" }), count, unreadWord]);
  const title = h("h2", { id: "nl-whatsnew-title", text: "What's new" });
  const list = h("div", { class: "nl-entries" });
  const close = h("button", { type: "button", class: "nl-close", "aria-label": "Close", text: "\u00d7" });
  const panel = h("div", {
    id: "nl-whatsnew-panel",
    class: "nl-panel",
    role: "dialog",
    "aria-modal": "false",
    "aria-labelledby": "nl-whatsnew-title",
    "data-nudgelayer-kind": "whatsnew",
    "data-nudgelayer-part": "panel",
    tabindex: "-1",
    hidden: true,
  }, [close, title, list]);

  const showCount = () => {
    count.textContent = String(unread);
    count.hidden = unread === 0;
    unreadWord.hidden = unread === 0;
    launcher.dataset.nudgelayerUnread = String(unread);
  };

  const setOpen = async (open) => {
    launcher.setAttribute("aria-expanded", String(open));
    panel.hidden = !open;
    if (!open) return;
    list.replaceChildren(h("p", { text: "Loading…" }));
    panel.focus({ preventScroll: true });
    const answer = await send({ type: MSG.CONTENT_WHATSNEW, read: true });
    if (signal.aborted) return;
    const entries = answer?.entries ?? [];
    unread = answer?.ok ? 0 : unread;
    showCount();
    list.replaceChildren(
      ...(entries.length
        ? entries.map((e) =>
            h("article", {}, [
              h("h3", { text: e.title }),
              h("time", { datetime: e.published_at, text: dateText(e.published_at) }),
              renderMarkdown(e.body),
            ]),
          )
        : [h("p", { text: answer?.ok ? "Nothing new yet." : "Could not load the news. Try again later." })]),
    );
  };

  launcher.addEventListener("click", guard(() => setOpen(launcher.getAttribute("aria-expanded") !== "true"), "whatsnew toggle"));
  close.addEventListener("click", guard(() => {
    setOpen(false);
    restoreFocus(launcher);
  }, "whatsnew close"));
  panel.addEventListener("keydown", guard((event) => {
    if (event.key !== "Escape") return;
    event.stopPropagation();
    setOpen(false);
    restoreFocus(launcher);
  }, "whatsnew key"));

  const home = corner(overlay.root());
  home.append(panel, launcher);
  showCount();

  signal.addEventListener("abort", () => {
    leaveCorner(panel);
    leaveCorner(launcher);
  });

  return {
    update(next) {
      unread = next.content.unread;
      showCount();
      return true;
    },
  };
}
