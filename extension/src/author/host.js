// Author mode's own host element and open shadow root, separate from the runtime's
// overlay: the panel and the picker's outline live here, and removing the host
// removes all of them.

import { AUTHOR_CSS } from "./styles.js";

export const AUTHOR_TAG = "nudgelayer-author";

// Inline !important: a page's stylesheet cannot hide or move the host.
const HOST_STYLE = [
  ["all", "initial"],
  ["position", "fixed"],
  ["z-index", "2147483647"],
  ["top", "0"],
  ["left", "0"],
  ["width", "0"],
  ["height", "0"],
  ["display", "block"],
  ["overflow", "visible"],
  ["pointer-events", "none"],
];

/** @returns {{host: HTMLElement, root: ShadowRoot, destroy: () => void}} */
export function createHost() {
  const host = document.createElement(AUTHOR_TAG);
  for (const [prop, value] of HOST_STYLE) host.style.setProperty(prop, value, "important");
  host.setAttribute("data-nudgelayer-author", "");
  const root = host.attachShadow({ mode: "open" });
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(AUTHOR_CSS);
    root.adoptedStyleSheets = [sheet];
  } catch {
    const style = document.createElement("style");
    style.textContent = AUTHOR_CSS;
    root.append(style);
  }
  document.documentElement.append(host);
  // Some apps rebuild <html>'s children; put the host back, as the runtime's overlay does.
  const observer = new MutationObserver(() => {
    if (!host.isConnected) document.documentElement.append(host);
  });
  observer.observe(document.documentElement, { childList: true });
  return {
    host,
    root,
    destroy() {
      observer.disconnect();
      host.remove();
    },
  };
}
