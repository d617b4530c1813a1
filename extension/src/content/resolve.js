// Finding the element a `target` describes.
//
// A target recorded by the describer (describe.js) carries ranked candidates and a
// fingerprint. resolve() takes the best candidate that still matches exactly one
// element and checks that element against the fingerprint; when the host page changed,
// it falls back through the weaker candidates and finally scores every element of the
// same tag against the fingerprint. A wrong element is worse than "not found": weak or
// ambiguous matches are refused, and the answer says why.
//
// Hand-written targets (`{selector: "#save"}`, candidates without a fingerprint) keep
// the simple rule: the first element the selector, then each candidate in order, finds.
//
// Each candidate kind knows how to find its element(s) in a document and how to tell
// whether a given element is still it, so a re-render check costs no search.

import { cachedText, fingerprintSimilarity, normalize, TEST_ID_ATTRS } from "./fingerprint.js";

export { normalize, TEST_ID_ATTRS };

/** @typedef {{by: string, value: string, role?: string, score?: number}} Candidate */
/** @typedef {{selector?: string, candidates?: Candidate[], fingerprint?: object}} Target */
/** @typedef {{element: Element|null, via: string|null, confidence: number, reason?: string}} Resolution */

const SKIP_TEXT_PARENTS = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "TEXTAREA"]);
const TEXT_CLIMB = 4;

// How many elements of one tag the fingerprint stage scores, at most: a page with more
// is scored on the first ones only (found or not, the search stays fast).
const FINGERPRINT_SCAN_LIMIT = 3000;
// A candidate of several matches is disambiguated by the fingerprint only among few.
const AMBIGUOUS_LIMIT = 25;
// The fingerprint alone must be this close, and this far ahead of the runner-up.
export const FINGERPRINT_THRESHOLD = 0.8;
const FINGERPRINT_MARGIN = 0.08;
// Candidates that name a place or a look rather than the element itself.
const WEAK = new Set(["css", "path", "text"]);

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

export function cssString(value) {
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

export function queryAll(root, selector) {
  try {
    return [...root.querySelectorAll(selector)];
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

/** The element's ARIA role: its explicit one, else the implicit one we know, else "". */
export function roleOf(el) {
  const explicit = el.getAttribute("role");
  if (explicit) return explicit.split(/\s+/)[0];
  for (const [role, selector] of Object.entries(IMPLICIT_ROLES)) if (matches(el, selector)) return role;
  return "";
}

/** The name a person would read for an element: aria-label, labelledby text, or its text. */
export function accessibleName(el) {
  const label = el.getAttribute("aria-label");
  if (label) return normalize(label);
  const labelledBy = el.getAttribute("aria-labelledby");
  if (labelledBy) {
    const doc = el.ownerDocument;
    return normalize(labelledBy.split(/\s+/).map((id) => doc.getElementById(id)?.textContent ?? "").join(" "));
  }
  return normalize(el.textContent || el.getAttribute("title") || el.getAttribute("placeholder"));
}

/** Elements whose whole text is `value`: for each text node, the nearest such element. */
function findAllByText(doc, value, limit = Infinity) {
  const wanted = normalize(value);
  const root = doc.body;
  const found = [];
  if (!wanted || !root) return found;
  const firstWord = wanted.split(" ", 1)[0];
  const walker = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.data.includes(firstWord) || SKIP_TEXT_PARENTS.has(node.parentElement?.tagName)) continue;
    // The text may be split across inline children ("Assign <b>selected</b>"): climb a little.
    let el = node.parentElement;
    for (let i = 0; el && el !== root && i < TEXT_CLIMB; i++, el = el.parentElement) {
      if (normalize(el.textContent) === wanted) {
        if (!found.includes(el)) found.push(el);
        if (found.length >= limit) return found;
        break;
      }
    }
  }
  return found;
}

const byTestId = (doc, value) => TEST_ID_ATTRS.flatMap((attr) => queryAll(doc, `[${attr}=${cssString(value)}]`));

/**
 * Per candidate kind: find(doc, c) → the first element or null; all(doc, c) → every
 * element it matches (the describer keeps only candidates matching one); is(el, c).
 */
export const KINDS = {
  css: {
    find: (doc, c) => query(doc, c.value),
    all: (doc, c) => queryAll(doc, c.value),
    is: (el, c) => matches(el, c.value),
  },
  path: {
    find: (doc, c) => query(doc, c.value),
    all: (doc, c) => queryAll(doc, c.value),
    is: (el, c) => matches(el, c.value),
  },
  testid: {
    find: (doc, c) => byTestId(doc, c.value)[0] ?? null,
    all: (doc, c) => [...new Set(byTestId(doc, c.value))],
    is: (el, c) => TEST_ID_ATTRS.some((attr) => el.getAttribute(attr) === c.value),
  },
  id: {
    find: (doc, c) => doc.getElementById(c.value),
    all: (doc, c) => queryAll(doc, `[id=${cssString(c.value)}]`),
    is: (el, c) => el.id === c.value,
  },
  name: {
    find: (doc, c) => query(doc, `[name=${cssString(c.value)}]`),
    all: (doc, c) => queryAll(doc, `[name=${cssString(c.value)}]`),
    is: (el, c) => el.getAttribute("name") === c.value,
  },
  aria: {
    find: (doc, c) => KINDS.aria.all(doc, c, 1)[0] ?? null,
    all: (doc, c, limit = Infinity) => {
      const labelled = queryAll(doc, `[aria-label=${cssString(c.value)}]`).filter((el) => !c.role || hasRole(el, c.role));
      if (labelled.length || !c.role) return labelled.slice(0, limit);
      const wanted = normalize(c.value);
      return queryAll(doc, roleSelector(c.role))
        .filter((el) => accessibleName(el) === wanted)
        .slice(0, limit);
    },
    is: (el, c) => (!c.role || hasRole(el, c.role)) && accessibleName(el) === normalize(c.value),
  },
  role: {
    find: (doc, c) => KINDS.role.all(doc, c, 1)[0] ?? null,
    all: (doc, c, limit = Infinity) => {
      const role = c.role || c.value;
      return queryAll(doc, roleSelector(role))
        .filter((el) => !c.role || accessibleName(el) === normalize(c.value))
        .slice(0, limit);
    },
    is: (el, c) => hasRole(el, c.role || c.value) && (!c.role || accessibleName(el) === normalize(c.value)),
  },
  text: {
    find: (doc, c) => findAllByText(doc, c.value, 1)[0] ?? null,
    all: (doc, c) => findAllByText(doc, c.value),
    is: (el, c) => normalize(el.textContent) === normalize(c.value),
  },
};

// Nudgelayer's own elements (the overlay host, the author-mode picker) are never targets.
const ours = (el) => !!el.closest?.("[data-nudgelayer]");

function candidatesOf(target) {
  return Array.isArray(target?.candidates) ? target.candidates.filter((c) => c && KINDS[c.by] && typeof c.value === "string" && c.value) : [];
}

const hasFingerprint = (target) => !!target?.fingerprint && typeof target.fingerprint === "object" && !Array.isArray(target.fingerprint);

/**
 * How close a candidate's element must be to the fingerprint: strong identifiers (test
 * ids, ids) need little more than the same kind of element, while a structural path or
 * a class selector — which will happily point at a neighbour — needs nearly as much as
 * the fingerprint alone.
 */
function requiredSimilarity(c) {
  const score = typeof c.score === "number" ? c.score : 0.5;
  if (c.by === "path" || c.by === "css") return Math.max(0.72, 1 - score);
  if (c.by === "text") return 0.6;
  return Math.min(0.72, Math.max(0.35, 1 - score));
}

function bestOf(elements, fingerprint, floor = 0) {
  let best = null;
  let bestSim = -1;
  let second = -1;
  const textOf = cachedText();
  for (const el of elements) {
    const sim = fingerprintSimilarity(el, fingerprint, { floor, textOf });
    if (sim > bestSim) {
      second = bestSim;
      best = el;
      bestSim = sim;
    } else if (sim > second) {
      second = sim;
    }
  }
  return { element: best, sim: bestSim, margin: bestSim - Math.max(second, 0) };
}

/** The simple rule for hand-written targets: first match of selector, then candidates. */
function resolveSimple(target, doc) {
  if (typeof target.selector === "string" && target.selector) {
    const el = query(doc, target.selector);
    if (el && !ours(el)) return { element: el, via: "selector", confidence: 1 };
  }
  for (const c of candidatesOf(target)) {
    const el = KINDS[c.by].find(doc, c);
    if (el && !ours(el)) return { element: el, via: c.by, confidence: typeof c.score === "number" ? c.score : 0.5 };
  }
  return { element: null, via: null, confidence: 0, reason: "no candidate matched" };
}

/**
 * Where `target` is in `doc` now, how it was found, and how sure we are.
 * `reason` (when not found): "no candidate matched" — nothing like it is on the page;
 * "weak match" — something resembles it, not closely enough; "ambiguous" — several
 * elements resemble it equally.
 * @param {Target} target
 * @param {Document} doc
 * @returns {Resolution}
 */
export function resolve(target, doc = document) {
  if (!target || typeof target !== "object") return { element: null, via: null, confidence: 0, reason: "invalid target" };
  if (!hasFingerprint(target)) return resolveSimple(target, doc);
  const fp = target.fingerprint;

  const ordered = candidatesOf(target)
    .map((c, i) => ({ c, i }))
    .sort((a, b) => (b.c.score ?? 0.5) - (a.c.score ?? 0.5) || a.i - b.i)
    .map(({ c }) => c);
  if (typeof target.selector === "string" && target.selector && !ordered.some((c) => c.value === target.selector)) {
    // The selector is usually one of the candidates in CSS form; when it is not, it is
    // checked as carefully as a class selector.
    ordered.push({ by: "css", value: target.selector, score: 0.3 });
  }

  const tag = typeof fp.tag === "string" && /^[a-z][a-z0-9-]*$/i.test(fp.tag) ? fp.tag : null;
  let scanned = null;
  // The best look-alike on the page, computed once and only if a weak candidate needs it.
  const scan = () => {
    if (!scanned) {
      const pool = tag ? queryAll(doc, tag).slice(0, FINGERPRINT_SCAN_LIMIT).filter((el) => !ours(el)) : [];
      scanned = pool.length ? bestOf(pool, fp, FINGERPRINT_THRESHOLD - FINGERPRINT_MARGIN) : { element: null, sim: 0, margin: 0 };
    }
    return scanned;
  };

  let sawSomething = false;
  let ambiguous = false;
  for (const c of ordered) {
    const found = KINDS[c.by].all(doc, c).filter((el) => !ours(el));
    if (!found.length) continue;
    sawSomething = true;
    const need = requiredSimilarity(c);
    if (found.length === 1) {
      const sim = fingerprintSimilarity(found[0], fp);
      if (sim < need) continue;
      // A structural path, class selector or text happily names a newcomer that took the
      // element's place: believe it only if nothing on the page looks more like the element.
      if (WEAK.has(c.by)) {
        const best = scan();
        if (best.element && best.element !== found[0] && best.sim > sim) continue;
      }
      return { element: found[0], via: c.by, confidence: round(Math.max(sim, c.score ?? 0)) };
    }
    if (found.length > AMBIGUOUS_LIMIT) continue;
    const best = bestOf(found, fp);
    if (best.sim >= Math.max(need, 0.6) && best.margin >= FINGERPRINT_MARGIN) {
      return { element: best.element, via: c.by, confidence: round(best.sim) };
    }
    if (best.sim >= need) ambiguous = true;
  }

  // Nothing reliable among the candidates: score every element of the same tag
  // (elements that cannot come within the margin of the threshold are cut short).
  const best = scan();
  if (best.element) {
    if (best.sim >= FINGERPRINT_THRESHOLD && best.margin >= FINGERPRINT_MARGIN) {
      return { element: best.element, via: "fingerprint", confidence: round(best.sim) };
    }
    if (best.sim >= FINGERPRINT_THRESHOLD) ambiguous = true;
    else if (best.sim > 0) sawSomething = true;
  }
  const reason = ambiguous ? "ambiguous" : sawSomething ? "weak match" : "no candidate matched";
  return { element: null, via: null, confidence: 0, reason };
}

const round = (x) => Math.round(x * 1000) / 1000;

/**
 * The element `target` describes in `doc`, or null when it is not (yet) there.
 * @param {Target} target
 * @param {Document} doc
 * @returns {Element|null}
 */
export function resolveTarget(target, doc = document) {
  return resolve(target, doc).element;
}

/**
 * Is `el` still an element that `target` describes? Cheap (no search): used on every
 * batch of page mutations to notice a target that the host app replaced or reused.
 * @param {Element|null} el
 * @param {Target} target
 */
export function isStillTarget(el, target) {
  if (!el || !el.isConnected) return false;
  if (!hasFingerprint(target)) {
    if (typeof target?.selector === "string" && target.selector && matches(el, target.selector)) return true;
    return candidatesOf(target).some((c) => KINDS[c.by].is(el, c));
  }
  // With a fingerprint, the element must still look like it, as closely as resolve()
  // asked of the candidate that still names it: a reused node that now shows something
  // else is no longer the target even if one attribute still matches.
  const sim = fingerprintSimilarity(el, target.fingerprint);
  if (sim >= FINGERPRINT_THRESHOLD) return true;
  return candidatesOf(target).some((c) => KINDS[c.by].is(el, c) && sim >= requiredSimilarity(c));
}
