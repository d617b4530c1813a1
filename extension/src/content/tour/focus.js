// Focus inside a tour step: what can take focus in the step and in its target, and
// where focus is now, looking through shadow roots (ours is one).

const FOCUSABLE =
  'a[href], area[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), summary, iframe, [contenteditable=""], [contenteditable="true"], [tabindex]';

function focusable(el) {
  if (!el.matches(FOCUSABLE) || el.tabIndex < 0 || el.closest("[inert]")) return false;
  if (el.hidden || el.getClientRects().length === 0) return false;
  const style = getComputedStyle(el);
  return style.visibility !== "hidden";
}

/** `root` (if focusable) and its focusable descendants, in document order. */
export function focusablesIn(root) {
  if (!root) return [];
  const out = focusable(root) ? [root] : [];
  for (const el of root.querySelectorAll(FOCUSABLE)) if (focusable(el)) out.push(el);
  return out;
}

/** The element that has focus, inside open shadow roots too. */
export function deepActiveElement(doc = document) {
  let el = doc.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  return el;
}

/** Is `el` inside `root`, crossing shadow boundaries upward? */
export function within(root, el) {
  for (let node = el; node; node = node.parentNode || node.host) {
    if (node === root) return true;
  }
  return false;
}

export const prefersReducedMotion = () => globalThis.matchMedia?.("(prefers-reduced-motion: reduce)").matches ?? false;
