// Tour progress through the service worker, which keeps it on the server (so it follows
// the user to another device) and caches it (so it survives being offline).

import { MSG } from "../../shared/messages.js";
import { send } from "../bridge.js";

export const STATUS = Object.freeze({
  NOT_STARTED: "not_started",
  ACTIVE: "active",
  COMPLETED: "completed",
  DISMISSED: "dismissed",
  // Neither the server nor the cache could say: never start a tour on its own then.
  UNKNOWN: "unknown",
});

/** @returns {Promise<{step: number, status: string, version?: number|null}>} */
export async function getProgress(tourId) {
  const answer = await send({ type: MSG.CONTENT_TOUR_PROGRESS, op: "get", id: tourId });
  const p = answer?.ok ? answer.progress : null;
  if (!p || typeof p.status !== "string" || !Number.isInteger(p.step)) return { step: 0, status: STATUS.UNKNOWN };
  return p;
}

export function putProgress(tourId, step, status, version) {
  send({ type: MSG.CONTENT_TOUR_PROGRESS, op: "put", id: tourId, step, status, version });
}
