// Targeting: URL globs and segment rules.
//
// This is the JavaScript twin of backend/nudgelayer/experiences/targeting.py and must
// answer exactly as it does: the backend filters what it sends with its copy, the
// extension re-checks pushes with this one. Where Python and JavaScript differ by
// default (bool vs number equality, string ordering, `in` on a string), the Python
// behaviour is reproduced on purpose. Shared vectors in
// shared-schemas/examples/*-cases.json keep the two honest.

const globCache = new Map();
const GLOB_CACHE_MAX = 1024;

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

function globRegex(pattern) {
  let re = globCache.get(pattern);
  if (!re) {
    // `*` is the only wildcard; `s` so that `.` also crosses newlines, like re.S.
    re = new RegExp("^" + pattern.split("*").map(escapeRegExp).join(".*") + "$", "s");
    if (globCache.size >= GLOB_CACHE_MAX) globCache.clear();
    globCache.set(pattern, re);
  }
  return re;
}

/**
 * Does `url` match the glob `pattern`? `*` matches any run of characters, everything
 * else is literal. The fragment is never compared, the query only when the pattern
 * contains `?`.
 * @param {string} pattern
 * @param {string} url
 */
export function urlMatches(pattern, url) {
  if (typeof pattern !== "string" || typeof url !== "string") return false;
  let target = url.split("#", 1)[0];
  if (!pattern.includes("?")) target = target.split("?", 1)[0];
  return globRegex(pattern).test(target);
}

const isBool = (v) => typeof v === "boolean";
const isNum = (v) => typeof v === "number";
const isStr = (v) => typeof v === "string";
const isPresent = (v) => v !== undefined && v !== null;

/** Python's `==` between two JSON values (used inside lists and objects). */
function pyEquals(a, b) {
  // In Python True == 1 and False == 0.0; JSON numbers and booleans compare that way.
  if ((isBool(a) || isNum(a)) && (isBool(b) || isNum(b))) return Number(a) === Number(b);
  if (a === null || b === null) return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => pyEquals(x, b[i]))
    );
  }
  if (typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && pyEquals(a[k], b[k]));
  }
  return a === b;
}

/** Equality without coercion: 1, true and "1" are all different (mirrors _same_scalar). */
function sameScalar(a, b) {
  if (isBool(a) || isBool(b)) return isBool(a) && isBool(b) && a === b;
  if (isNum(a) && isNum(b)) return a === b;
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b) || (a === null) !== (b === null)) {
    return false;
  }
  return pyEquals(a, b);
}

/** Python compares strings by code point; JavaScript by UTF-16 unit. Same for BMP text. */
function compareCodePoints(a, b) {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const d = x.value.codePointAt(0) - y.value.codePointAt(0);
    if (d !== 0) return d;
  }
}

function compare(op, actual, expected) {
  let d;
  if (isBool(actual) || isBool(expected)) return false;
  if (isNum(actual) && isNum(expected)) d = actual - expected;
  else if (isStr(actual) && isStr(expected)) d = compareCodePoints(actual, expected);
  else return false;
  if (op === "gt") return d > 0;
  if (op === "gte") return d >= 0;
  if (op === "lt") return d < 0;
  if (op === "lte") return d <= 0;
  return false;
}

/** Python iterates a string by characters and a dict by keys; mirror that for `in`. */
function iterValues(value) {
  if (Array.isArray(value)) return value;
  if (isStr(value)) return Array.from(value);
  if (value && typeof value === "object") return Object.keys(value);
  return [];
}

/** Python's truthiness of `value` in `present == (value if value is not None else True)`. */
function existsExpectation(value) {
  return isPresent(value) ? value : true;
}

// Event-count conditions without the user's counts are UNKNOWN (three-valued logic,
// as targeting.py): the cache filter admits them, and the final decision is made where
// the counts are known (background/nudges.js). With counts, nothing is unknown.
const UNKNOWN = null;

/**
 * True when the attributes `attrs` (and, for event conditions, `counts`) satisfy `rule`;
 * no rule (null or {}) admits everyone. A missing (or null) attribute fails every op
 * except `neq`, `nin` and `exists: false`. `counts` maps an event type to
 * {"<days>": n}; a pair it lacks counts as 0. Without `counts`, a rule whose answer
 * depends on event conditions admits.
 * @param {object|null|undefined} rule
 * @param {Record<string, unknown>} attrs
 * @param {Record<string, Record<string, number>>} [counts]
 * @returns {boolean}
 */
export function segmentMatches(rule, attrs, counts) {
  if (!rule || (typeof rule === "object" && Object.keys(rule).length === 0)) return true;
  if (typeof rule !== "object") return false;
  attrs = attrs && typeof attrs === "object" ? attrs : {};
  return evaluate(rule, attrs, counts && typeof counts === "object" ? counts : undefined) !== false;
}

function evaluate(rule, attrs, counts) {
  if (!rule || typeof rule !== "object") return false;
  if ("all" in rule) {
    const answers = iterValues(rule.all).map((r) => evaluate(r, attrs, counts));
    return answers.includes(false) ? false : answers.includes(UNKNOWN) ? UNKNOWN : true;
  }
  if ("any" in rule) {
    const answers = iterValues(rule.any).map((r) => evaluate(r, attrs, counts));
    return answers.includes(true) ? true : answers.includes(UNKNOWN) ? UNKNOWN : false;
  }
  if ("not" in rule) {
    const inner = evaluate(rule.not, attrs, counts);
    return inner === UNKNOWN ? UNKNOWN : !inner;
  }
  if ("event" in rule) {
    if (counts === undefined) return UNKNOWN;
    return countHolds(rule.count, eventCount(counts, rule.event, rule.within_days));
  }
  return condition(rule, attrs);
}

/** How many `event` events the user had in the last `withinDays` days (0 if unknown). */
export function eventCount(counts, event, withinDays) {
  const perEvent = counts && Object.hasOwn(counts, event) ? counts[event] : undefined;
  const key = String(withinDays);
  const n = perEvent && typeof perEvent === "object" && Object.hasOwn(perEvent, key) ? perEvent[key] : undefined;
  return Number.isInteger(n) ? n : 0;
}

function countHolds(bounds, n) {
  if (!bounds || typeof bounds !== "object") return false;
  return Object.entries(bounds).every(([op, bound]) => (op === "eq" ? sameScalar(n, bound) : compare(op, n, bound)));
}

function condition(rule, attrs) {
  const { op, value } = rule;
  const name = rule.attr;
  const actual = Object.hasOwn(attrs, name) ? attrs[name] : undefined;
  const present = isPresent(actual);
  if (op === "exists") return pyEquals(present, existsExpectation(value));
  if (!present) return op === "neq" || op === "nin";
  switch (op) {
    case "eq":
      return sameScalar(actual, value);
    case "neq":
      return !sameScalar(actual, value);
    case "in":
      return iterValues(value).some((v) => sameScalar(actual, v));
    case "nin":
      return !iterValues(value).some((v) => sameScalar(actual, v));
    case "contains":
      if (Array.isArray(actual)) return actual.some((a) => sameScalar(a, value));
      return isStr(actual) && isStr(value) && actual.includes(value);
    case "gt":
    case "gte":
    case "lt":
    case "lte":
      return compare(op, actual, value);
    default:
      // The backend would raise on an unknown op; validation keeps them out, and an
      // unknown rule must never show an experience to the wrong people.
      return false;
  }
}

/** Every [event type, within_days] pair a rule counts, in order, without repeats. */
export function eventConditions(rule) {
  const found = [];
  const walk = (node) => {
    if (!node || typeof node !== "object") return;
    if ("event" in node && !found.some(([e, d]) => e === node.event && d === node.within_days)) {
      found.push([node.event, node.within_days]);
    }
    for (const key of ["all", "any"]) if (Array.isArray(node[key])) node[key].forEach(walk);
    walk(node.not);
  };
  walk(rule);
  return found;
}

// Not toLowerCase(): it differs from Python's str.lower() outside ASCII (final sigma).
const asciiLower = (text) => text.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));

/** `de` matches a user whose locale is `de`, `de-AT` or `de_at` (ASCII case-insensitive). */
export function localeMatches(wanted, attrs) {
  const have = attrs && Object.hasOwn(attrs, "locale") ? attrs.locale : undefined;
  if (!isStr(have) || !isStr(wanted)) return false;
  const h = asciiLower(have).replaceAll("_", "-");
  const w = asciiLower(wanted).replaceAll("_", "-");
  return h === w || h.startsWith(w + "-");
}

function variantMatches(variant, attrs, counts) {
  if (!variant || typeof variant !== "object") return false;
  if ("locale" in variant && !localeMatches(variant.locale, attrs)) return false;
  return segmentMatches(variant.segment ?? null, attrs, counts);
}

/**
 * The content this user sees: the first matching variant's, else the base content.
 * @returns {{index: number|null, content: object}}
 */
export function resolveContent(targeting, content, attrs, counts) {
  const variants = Array.isArray(targeting?.variants) ? targeting.variants : [];
  for (let i = 0; i < variants.length; i++) {
    if (variantMatches(variants[i], attrs, counts)) return { index: i, content: variants[i].content };
  }
  return { index: null, content };
}

/** 32-bit FNV-1a of the UTF-8 bytes, as targeting.py's fnv1a32. */
export function fnv1a32(text) {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** "control" or "treatment" for an experience run as an A/B test, else null. */
export function experimentArm(experiment, experienceId, userId) {
  if (!experiment || typeof experiment !== "object") return null;
  const bucket = fnv1a32(`${experienceId}:${userId}`) % 100;
  return bucket < experiment.control_percent ? "control" : "treatment";
}

/**
 * The attributes segment rules see for a user, as User.segment_attributes() builds them:
 * the free-form attributes, overridden by role, team, locale and email.
 * @param {{role?: string, team?: string|null, locale?: string|null, email?: string, attributes?: object}|null} user
 */
export function userAttributes(user) {
  if (!user || typeof user !== "object") return {};
  const base = user.attributes && typeof user.attributes === "object" ? { ...user.attributes } : {};
  base.role = user.role ?? null;
  base.team = user.team ?? null;
  base.locale = user.locale ?? null;
  base.email = user.email ?? null;
  return base;
}
