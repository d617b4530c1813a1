// The one host element of Nudgelayer in a page, its open shadow root, and one shared
// watcher of page mutations. Both are created lazily — a page where nothing is shown
// gets neither — and removed by destroy(), leaving nothing behind.

import { guard } from "./safe.js";
import { OVERLAY_CSS } from "./styles.js";

export const HOST_TAG = "nudgelayer-root";

// Inline and !important: a page's stylesheet (even `nudgelayer-root {display: none
// !important}`) cannot override inline important declarations.
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
  ["margin", "0"],
  ["padding", "0"],
  ["border", "0"],
  ["background", "transparent"],
  ["pointer-events", "none"],
];

// Attributes a page could set on the host to hide it or make it unusable.
const DEFENDED_ATTRIBUTES = ["style", "hidden", "inert", "popover"];
// A page that keeps undoing the defence gets this many repairs a second, then is left
// alone until the overlay is next used: no endless tug of war in its main thread.
const MAX_REPAIRS_PER_SECOND = 30;

// Attributes whose change can make an element start or stop matching a target.
const WATCHED_ATTRIBUTES = ["id", "class", "name", "role", "aria-label", "data-testid", "data-test-id", "data-test", "hidden"];

/** Put our inline styles on the host; returns them as the page would read them back. */
function styleHost(host) {
  host.removeAttribute("style");
  for (const [prop, value] of HOST_STYLE) host.style.setProperty(prop, value, "important");
  return host.getAttribute("style");
}

function applyStyles(shadow) {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(OVERLAY_CSS);
    shadow.adoptedStyleSheets = [sheet];
  } catch {
    // Constructed sheets unavailable: a <style> with static text does the same.
    const style = document.createElement("style");
    style.textContent = OVERLAY_CSS;
    shadow.append(style);
  }
}

export class Overlay {
  constructor() {
    this.host = null;
    this.shadow = null;
    this.observer = null;
    this.listeners = new Set();
    this.frame = 0;
    this.defence = null;
    this.hostStyle = "";
    this.repairs = { second: 0, count: 0 };
  }

  /** The shadow root, creating the host on first use. */
  root() {
    if (!this.host) {
      const host = document.createElement(HOST_TAG);
      this.hostStyle = styleHost(host);
      // Tests and audits find it by this; the page cannot reach into it by accident.
      host.setAttribute("data-nudgelayer", "");
      this.shadow = host.attachShadow({ mode: "open" });
      applyStyles(this.shadow);
      this.host = host;
    }
    this.repairs.count = 0;
    this.#attach();
    this.#defend();
    return this.shadow;
  }

  /**
   * Undo what a page does to the host: removing it from <html> (some apps rebuild
   * it), or hiding it through its attributes (style, hidden, inert). Page CSS cannot
   * beat the inline !important styles; scripts can only do this.
   */
  #defend() {
    if (this.defence) return;
    this.defence = new MutationObserver(
      guard(() => {
        if (!this.host || !this.#mayRepair()) return;
        if (!this.host.isConnected) this.#attach();
        for (const name of ["hidden", "inert", "popover"]) this.host.removeAttribute(name);
        if (this.host.getAttribute("style") !== this.hostStyle) this.hostStyle = styleHost(this.host);
      }, "overlay defence"),
    );
    this.defence.observe(document.documentElement, { childList: true });
    this.defence.observe(this.host, { attributes: true, attributeFilter: DEFENDED_ATTRIBUTES });
  }

  #mayRepair() {
    const second = Math.floor(performance.now() / 1000);
    if (second !== this.repairs.second) this.repairs = { second, count: 0 };
    this.repairs.count += 1;
    return this.repairs.count <= MAX_REPAIRS_PER_SECOND;
  }

  /** Put the host back if the page removed it (some apps rebuild <html>'s children). */
  #attach() {
    if (this.host.isConnected) return;
    document.documentElement.append(this.host);
  }

  /**
   * Call `fn` (rAF-throttled) after page mutations, until `signal` aborts. The
   * observer runs only while someone listens.
   */
  watch(fn, signal) {
    const listener = guard(fn, "page watcher");
    this.listeners.add(listener);
    this.#observe();
    signal.addEventListener("abort", () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.#unobserve();
    });
  }

  #observe() {
    if (this.observer) return;
    this.observer = new MutationObserver(
      guard(() => {
        if (this.frame) return;
        this.frame = requestAnimationFrame(
          guard(() => {
            this.frame = 0;
            if (this.host && !this.host.isConnected) this.#attach();
            for (const listener of [...this.listeners]) listener();
          }, "page watcher frame"),
        );
      }, "mutation observer"),
    );
    this.observer.observe(document.documentElement, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: WATCHED_ATTRIBUTES,
    });
  }

  #unobserve() {
    this.observer?.disconnect();
    this.observer = null;
    cancelAnimationFrame(this.frame);
    this.frame = 0;
  }

  destroy() {
    this.defence?.disconnect();
    this.defence = null;
    this.#unobserve();
    this.listeners.clear();
    this.host?.remove();
    this.host = null;
    this.shadow = null;
  }
}
