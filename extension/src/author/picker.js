// The element picker. While it runs, the element under the pointer is outlined by a
// box of our own (in author mode's shadow root, never a style on the page), a click
// selects it without reaching the page, Esc cancels, ArrowUp / ArrowDown move the
// selection to the parent / first child, Enter takes it. Every listener hangs on one
// AbortController and the box is our own node: stop() leaves nothing in the page.

import { accessibleName } from "../content/resolve.js";
import { h } from "./dom.js";
import { shortLabel } from "./model.js";

// Events a page acts on when the user clicks: none of them may reach it while picking.
const SWALLOWED = ["pointerdown", "pointerup", "mousedown", "mouseup", "click", "dblclick", "auxclick", "contextmenu", "touchstart", "touchend"];

/** What the box's label shows for `el`: its tag and the name a person reads. */
export function describeShort(el) {
  let name = "";
  try {
    name = accessibleName(el) || el.getAttribute("placeholder") || "";
  } catch {
    // An exotic element (SVG without text): the tag alone says enough.
  }
  return shortLabel({ tag: el.localName, name });
}

/**
 * @param {{host: Element, layer: Element, onPick: (el: Element) => void, onCancel: () => void, onHover?: (el: Element|null) => void}} options
 *   host: author mode's host element (events from our own UI are retargeted to it and pass);
 *   layer: where the outline box goes (inside our shadow root)
 * @returns {{stop: () => void, current: () => Element|null}}
 */
export function startPicker({ host, layer, onPick, onCancel, onHover = () => {} }) {
  const controller = new AbortController();
  const { signal } = controller;
  let hovered = null; // under the pointer
  let current = null; // what a click or Enter takes: hovered, or moved from it with the arrows
  let frame = 0;

  const label = h("div", { class: "pick-label" });
  const box = h("div", { class: "pick-box", attrs: { "aria-hidden": "true" } }, label);
  box.hidden = true;
  layer.append(box);

  const ours = (node) => node === host || (node instanceof Node && host.contains(node));
  // Nudgelayer's own overlay (a live tooltip, a preview) is not part of the page.
  const pickable = (node) =>
    node instanceof Element && !ours(node) && node !== document.documentElement && !node.closest("[data-nudgelayer]");

  function draw() {
    frame = 0;
    if (!current || !current.isConnected) {
      box.hidden = true;
      return;
    }
    const r = current.getBoundingClientRect();
    box.hidden = false;
    Object.assign(box.style, {
      left: `${Math.round(r.left)}px`,
      top: `${Math.round(r.top)}px`,
      width: `${Math.round(r.width)}px`,
      height: `${Math.round(r.height)}px`,
    });
    // The label sits above the box, or inside it when the box touches the top edge.
    box.classList.toggle("label-inside", r.top < 24);
  }
  const redraw = () => {
    frame ||= requestAnimationFrame(draw);
  };

  function select(el) {
    if (el === current) return;
    current = el;
    label.textContent = el ? describeShort(el) : "";
    onHover(el);
    redraw();
  }

  function stop() {
    if (signal.aborted) return;
    controller.abort();
    cancelAnimationFrame(frame);
    box.remove();
    hovered = current = null;
  }

  function take(el) {
    stop();
    onPick(el);
  }

  const swallow = (event) => {
    if (ours(event.target)) return; // our own panel's buttons keep working
    event.preventDefault();
    event.stopImmediatePropagation();
    if (event.type === "click" && pickable(event.target)) {
      // Arrow keys may have moved the selection off the element under the pointer.
      take(event.target === hovered && current ? current : event.target);
    }
  };

  const onMove = (event) => {
    const el = event.target;
    if (!pickable(el)) {
      hovered = null;
      select(null);
      return;
    }
    if (el === hovered) return;
    hovered = el;
    select(el);
  };

  const onKey = (event) => {
    const key = event.key;
    if (key === "Escape") {
      event.preventDefault();
      event.stopImmediatePropagation();
      stop();
      onCancel();
      return;
    }
    if (!current || !["ArrowUp", "ArrowDown", "Enter"].includes(key)) return;
    // Enter on one of our own controls is the control's; arrows are ours anywhere.
    const inner = event.composedPath()[0];
    if (key === "Enter" && ours(event.target) && inner instanceof Element && inner.closest("button, input, select, textarea, a")) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    if (key === "Enter") take(current);
    else if (key === "ArrowUp" && pickable(current.parentElement)) select(current.parentElement);
    else if (key === "ArrowDown" && current.firstElementChild) select(current.firstElementChild);
  };

  const capture = { capture: true, signal };
  for (const type of SWALLOWED) window.addEventListener(type, swallow, { ...capture, passive: false });
  window.addEventListener("pointermove", onMove, { ...capture, passive: true });
  window.addEventListener("pointerover", onMove, { ...capture, passive: true });
  window.addEventListener("keydown", onKey, capture);
  // The box follows the element through scrolling (any scroller) and resizing.
  window.addEventListener("scroll", redraw, { ...capture, passive: true });
  window.addEventListener("resize", redraw, { ...capture, passive: true });

  return { stop, current: () => current };
}
