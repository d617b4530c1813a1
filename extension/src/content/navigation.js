// Notice in-page (SPA) navigation without patching anything in the page.
//
// A content script lives in an isolated world: wrapping the page's history.pushState
// would wrap our copy, not the page's. The Navigation API reports every same-document
// navigation to every world, so it is used when present; otherwise popstate plus a
// cheap look at location.href twice a second, only while the tab is visible.

import { guard } from "./safe.js";

const POLL_MS = 500;

/** The part of a URL that makes it another page for us (the fragment never matters). */
export const pageKey = (href) => href.split("#", 1)[0];

/**
 * Call `onChange(href)` when the page's URL (without fragment) changes.
 * @param {(href: string) => void} onChange
 * @param {AbortSignal} signal
 */
export function watchNavigation(onChange, signal) {
  let last = pageKey(location.href);
  const check = guard(() => {
    const now = pageKey(location.href);
    if (now === last) return;
    last = now;
    onChange(location.href);
  }, "navigation check");

  addEventListener("popstate", check, { signal });
  const nav = globalThis.navigation;
  if (nav && typeof nav.addEventListener === "function") {
    // Fires after the URL changed (unlike "navigate", which fires before).
    nav.addEventListener("currententrychange", check, { signal });
    return;
  }
  let timer = 0;
  const sync = () => {
    clearInterval(timer);
    timer = document.visibilityState === "visible" && !signal.aborted ? setInterval(check, POLL_MS) : 0;
    if (timer) check();
  };
  document.addEventListener("visibilitychange", guard(sync, "visibility"), { signal });
  signal.addEventListener("abort", () => clearInterval(timer));
  sync();
}
