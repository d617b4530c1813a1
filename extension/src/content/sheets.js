// Extra stylesheets for features' own UI, added to the overlay's shadow root beside
// OVERLAY_CSS, once per root: each module keeps its CSS next to its code.

const added = new WeakMap();

/**
 * Make sure `css` (static text, identified by `name`) applies inside `shadow`.
 * @param {ShadowRoot} shadow
 * @param {string} name
 * @param {string} css
 */
export function adoptSheet(shadow, name, css) {
  let names = added.get(shadow);
  if (!names) added.set(shadow, (names = new Set()));
  if (names.has(name)) return;
  names.add(name);
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    shadow.adoptedStyleSheets = [...shadow.adoptedStyleSheets, sheet];
  } catch {
    const style = document.createElement("style");
    style.textContent = css;
    shadow.append(style);
  }
}

/**
 * An element with attributes and children (text or nodes), built with DOM APIs only.
 * @param {string} tag
 * @param {Record<string, string|number|boolean|undefined|null>} [attrs] "text" sets textContent
 * @param {(Node|string|null|undefined|false)[]} [children]
 */
export function h(tag, attrs = {}, children = []) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") el.textContent = String(value);
    else if (name === "hidden") el.hidden = true;
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) if (child) el.append(child);
  return el;
}
