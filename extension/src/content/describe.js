// Describing an element so it can be found again after the host page changes: the
// `target` of the public contract (shared-schemas/target.schema.json) —
// `{selector, candidates: [{by, value, role?, score}], fingerprint}`.
//
// Candidates are ways to name the element, each scored for how likely it is to survive
// a new release of the host app (a test id outlives a class name, which outlives a
// structural path). Only candidates that name this element and nothing else are kept.
// Generated class names and ids are never used. The fingerprint (fingerprint.js) lets
// the resolver recognise the element when every candidate broke.
//
// Used by author mode (element picker) and by bench/selector_recovery.py.

import { fingerprintOf, looksGenerated, stableClasses, stableId, TEST_ID_ATTRS } from "./fingerprint.js";
import { accessibleName, cssString, KINDS, normalize, queryAll, roleOf } from "./resolve.js";

const SCORES = { testid: 0.95, id: 0.9, name: 0.8, aria: 0.8, role: 0.7, text: 0.6, css: 0.5, path: 0.3 };
const TEXT_LIMIT = 80;
const NAME_LIMIT = 100;
const PATH_STEPS = 6;
const SELECTOR_LIMIT = 1000;
// Attributes that may tell apart elements with the same tag and classes.
const DISTINGUISHING_ATTRS = ["type", "role", "href", "title", "placeholder", "alt", "for"];
const FORM_CONTROLS = new Set(["input", "select", "textarea"]);

/** CSS.escape where it exists (browsers); a conservative escape elsewhere. */
function cssIdent(value) {
  if (globalThis.CSS?.escape) return globalThis.CSS.escape(value);
  return String(value).replace(/^(\d)/, "\\3$1 ").replace(/[^a-zA-Z0-9_-]/g, "\\$&");
}

function uniqueFor(el, elements) {
  return elements.length === 1 && elements[0] === el;
}

function selectorIsUnique(el, selector) {
  return selector.length <= SELECTOR_LIMIT && uniqueFor(el, queryAll(el.ownerDocument, selector));
}

/** An ancestor that can anchor a short path: a stable id or test id. */
function anchorSelector(el) {
  const id = stableId(el);
  if (id) return `#${cssIdent(id)}`;
  for (const attr of TEST_ID_ATTRS) {
    const v = el.getAttribute(attr);
    if (v) return `[${attr}=${cssString(v)}]`;
  }
  return "";
}

const nthOfType = (el) => {
  let n = 1;
  for (let s = el.previousElementSibling; s; s = s.previousElementSibling) if (s.localName === el.localName) n++;
  return `${cssIdent(el.localName)}:nth-of-type(${n})`;
};

/**
 * A structural path `anchor > tag:nth-of-type(n) > …` from the nearest anchored
 * ancestor (or from body), at most PATH_STEPS long; "" if no short one exists.
 */
function structuralPath(el, maxSteps = PATH_STEPS) {
  const steps = [];
  for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
    if (node !== el) {
      const anchor = node.localName === "body" ? "body" : anchorSelector(node);
      if (anchor && selectorIsUnique(node, anchor)) return [anchor, ...steps].join(" > ");
    }
    if (node.localName === "html") return "";
    steps.unshift(nthOfType(node));
    if (steps.length > maxSteps) return "";
  }
  return "";
}

/** A full path from the root element, always unique: the selector of last resort. */
function absolutePath(el) {
  const steps = [];
  for (let node = el; node && node.nodeType === 1 && node.localName !== "html"; node = node.parentElement) {
    steps.unshift(nthOfType(node));
  }
  return ["html", ...steps].join(" > ");
}

/** tag.class…[attr] made specific enough to match only `el`, scoped by an anchor if needed. */
function classSelector(el) {
  const tag = cssIdent(el.localName);
  let selector = tag + stableClasses(el).slice(0, 3).map((c) => `.${cssIdent(c)}`).join("");
  for (const attr of DISTINGUISHING_ATTRS) {
    if (selectorIsUnique(el, selector)) break;
    const v = el.getAttribute(attr);
    if (v && v.length <= NAME_LIMIT && !looksGenerated(v.replace(/[^a-zA-Z0-9_-]/g, "") || "x")) {
      selector += `[${attr}=${cssString(v)}]`;
    }
  }
  if (selectorIsUnique(el, selector)) return selector;
  for (let a = el.parentElement; a && a.localName !== "body"; a = a.parentElement) {
    const anchor = anchorSelector(a);
    if (anchor && selectorIsUnique(a, anchor)) {
      const scoped = `${anchor} ${selector}`;
      return selectorIsUnique(el, scoped) ? scoped : "";
    }
  }
  return "";
}

function add(out, el, candidate, doc) {
  if (!candidate.value || candidate.value.length > SELECTOR_LIMIT) return;
  if (!candidate.role) delete candidate.role;
  if (out.some((c) => c.by === candidate.by && c.value === candidate.value && c.role === candidate.role)) return;
  // Kept only if, today, it names this element and no other.
  if (uniqueFor(el, KINDS[candidate.by].all(doc, candidate))) out.push(candidate);
}

/** Every candidate that names `el` uniquely, best first. */
export function candidatesFor(el) {
  const doc = el.ownerDocument;
  const tag = el.localName;
  const out = [];
  for (const attr of TEST_ID_ATTRS) {
    const v = el.getAttribute(attr);
    // A test id is chosen by the host app's developers: trusted unless absurdly long;
    // one with a data number in it (row-1234) is still a good name, only less durable.
    if (v && v.length <= NAME_LIMIT) add(out, el, { by: "testid", value: v, score: looksGenerated(v) ? 0.75 : SCORES.testid }, doc);
  }
  const id = stableId(el);
  if (id) add(out, el, { by: "id", value: id, score: SCORES.id }, doc);
  const name = el.getAttribute("name");
  if (name && !looksGenerated(name)) add(out, el, { by: "name", value: name, score: SCORES.name }, doc);
  const role = roleOf(el);
  const label = normalize(el.getAttribute("aria-label"));
  if (label && label.length <= NAME_LIMIT) add(out, el, { by: "aria", value: label, role, score: SCORES.aria }, doc);
  const accName = accessibleName(el);
  if (role && !label && accName && accName.length <= NAME_LIMIT) add(out, el, { by: "role", value: accName, role, score: SCORES.role }, doc);
  const text = normalize(el.textContent);
  if (!FORM_CONTROLS.has(tag) && text && text.length <= TEXT_LIMIT) add(out, el, { by: "text", value: text, score: SCORES.text }, doc);
  const css = classSelector(el);
  if (css) add(out, el, { by: "css", value: css, score: SCORES.css }, doc);
  const path = structuralPath(el);
  if (path) {
    // Each step is another place where an inserted sibling or wrapper breaks it.
    const steps = path.split(" > ").length - 1;
    add(out, el, { by: "path", value: path, score: Math.max(0.1, SCORES.path - 0.03 * (steps - 1)) }, doc);
  }
  return out.sort((a, b) => b.score - a.score);
}

/** The candidate as a CSS selector, when it has one. */
function asCss(el, c) {
  switch (c.by) {
    case "testid":
      for (const attr of TEST_ID_ATTRS) if (el.getAttribute(attr) === c.value) return `[${attr}=${cssString(c.value)}]`;
      return "";
    case "id":
      return `#${cssIdent(c.value)}`;
    case "name":
      return `${cssIdent(el.localName)}[name=${cssString(c.value)}]`;
    case "aria":
      return `${cssIdent(el.localName)}[aria-label=${cssString(el.getAttribute("aria-label"))}]`;
    case "css":
    case "path":
      return c.value;
    default:
      return "";
  }
}

/**
 * The target that describes `el`: the best unique CSS selector, the ranked candidates,
 * and the fingerprint.
 * @param {Element} el
 * @returns {{selector: string, candidates: Array<{by: string, value: string, role?: string, score: number}>, fingerprint: object}}
 */
export function describeElement(el) {
  if (!el || el.nodeType !== 1 || !el.ownerDocument) throw new TypeError("describeElement needs an element");
  const candidates = candidatesFor(el);
  let selector = "";
  for (const c of candidates) {
    const css = asCss(el, c);
    if (css && selectorIsUnique(el, css)) {
      selector = css;
      break;
    }
  }
  selector ||= absolutePath(el).slice(0, SELECTOR_LIMIT);
  return { selector, candidates, fingerprint: fingerprintOf(el) };
}
