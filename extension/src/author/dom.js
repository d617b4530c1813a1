// A tiny element builder for the panel: DOM APIs only, text always as text nodes.

/**
 * h("button", {class: "primary", attrs: {"aria-label": "Close"}, on: {click}}, "×")
 * @param {string} tag
 * @param {{class?: string, text?: string, attrs?: Record<string, string|number|boolean|null|undefined>, on?: Record<string, (e: Event) => void>, props?: Record<string, unknown>}} [options]
 * @param {...(Node|string|null|undefined|false)} children
 * @returns {HTMLElement}
 */
export function h(tag, options = {}, ...children) {
  const el = document.createElement(tag);
  if (options.class) el.className = options.class;
  for (const [name, value] of Object.entries(options.attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const [name, value] of Object.entries(options.props ?? {})) el[name] = value;
  for (const [type, fn] of Object.entries(options.on ?? {})) el.addEventListener(type, fn);
  if (options.text !== undefined) el.textContent = options.text;
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return el;
}

let uid = 0;
/** An id unique within the panel's shadow root. */
export const nextId = (prefix) => `nla-${prefix}-${++uid}`;
