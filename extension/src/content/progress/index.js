// dist/progress.js: badges, checklists, the progress launcher and panel. An ES module
// that content.js imports (progress/lazy.js) only on pages that need one of them.

export { initBadge } from "../renderers/badge.js";
export { initChecklist } from "../renderers/checklist.js";
export { hideLauncher, showLauncher } from "./launcher.js";
