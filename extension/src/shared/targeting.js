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

/**
 * True when the attributes `attrs` satisfy `rule`; no rule (null or {}) admits everyone.
 * A missing (or null) attribute fails every op except `neq`, `nin` and `exists: false`.
 * @param {object|null|undefined} rule
 * @param {Record<string, unknown>} attrs
 * @returns {boolean}
 */
export function segmentMatches(rule, attrs) {
  if (!rule || (typeof rule === "object" && Object.keys(rule).length === 0)) return true;
  if (typeof rule !== "object") return false;
  attrs = attrs && typeof attrs === "object" ? attrs : {};
  if ("all" in rule) return iterValues(rule.all).every((r) => segmentMatches(r, attrs));
  if ("any" in rule) return iterValues(rule.any).some((r) => segmentMatches(r, attrs));
  if ("not" in rule) return !segmentMatches(rule.not, attrs);
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
