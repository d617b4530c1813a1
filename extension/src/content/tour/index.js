// dist/tour.js: the tour runtime, an ES module imported by renderers/tour.js.

export { initTour } from "./controller.js";
