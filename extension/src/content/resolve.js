// Finding the element a `target` describes: `selector` first, then each candidate in
// order. Each candidate kind knows how to find its element in a document and how to
// tell whether a given element is still it, so a re-render check costs no search.
//
// A later issue extends this module (fingerprints, scoring); keep it self-contained.

/** @typedef {{by: string, value: string, role?: string, score?: number}} Candidate */
/** @typedef {{selector?: string, candidates?: Candidate[], fingerprint?: object}} Target */

const SKIP_TEXT_PARENTS = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "TEXTAREA"]);
const TEXT_CLIMB = 4;
const TEST_ID_ATTRS = ["data-testid", "data-test-id", "data-test", "data-qa", "data-cy"];

// Implicit ARIA roles of common elements, enough to match a recorded role.
const IMPLICIT_ROLES = {
  button: "button, input[type=button], input[type=submit], input[type=reset], summary",
  link: "a[href], area[href]",
  textbox: "input:not([type]), input[type=text], input[type=email], input[type=tel], input[type=url], textarea",
  searchbox: "input[type=search]",
  checkbox: "input[type=checkbox]",
  radio: "input[type=radio]",
  combobox: "select",
  heading: "h1, h2, h3, h4, h5, h6",
  navigation: "nav",
  main: "main",
  tab: "[role=tab]",
  row: "tr",
  cell: "td",
  columnheader: "th",
};

const normalize = (text) => (text ?? "").replace(/\s+/g, " ").trim();

function cssString(value) {
  return `"${String(value).replace(/["\\]/g, "\\$&").replace(/\n/g, "\\a ")}"`;
}

/** querySelector that treats an invalid selector as "no match" instead of throwing. */
function query(root, selector) {
  try {
    return root.querySelector(selector);
  } catch {
    return null;
  }
}

function queryAll(root, selector) {
  try {
    return root.querySelectorAll(selector);
  } catch {
    return [];
  }
}

function matches(el, selector) {
  try {
    return el.matches(selector);
  } catch {
    return false;
  }
}

function roleSelector(role) {
  const implicit = IMPLICIT_ROLES[role];
  return `[role=${cssString(role)}]` + (implicit ? `, ${implicit}` : "");
}

function hasRole(el, role) {
  const explicit = el.getAttribute("role");
  return explicit ? explicit.split(/\s+/).includes(role) : matches(el, IMPLICIT_ROLES[role] ?? ":not(*)");
}

/** The name a person would read for an element: aria-label, labelledby text, or its text. */
function accessibleName(el) {
  const label = el.getAttribute("aria-label");
  if (label) return normalize(label);
  const labelledBy = el.getAttribute("aria-labelledby");
  if (labelledBy) {
    const doc = el.ownerDocument;
    return normalize(labelledBy.split(/\s+/).map((id) => doc.getElementById(id)?.textContent ?? "").join(" "));
  }
  return normalize(el.textContent || el.getAttribute("title") || el.getAttribute("placeholder"));
}

function findByText(doc, value) {
  const wanted = normalize(value);
  const root = doc.body;
  if (!wanted || !root) return null;
  const firstWord = wanted.split(" ", 1)[0];
  const walker = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.data.includes(firstWord) || SKIP_TEXT_PARENTS.has(node.parentElement?.tagName)) continue;
    // The text may be split across inline children ("Assign <b>selected</b>"): climb a little.
    let el = node.parentElement;
    for (let i = 0; el && el !== root && i < TEXT_CLIMB; i++, el = el.parentElement) {
      if (normalize(el.textContent) === wanted) return el;
    }
  }
  return null;
}

/** Per candidate kind: find(doc, c) → Element|null, and is(el, c) → boolean. */
const KINDS = {
  css: {
    find: (doc, c) => query(doc, c.value),
    is: (el, c) => matches(el, c.value),
  },
  path: {
    find: (doc, c) => query(doc, c.value),
    is: (el, c) => matches(el, c.value),
  },
  testid: {
    find: (doc, c) => {
      for (const attr of TEST_ID_ATTRS) {
        const el = query(doc, `[${attr}=${cssString(c.value)}]`);
        if (el) return el;
      }
      return null;
    },
    is: (el, c) => TEST_ID_ATTRS.some((attr) => el.getAttribute(attr) === c.value),
  },
  id: {
    find: (doc, c) => doc.getElementById(c.value),
    is: (el, c) => el.id === c.value,
  },
  name: {
    find: (doc, c) => query(doc, `[name=${cssString(c.value)}]`),
    is: (el, c) => el.getAttribute("name") === c.value,
  },
  aria: {
    find: (doc, c) => {
      for (const el of queryAll(doc, `[aria-label=${cssString(c.value)}]`)) {
        if (!c.role || hasRole(el, c.role)) return el;
      }
      if (!c.role) return null;
      const wanted = normalize(c.value);
      for (const el of queryAll(doc, roleSelector(c.role))) if (accessibleName(el) === wanted) return el;
      return null;
    },
    is: (el, c) => (!c.role || hasRole(el, c.role)) && accessibleName(el) === normalize(c.value),
  },
  role: {
    find: (doc, c) => {
      const role = c.role || c.value;
      for (const el of queryAll(doc, roleSelector(role))) {
        if (!c.role || accessibleName(el) === normalize(c.value)) return el;
      }
      return null;
    },
    is: (el, c) => hasRole(el, c.role || c.value) && (!c.role || accessibleName(el) === normalize(c.value)),
  },
  text: {
    find: (doc, c) => findByText(doc, c.value),
    is: (el, c) => normalize(el.textContent) === normalize(c.value),
  },
};

function candidatesOf(target) {
  return Array.isArray(target?.candidates) ? target.candidates.filter((c) => KINDS[c?.by] && c.value) : [];
}

/**
 * The element `target` describes in `doc`, or null when it is not (yet) there.
 * @param {Target} target
 * @param {Document} doc
 * @returns {Element|null}
 */
export function resolveTarget(target, doc = document) {
  if (!target || typeof target !== "object") return null;
  if (typeof target.selector === "string" && target.selector) {
    const el = query(doc, target.selector);
    if (el) return el;
  }
  for (const c of candidatesOf(target)) {
    const el = KINDS[c.by].find(doc, c);
    if (el) return el;
  }
  return null;
}

/**
 * Is `el` still an element that `target` describes? Cheap (no search): used on every
 * batch of page mutations to notice a target that the host app replaced or reused.
 * @param {Element|null} el
 * @param {Target} target
 */
export function isStillTarget(el, target) {
  if (!el || !el.isConnected) return false;
  if (typeof target?.selector === "string" && target.selector && matches(el, target.selector)) return true;
  return candidatesOf(target).some((c) => KINDS[c.by].is(el, c));
}
