// An element's fingerprint — what it is, says and sits in — and how similar another
// element is to one. The describer records fingerprints; the resolver scores elements
// against them when the recorded selectors no longer hold. Both use these functions,
// so a feature is always computed the same way on both sides.
//
// Only stable features go in: generated class names and ids (CSS-in-JS hashes, React
// useId, Ember's ember123, row ids) and state classes (active, open) are left out,
// because they change between builds or clicks while the element stays the same.

const TEXT_LIMIT = 80;
const ATTR_VALUE_LIMIT = 100;
const MAX_CLASSES = 6;
const MAX_LANDMARKS = 4;
const CONTEXT_CLIMB = 4;

export const TEST_ID_ATTRS = ["data-testid", "data-test-id", "data-test", "data-qa", "data-cy"];
// Attributes that identify an element rather than its state.
const IDENTITY_ATTRS = [
  ...TEST_ID_ATTRS,
  "id",
  "name",
  "type",
  "role",
  "aria-label",
  "placeholder",
  "title",
  "alt",
  "href",
  "for",
];
const FUZZY_ATTRS = new Set(["aria-label", "placeholder", "title", "alt"]);
const LANDMARK_TAGS = new Set(["nav", "main", "header", "footer", "aside", "form", "dialog", "section", "article", "table", "fieldset"]);

// Classes that say what state an element is in, not what it is.
const STATE_CLASS = /^(is-|has-|ng-|v-|x-)|^(active|selected|current|open|opened|closed|show|shown|hidden|hide|visible|in|fade|collapsed|expanded|disabled|enabled|focus|focused|hover|pressed|checked|loading|loaded|dirty|pristine|valid|invalid|touched|untouched)$/i;
// Prefixes of class names and ids that tools generate (styled-components, emotion,
// styled-jsx, svelte, Angular, Ember, MUI/Radix/Headless UI/react-select ids).
const GENERATED_PREFIX = /^(css|sc|jsx|svelte|emotion|astro|tw|ember|ng-tns|ng-c|mui|radix|headlessui|react-select|downshift|rc-tabs|rc-select|tippy|popper|uid|yui|ext-gen|gwt|vaadin|j_id|__)[-_]?/i;

export const normalize = (text) => (text ?? "").replace(/\s+/g, " ").trim();
const folded = (text, limit = TEXT_LIMIT) => normalize(text).toLowerCase().slice(0, limit);

/**
 * Does this class name or id look machine-made (so it will not survive a rebuild or a
 * reload)? Errs on the side of "generated": losing a stable name costs a little score,
 * keeping a hash loses the element.
 */
export function looksGenerated(token) {
  if (typeof token !== "string" || !token) return true;
  if (token.length > 40) return true;
  // React useId (":r1:", "«r1»"), or anything with characters no one types in a class.
  if (/[:«»{}()\[\]$@!]/.test(token)) return true;
  if (/^\d/.test(token)) return true;
  if (GENERATED_PREFIX.test(token) && /\d|[A-Z].*[a-z].*[A-Z]|-[a-zA-Z0-9]{5,}$/.test(token)) return true;
  // CSS modules: Button_primary__3xZ9a, button_a1b2c
  if (/__[a-zA-Z0-9]{4,}$|_[a-zA-Z0-9]*\d[a-zA-Z0-9]*$/.test(token) && /\d/.test(token.split(/_+/).pop())) return true;
  for (const part of token.split(/[-_.]+/)) {
    if (!part) continue;
    const digits = (part.match(/\d/g) || []).length;
    const letters = part.length - digits;
    if (digits >= 3) return true; // row-1234, item_0042: a data id, not a name
    if (digits && letters && (digits >= 2 || part.length >= 5)) return true; // 3xZ9a, a1b2
    if (letters >= 5) {
      // Random mixed case (kYxQpL, bdVaJa) switches case far more often than camelCase.
      let switches = 0;
      for (let i = 1; i < part.length; i++) {
        if ((part[i] >= "a" && part[i] <= "z") !== (part[i - 1] >= "a" && part[i - 1] <= "z")) switches++;
      }
      if (switches / part.length > 0.5) return true;
      // Six or more letters without a vowel: hdr and nav are words, xkqzvb is not.
      if (part.length >= 6 && !/[aeiouy]/i.test(part)) return true;
    }
  }
  return false;
}

/** The element's class names that name what it is: no hashes, no state. */
export function stableClasses(el) {
  const out = [];
  for (const cls of el.classList) {
    if (out.length >= MAX_CLASSES) break;
    if (!looksGenerated(cls) && !STATE_CLASS.test(cls) && !out.includes(cls)) out.push(cls);
  }
  return out;
}

export const stableId = (el) => (el.id && !looksGenerated(el.id) ? el.id : "");

function hrefValue(el) {
  const raw = el.getAttribute("href");
  if (!raw || raw.startsWith("javascript:")) return "";
  try {
    const url = new URL(raw, el.ownerDocument.baseURI);
    // Origins differ between staging and production; the path is what names the link.
    return (url.pathname + url.search + url.hash).slice(0, ATTR_VALUE_LIMIT);
  } catch {
    return raw.slice(0, ATTR_VALUE_LIMIT);
  }
}

/** Identity attributes with stable values, as {name: value}. */
export function stableAttributes(el) {
  const attrs = {};
  for (const name of IDENTITY_ATTRS) {
    if (!el.hasAttribute(name)) continue;
    let value;
    if (name === "href") value = hrefValue(el);
    else if (name === "id") value = stableId(el);
    else if (name === "for" || name === "name") value = looksGenerated(el.getAttribute(name)) ? "" : el.getAttribute(name);
    else value = normalize(el.getAttribute(name)).slice(0, ATTR_VALUE_LIMIT);
    if (value) attrs[name] = value;
  }
  return attrs;
}

function landmarkOf(el) {
  const tag = el.localName;
  const role = el.getAttribute("role");
  const id = stableId(el);
  const testid = TEST_ID_ATTRS.map((a) => el.getAttribute(a)).find(Boolean);
  if (!LANDMARK_TAGS.has(tag) && !role && !id && !testid) return "";
  let out = tag;
  if (role) out += `[role=${role}]`;
  if (id) out += `#${id}`;
  else if (testid) out += `[${testid}]`;
  const label = el.getAttribute("aria-label");
  if (label) out += `[${normalize(label).slice(0, 30)}]`;
  return out.slice(0, 60);
}

/** The nearest landmark-like ancestors (semantic sections, roles, stable ids), nearest first. */
export function landmarksOf(el) {
  const out = [];
  for (let a = el.parentElement; a && a.localName !== "body" && a.localName !== "html"; a = a.parentElement) {
    const mark = landmarkOf(a);
    if (mark) out.push(mark);
    if (out.length >= MAX_LANDMARKS) break;
  }
  return out;
}

function labelOf(el) {
  const labels = el.labels;
  if (labels && labels.length) return folded(labels[0].textContent);
  // A label that is not (or no longer) tied by for=/id: the one just before the control.
  if (/^(input|select|textarea)$/.test(el.localName) && el.previousElementSibling?.localName === "label") {
    return folded(el.previousElementSibling.textContent);
  }
  return "";
}

// Names carried by descendants: a cell or card whose only text is an icon button is
// still told apart by the button's label.
const INNER_ATTRS = ["aria-label", "alt", "title", "placeholder"];
function innerNames(el) {
  const names = [];
  for (const d of el.querySelectorAll("[aria-label], [alt], [title], [placeholder]")) {
    for (const a of INNER_ATTRS) {
      const v = d.getAttribute(a);
      if (v && v.trim()) {
        names.push(normalize(v));
        break;
      }
    }
    if (names.length >= 5) break;
  }
  return folded(names.join(" | "));
}

/** Position among siblings of the same tag (0-based), as nth-of-type counts. */
export function indexOfType(el) {
  let i = 0;
  for (let s = el.previousElementSibling; s; s = s.previousElementSibling) if (s.localName === el.localName) i++;
  return i;
}

/**
 * The text of the `level`-th ancestor that says more than the one below it: level 1 is
 * the nearest ancestor whose text differs from the element's own. Wrappers (same text
 * as their child) are not counted, so wrapping the element changes nothing.
 */
function contextOf(el, textOf, level = 1) {
  let below = textOf(el);
  let found = 0;
  let a = el.parentElement;
  for (let i = 0; a && a.localName !== "body" && i < CONTEXT_CLIMB + level; i++, a = a.parentElement) {
    const text = textOf(a);
    if (text !== below) {
      if (++found === level) return text;
      below = text;
    }
  }
  return "";
}

/** The least context level that tells `el` apart from every twin (1 if none does). */
function distinguishingLevel(el, twins, textOf) {
  for (let level = 1; level <= 3; level++) {
    const mine = contextOf(el, textOf, level);
    if (mine && twins.every((t) => contextOf(t, textOf, level) !== mine)) return level;
  }
  return 1;
}

const plainText = (el) => folded(el.textContent, 400);

// What makes two elements look the same to a person: kind, text, classes, and the
// attributes that are not unique names (an id or test id may be removed one day).
function lookKey(el, textOf) {
  const attrs = stableAttributes(el);
  for (const k of ["id", "name", ...TEST_ID_ATTRS]) delete attrs[k];
  return JSON.stringify([el.localName, textOf(el).slice(0, TEXT_LIMIT), stableClasses(el).sort(), attrs]);
}

/** The other elements in the document that look exactly like `el` (the Edit button of each row). */
export function twinsOf(el, textOf = cachedText()) {
  const key = lookKey(el, textOf);
  const twins = [];
  for (const other of el.ownerDocument.getElementsByTagName(el.localName)) {
    if (other !== el && lookKey(other, textOf) === key) twins.push(other);
  }
  return twins;
}

/** The fingerprint stored in a target: small (well under the 4000-character limit). */
export function fingerprintOf(el) {
  const textOf = cachedText();
  const fp = { tag: el.localName, text: folded(el.textContent) };
  const attrs = stableAttributes(el);
  if (Object.keys(attrs).length) fp.attrs = attrs;
  const classes = stableClasses(el);
  if (classes.length) fp.classes = classes;
  fp.index = indexOfType(el);
  const landmarks = landmarksOf(el);
  if (landmarks.length) fp.landmarks = landmarks;
  // With look-alikes on the page, only the surroundings tell which one it is: the
  // context is taken from high enough to differ, and the resolver insists on it.
  const twins = twinsOf(el, textOf);
  const level = twins.length ? distinguishingLevel(el, twins, textOf) : 1;
  const context = contextOf(el, textOf, level).slice(0, TEXT_LIMIT);
  if (context) fp.context = context;
  if (level > 1) fp.contextLevel = level;
  if (twins.length) fp.twins = twins.length;
  const label = labelOf(el);
  if (label) fp.label = label;
  const inner = innerNames(el);
  if (inner) fp.inner = inner;
  return fp;
}

/** Sørensen–Dice coefficient over character bigrams: 1 for equal strings, 0 for unrelated. */
export function textSimilarity(a, b) {
  if (a === b) return 1;
  if (!a || !b) return 0;
  if (a.length < 2 || b.length < 2) return 0;
  const grams = new Map();
  for (let i = 0; i < a.length - 1; i++) {
    const g = a.slice(i, i + 2);
    grams.set(g, (grams.get(g) || 0) + 1);
  }
  let common = 0;
  for (let i = 0; i < b.length - 1; i++) {
    const g = b.slice(i, i + 2);
    const n = grams.get(g);
    if (n) {
      common++;
      grams.set(g, n - 1);
    }
  }
  return (2 * common) / (a.length - 1 + (b.length - 1));
}

function jaccard(a, b) {
  if (!a.length && !b.length) return 1;
  const sa = new Set(a);
  let inter = 0;
  for (const x of new Set(b)) if (sa.has(x)) inter++;
  return inter / (sa.size + new Set(b).size - inter);
}

function attrSimilarity(fpAttrs, attrs) {
  const keys = new Set([...Object.keys(fpAttrs), ...Object.keys(attrs)]);
  if (!keys.size) return null;
  let sum = 0;
  for (const k of keys) {
    const a = fpAttrs[k];
    const b = attrs[k];
    if (a === b) sum += 1;
    else if (a && b && FUZZY_ATTRS.has(k)) sum += textSimilarity(folded(a), folded(b));
  }
  return sum / keys.size;
}

// Feature weights: text and identity attributes tell neighbours apart; the rest says
// "same kind of thing in the same place".
const W = { tag: 1.5, text: 3, attrs: 3, classes: 1, index: 0.75, landmarks: 1.5, context: 1.5, label: 2, inner: 1.5 };

/**
 * How much `el` looks like the fingerprint `fp`, from 0 to 1. With `floor`, returns 0
 * early once the score cannot reach it (the expensive context text is read last).
 * `textOf` lets a caller scoring many elements share one text cache.
 */
export function fingerprintSimilarity(el, fp, { floor = 0, textOf = plainText } = {}) {
  if (!el || !fp || typeof fp !== "object") return 0;
  let got = 0;
  let total = 0;
  let remaining = 0;
  const has = (k) => fp[k] !== undefined;
  for (const k of Object.keys(W)) if (has(k) || ["tag", "attrs", "classes", "landmarks"].includes(k)) remaining += W[k];
  const add = (k, sim) => {
    remaining -= W[k];
    if (sim === null) return;
    got += W[k] * sim;
    total += W[k];
  };
  const hopeless = () => floor > 0 && (got + remaining) / (total + remaining || 1) < floor;

  const sameTag = typeof fp.tag !== "string" || fp.tag === el.localName;
  add("tag", sameTag ? 1 : 0);
  const text = textOf(el).slice(0, TEXT_LIMIT);
  if (has("text")) add("text", typeof fp.text === "string" ? textSimilarity(fp.text, text) : null);
  const fpAttrs = fp.attrs && typeof fp.attrs === "object" ? fp.attrs : {};
  add("attrs", attrSimilarity(fpAttrs, stableAttributes(el)));
  const fpClasses = Array.isArray(fp.classes) ? fp.classes : [];
  const classes = stableClasses(el);
  add("classes", fpClasses.length || classes.length ? jaccard(fpClasses, classes) : null);
  if (has("index")) {
    const d = Math.abs(indexOfType(el) - Number(fp.index));
    add("index", d === 0 ? 1 : d === 1 ? 0.5 : 0);
  }
  if (hopeless()) return 0;
  if (has("label")) add("label", textSimilarity(String(fp.label), labelOf(el)));
  if (has("inner")) add("inner", textSimilarity(String(fp.inner), innerNames(el)));
  add("landmarks", jaccard(Array.isArray(fp.landmarks) ? fp.landmarks : [], landmarksOf(el)));
  if (hopeless()) return 0;
  let contextSim = 1;
  if (has("context")) {
    const level = Math.min(3, Math.max(1, Number(fp.contextLevel) || 1));
    contextSim = textSimilarity(String(fp.context), contextOf(el, textOf, level).slice(0, TEXT_LIMIT));
    add("context", contextSim);
  }
  let score = total ? got / total : 0;
  // A look-alike in other surroundings is another row's button, not a changed one.
  if (Number(fp.twins) > 0) score *= Math.min(1, contextSim / 0.9);
  // Another kind of element is a different thing, whatever else it shares.
  return sameTag ? score : score * 0.6;
}

/** A text reader that remembers each element's text for one search over many elements. */
export function cachedText() {
  const cache = new Map();
  return (el) => {
    let t = cache.get(el);
    if (t === undefined) {
      t = plainText(el);
      cache.set(el, t);
    }
    return t;
  };
}
