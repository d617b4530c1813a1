// The cache of live experiences: pure functions over plain data, so the rules about
// cursors, segments and pages are tested in node without a browser.

import { segmentMatches, urlMatches } from "../shared/targeting.js";

/** @typedef {import("./store.js").Published} Published */
/** @typedef {import("./store.js").Cache} Cache */

const byId = (a, b) => a.id - b.id;

/** Only what the user's segment admits is kept: a change may move them out of it. */
function admits(experience, attrs) {
  return segmentMatches(experience.targeting?.segment ?? null, attrs);
}

/**
 * Apply upserts and removes to a list of experiences.
 * @param {Published[]} experiences
 * @param {{op: "upsert"|"remove", id: number, experience?: Published}[]} changes
 * @param {object} attrs the user's segment attributes
 * @returns {Published[]} a new list, sorted by id
 */
export function applyChanges(experiences, changes, attrs) {
  const map = new Map(experiences.map((e) => [e.id, e]));
  for (const change of changes) {
    if (change.op === "upsert" && change.experience && admits(change.experience, attrs)) {
      map.set(change.id, change.experience);
    } else {
      map.delete(change.id);
    }
  }
  return [...map.values()].sort(byId);
}

/**
 * The cache after a `sync` (or a `resume` answer).
 * @param {Cache} cache
 * @param {{cursor: number, full: boolean, changes: any[]}} sync
 * @param {object} attrs
 * @returns {Cache}
 */
export function applySync(cache, sync, attrs) {
  const base = sync.full ? [] : cache.experiences;
  return { cursor: sync.cursor, experiences: applyChanges(base, sync.changes, attrs) };
}

/**
 * What to do with a pushed `change`, given the cursor we hold.
 * - "apply": it is the next change of our workspace;
 * - "stale": we already have it (or newer), drop it;
 * - "gap": changes were missed in between, ask the server with `resume`;
 * - "wait": we have no cursor yet; the `sync` that follows every connect brings it.
 * Cursors are one sequence for the whole server; `prevCursor` (the workspace's
 * previous change) tells our own missed changes from other workspaces' changes.
 * @param {number|null} cursor
 * @param {number} changeCursor
 * @param {number} [prevCursor]
 */
export function classifyChange(cursor, changeCursor, prevCursor) {
  if (cursor === null || cursor === undefined) return "wait";
  if (changeCursor <= cursor) return "stale";
  if (typeof prevCursor === "number") return prevCursor <= cursor ? "apply" : "gap";
  // An older server without prev_cursor: any jump may hide a missed change.
  if (changeCursor > cursor + 1) return "gap";
  return "apply";
}

/**
 * The cache after a pushed change classified "apply".
 * @param {Cache} cache
 * @param {{cursor: number, op: "upsert"|"remove", id: number, experience?: Published}} change
 * @param {object} attrs
 * @returns {Cache}
 */
export function applyChange(cache, change, attrs) {
  return { cursor: change.cursor, experiences: applyChanges(cache.experiences, [change], attrs) };
}

/**
 * The cached experiences for one page: URL glob and segment both match.
 * @param {Published[]} experiences
 * @param {string} url
 * @param {object} attrs
 */
export function experiencesForPage(experiences, url, attrs) {
  return experiences.filter((e) => urlMatches(e.targeting?.url, url) && admits(e, attrs));
}

/** Same experiences at the same versions? (decides whether tabs need telling). */
export function sameExperiences(a, b) {
  if (a.length !== b.length) return false;
  return a.every((e, i) => e.id === b[i].id && e.version === b[i].version && e.name === b[i].name);
}
