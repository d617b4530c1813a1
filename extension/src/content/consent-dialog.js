// The first-run privacy dialog itself: loaded (import(), like tour.js) only on the
// first page that asks, so content.js does not carry it for the pages that never do.
// A non-modal dialog in the overlay's shadow root, built with DOM APIs only.

const CSS = `
.consent {
  position: fixed; right: 16px; bottom: 16px; width: min(360px, calc(100vw - 32px));
  margin: 0; padding: 14px 16px; box-sizing: border-box;
  background: #ffffff; color: #1f2937; border: 1px solid #d1d5db; border-radius: 10px;
  box-shadow: 0 10px 30px rgba(15, 23, 42, 0.2);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  text-align: left; direction: ltr; pointer-events: auto; z-index: 20;
}
.consent h2 { margin: 0 0 6px; font-size: 15px; font-weight: 600; line-height: 1.3; }
.consent p { margin: 0 0 12px; color: #374151; }
.consent .row { display: flex; gap: 8px; flex-wrap: wrap; align-items: center; }
.consent button {
  font: inherit; font-weight: 600; padding: 6px 14px; margin: 0; border-radius: 6px; cursor: pointer;
  border: 1px solid #4338ca; background: #4338ca; color: #ffffff;
}
.consent button.quiet { background: #ffffff; color: #3730a3; }
.consent a { color: #3730a3; text-decoration: underline; margin-left: auto; }
.consent button:focus-visible, .consent a:focus-visible { outline: 2px solid #4338ca; outline-offset: 2px; }
@media (prefers-color-scheme: dark) {
  .consent { background: #1f2937; color: #f9fafb; border-color: #4b5563; }
  .consent p { color: #d1d5db; }
  .consent button.quiet { background: #1f2937; color: #c7d2fe; border-color: #a5b4fc; }
  .consent a { color: #c7d2fe; }
}
`;

function addStyles(shadow) {
  if (shadow.querySelector("style[data-nudgelayer-consent]")) return;
  const style = document.createElement("style");
  style.dataset.nudgelayerConsent = "";
  style.textContent = CSS;
  shadow.append(style);
}

function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "text") node.textContent = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

/**
 * Show the dialog in `shadow`.
 * @param {ShadowRoot} shadow the overlay's
 * @param {{choose: (choice: "all"|"essential") => void, openSettings: () => void, hide: () => void}} actions
 * @returns {HTMLElement} the dialog
 */
export function showConsentDialog(shadow, { choose, openSettings, hide }) {
  addStyles(shadow);
  const title = el("h2", { id: "nl-consent-title", text: "Your privacy with Nudgelayer" });
  const body = el("p", {
    id: "nl-consent-body",
    text:
      "Your team can learn from how you use these tips: which ones you see and open, " +
      "your name on survey answers, and your place on team leaderboards. Without your " +
      "permission, only what the tips need to work is kept, such as the ones you closed.",
  });
  const allow = el("button", { type: "button", dataset: { nudgelayerAction: "consent-allow" }, text: "Allow" });
  const essential = el("button", {
    type: "button",
    class: "quiet",
    dataset: { nudgelayerAction: "consent-essential" },
    text: "Only essential",
  });
  // A real link for assistive technology; the worker opens it (a page cannot).
  const settings = el("a", {
    href: chrome.runtime.getURL("options.html#privacy"),
    dataset: { nudgelayerAction: "privacy-settings" },
    text: "Privacy settings",
  });
  const dialog = el(
    "section",
    {
      class: "consent",
      role: "dialog",
      "aria-modal": "false",
      "aria-labelledby": title.id,
      "aria-describedby": body.id,
      dataset: { nudgelayerPart: "consent" },
    },
    [title, body, el("div", { class: "row" }, [allow, essential, settings])],
  );
  // Only the person decides: the shadow root is open, so a page script could click these
  // buttons itself. Its synthetic events are not trusted; a real click or key press is.
  const byPerson = (fn) => (event) => {
    if (event.isTrusted) fn(event);
  };
  allow.addEventListener("click", byPerson(() => choose("all")));
  essential.addEventListener("click", byPerson(() => choose("essential")));
  const open = (event) => {
    event.preventDefault();
    if (event.isTrusted) openSettings();
  };
  settings.addEventListener("click", open);
  settings.addEventListener("auxclick", open);
  dialog.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    // Ours alone: the host page must not also react to it.
    event.stopPropagation();
    hide();
  });
  shadow.append(dialog);
  return dialog;
}
