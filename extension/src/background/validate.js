// Validation of everything the server sends, with validators compiled at build time
// from shared-schemas/ (Ajv standalone: MV3 forbids eval, so no runtime compiling).
// A message that fails is logged and dropped; it never reaches the cache.

import { log } from "../shared/log.js";
import * as generated from "../shared/generated/validators.js";

function check(validator, what, data) {
  if (validator(data)) return true;
  log.warn(`dropped an invalid ${what}:`, JSON.stringify(validator.errors?.slice(0, 5)), data);
  return false;
}

/** A `sync` message or a `resume` answer ({cursor, full, changes}). */
export const validSync = (data, what = "sync") => check(generated.validateSync, what, data);

/** A pushed `change` ({cursor, op, id, experience?}). */
export const validChange = (data) => check(generated.validateChange, "change", data);

/** A pushed `signal` ({key, value, scope, updated_at}; value null: cleared). */
export const validSignal = (data) => check(generated.validateSignal, "signal", data);

/** A pushed `nudges` hint ({reason, user_ids?}): fetch GET /client/nudges again. */
export const validNudgesMessage = (data) => check(generated.validateNudges, "nudges message", data);

/** One experience of GET /client/experiences. */
export const validPublished = (data) => check(generated.validatePublished, "experience", data);

/** The body of GET /client/experiences: {cursor, experiences: [Published]}. */
export function validFeed(data) {
  const shaped =
    data !== null &&
    typeof data === "object" &&
    Number.isSafeInteger(data.cursor) &&
    data.cursor >= 0 &&
    Array.isArray(data.experiences);
  if (!shaped) {
    log.warn("dropped an invalid experience feed:", data);
    return false;
  }
  return data.experiences.every(validPublished);
}
