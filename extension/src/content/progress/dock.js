// The bottom-left corner of the overlay, where checklists and the progress launcher
// stack (the tour launcher keeps the bottom-right one). Created on first use in the
// current shadow root, removed when its last occupant leaves.

import { adoptProgressStyles } from "./styles.js";

const docks = new WeakMap();

/** The dock in the overlay's current shadow root. */
export function dockFor(overlay) {
  const shadow = overlay.root();
  adoptProgressStyles(shadow);
  let dock = docks.get(shadow);
  if (!dock || !dock.isConnected) {
    dock = document.createElement("div");
    dock.className = "nl-dock nl-p";
    dock.dataset.nudgelayerPart = "progress-dock";
    shadow.append(dock);
    docks.set(shadow, dock);
  }
  return dock;
}

/** Put `el` in the dock (the launcher always last, at the bottom). */
export function dockAppend(overlay, el, { last = false } = {}) {
  const dock = dockFor(overlay);
  const launcher = dock.querySelector(":scope > [data-nudgelayer-part='progress-launcher']");
  if (last || !launcher) dock.append(el);
  else dock.insertBefore(el, launcher);
  return dock;
}

/** Take `el` out; the dock goes when empty. */
export function dockRemove(el) {
  const dock = el.parentElement;
  el.remove();
  if (dock?.classList.contains("nl-dock") && dock.childElementCount === 0) dock.remove();
}
