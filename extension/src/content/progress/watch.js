// On every page: tell the worker about the page view (it records one only when a
// checklist rule needs it), report clicks on the selectors rules watch here, and show
// the progress launcher where Nudgelayer shows anything and there is a panel to open.
// Tiny on purpose: it is part of content.js; the launcher itself is in dist/progress.js.

import { log } from "../../shared/log.js";
import { MSG } from "../../shared/messages.js";
import { send } from "../bridge.js";
import { watchNavigation } from "../navigation.js";
import { guard } from "../safe.js";
import { loadProgress } from "./lazy.js";

const CLICK_GAP_MS = 500;

/**
 * @param {import("../overlay.js").Overlay} overlay
 * @param {AbortSignal} signal
 * @returns {{presence: (showing: boolean) => void}}
 */
export function startProgressWatch(overlay, signal) {
  let selectors = [];
  let available = false;
  let showing = false;
  let module = null;
  const lastClick = new Map();

  const sync = () => {
    if (showing && available) {
      loadProgress()
        .then((mod) => {
          module = mod;
          if (showing && available && !signal.aborted) mod.showLauncher(overlay);
        })
        .catch((err) => log.error("could not load the progress launcher:", err));
    } else {
      module?.hideLauncher();
    }
  };

  const page = guard(async () => {
    const answer = await send({ type: MSG.CONTENT_PROGRESS, op: "page", url: location.href });
    selectors = Array.isArray(answer?.selectors) ? answer.selectors.filter((s) => typeof s === "string") : [];
    available = answer?.launcher === true;
    sync();
  }, "progress page view");

  document.addEventListener(
    "click",
    guard((event) => {
      if (!selectors.length || !(event.target instanceof Element)) return;
      for (const selector of selectors) {
        let hit = null;
        try {
          hit = event.target.closest(selector);
        } catch {
          continue; // not a selector this browser understands
        }
        const now = performance.now();
        if (!hit || now - (lastClick.get(selector) ?? -Infinity) < CLICK_GAP_MS) continue;
        lastClick.set(selector, now);
        send({ type: MSG.CONTENT_PROGRESS, op: "click", selector, url: location.href });
      }
    }, "progress click"),
    { capture: true, signal },
  );

  // Goals and rules may have appeared since the page view: ask (without another view).
  const summary = guard(async () => {
    const answer = await send({ type: MSG.CONTENT_PROGRESS, op: "summary" });
    available = answer?.launcher === true;
    sync();
  }, "progress summary");

  watchNavigation(page, signal);
  page();
  return {
    presence: (now) => {
      showing = now;
      if (showing && !available) summary();
      else sync();
    },
  };
}
