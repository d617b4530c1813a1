// Author mode's preview: the unsaved experience drawn by the runtime's own renderers,
// in an overlay of its own, so what the admin sees is what staff will see. Nothing is
// reported (no views, no dismissals, no progress): a preview is not a use.

import { log } from "../shared/log.js";
import { MSG } from "../shared/messages.js";
import { send } from "./bridge.js";
import { Overlay } from "./overlay.js";
import { initHotspot } from "./renderers/hotspot.js";
import { initTooltip } from "./renderers/tooltip.js";
import { initTour } from "./renderers/tour.js";

// The runtime's renderers (a tour starts at its first step when ctx.preview is set).
const RENDERERS = { tooltip: initTooltip, hotspot: initHotspot, tour: initTour };
const AUTHOR_HOST = "nudgelayer-author";

const noop = () => {};

export class Preview {
  constructor(renderers = RENDERERS) {
    this.renderers = renderers;
    this.controller = null;
    this.overlay = null;
  }

  /**
   * Show `experience` (replacing any earlier preview), or stop with null.
   * @returns {{ok: true} | {ok: false, error: string}}
   */
  show(experience) {
    this.stop();
    if (experience === null || experience === undefined) return { ok: true };
    const render = this.renderers[experience?.kind];
    if (!render || !experience.content || typeof experience.content !== "object") {
      return { ok: false, error: `a ${String(experience?.kind)} cannot be previewed here` };
    }
    const controller = new AbortController();
    const overlay = new Overlay();
    this.controller = controller;
    this.overlay = overlay;
    // Below author mode's panel, so the panel can always stop the preview.
    const panel = document.querySelector(AUTHOR_HOST);
    overlay.root();
    if (panel && overlay.host) panel.before(overlay.host);
    const ctx = {
      signal: controller.signal,
      overlay,
      preview: true,
      viewed: noop,
      report: noop,
      // Closing the previewed card (or skipping, finishing the tour) ends the preview;
      // author mode's panel hears of it through the worker.
      dismiss: () => {
        if (this.controller !== controller) return;
        this.stop();
        send({ type: MSG.CONTENT_AUTHOR_PREVIEW_ENDED });
      },
    };
    try {
      render({ id: 0, version: 0, name: "Preview", ...experience }, ctx);
    } catch (err) {
      log.error("preview failed:", err);
      this.stop();
      return { ok: false, error: `the preview failed: ${err?.message ?? err}` };
    }
    return { ok: true };
  }

  stop() {
    this.controller?.abort();
    this.overlay?.destroy();
    this.controller = null;
    this.overlay = null;
  }
}
