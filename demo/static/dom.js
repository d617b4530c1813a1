// Tiny DOM helpers. Everything is built with DOM APIs and textContent, never HTML strings.

const SVG_NS = "http://www.w3.org/2000/svg";

function apply(el, props) {
  for (const [key, value] of Object.entries(props || {})) {
    if (value == null || value === false) continue;
    if (key === "class") el.setAttribute("class", value);
    else if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else el.setAttribute(key, value === true ? "" : String(value));
  }
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  apply(el, props);
  append(el, children);
  return el;
}

export function s(tag, props, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  apply(el, props);
  append(el, children);
  return el;
}

// A fresh CSS-in-JS style class name, as a React app emits on re-render: class-based
// selectors recorded against one render do not match the next.
export function hashed(prefix = "css-") {
  return prefix + Math.random().toString(36).slice(2, 8);
}

const ICONS = {
  home: "M3 10.5 10 4l7 6.5V17h-5v-4H8v4H3z",
  inbox: "M3 5h14v10H3zM3 11h4l1 2h4l1-2h4",
  cog: "M10 7a3 3 0 1 0 0 6 3 3 0 0 0 0-6zm7 3-2-1 .5-2-2-.5L13 4l-2 .8L10 3l-1 1.8L7 4l-.5 2.5-2 .5.5 2-2 1 2 1-.5 2 2 .5L7 16l2-.8 1 1.8 1-1.8 2 .8.5-2.5 2-.5-.5-2z",
  users: "M7 9a3 3 0 1 0 0-6 3 3 0 0 0 0 6zm-5 8c0-3 2-5 5-5s5 2 5 5M14 9a2.5 2.5 0 1 0 0-5M15 12c2 .5 3 2.3 3 5",
  bolt: "M11 2 4 11h5l-1 7 7-9h-5z",
};

export function icon(name) {
  return s("svg", { viewBox: "0 0 20 20", fill: "none", stroke: "currentColor", "stroke-width": "1.6", "aria-hidden": "true" },
    s("path", { d: ICONS[name] || "" }));
}

export function clock(date = new Date()) {
  return date.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

export function shortDate(iso) {
  const d = new Date(iso);
  return d.toLocaleString("en-GB", { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "UTC" });
}

export function toast(text, tone = "info") {
  const el = h("div", { class: "css-t0a5t1", role: "status", "data-tone": tone }, text);
  document.body.append(el);
  setTimeout(() => el.remove(), 3200);
}
