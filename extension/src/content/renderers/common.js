// What renderers share.

/**
 * What the runtime hands every renderer's init(experience, ctx).
 * @typedef {object} RendererContext
 * @property {AbortSignal} signal aborted when the experience goes away; remove everything then
 * @property {import("../overlay.js").Overlay} overlay where to mount (overlay.root()) and watch the page
 * @property {() => void} viewed call when shown; sends experience.viewed once per page view
 * @property {() => void} dismiss the user closed it for good; the runtime tears it down
 * @property {(type: string, data?: object) => void} report send another event about this experience
 */

/** Do two target descriptors describe the same element the same way? */
export function sameTarget(a, b) {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}
