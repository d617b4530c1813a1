// The nudges bundle (dist/nudges.js, an ES module): banners, recommended markers,
// progressive disclosure, the What's new launcher and the digest card. content.js
// imports it (renderers/lazy.js) only on a page that shows one of them.

export { initBanner } from "./renderers/banner.js";
export { initDigest } from "./renderers/digest.js";
export { initDisclosure } from "./renderers/disclosure.js";
export { initRecommend } from "./renderers/recommend.js";
export { initWhatsNew } from "./renderers/whatsnew.js";
