// What a tour step looks like: a dialog (role=dialog, labelled and described) next to
// its target, a dimmed backdrop with a cut-out around the target, and a ring around it.
// Built with DOM APIs only; authored text goes in as text or through the Markdown builder.

import { autoUpdate } from "@floating-ui/dom";

import { renderMarkdown, safeHref } from "../../shared/markdown.js";
import { follow } from "../position.js";
import { guard } from "../safe.js";
import { adoptTourStyles } from "./styles.js";

const SVG = "http://www.w3.org/2000/svg";
const HOLE_PADDING = 6;
const HOLE_RADIUS = 6;
let counter = 0;

function button(label, action, className = "nl-btn") {
  const b = document.createElement("button");
  b.type = "button";
  b.className = className;
  b.textContent = label;
  b.dataset.nudgelayerAction = action;
  return b;
}

/** A rectangle with rounded corners, for the even-odd cut-out. */
function roundedRect(x, y, w, h, r) {
  r = Math.max(0, Math.min(r, w / 2, h / 2));
  return `M${x + r} ${y}H${x + w - r}A${r} ${r} 0 0 1 ${x + w} ${y + r}V${y + h - r}A${r} ${r} 0 0 1 ${x + w - r} ${y + h}H${x + r}A${r} ${r} 0 0 1 ${x} ${y + h - r}V${y + r}A${r} ${r} 0 0 1 ${x + r} ${y}Z`;
}

/** A glob that names one page (no `*`) can be offered as a link. */
export function concreteUrl(glob) {
  if (typeof glob !== "string" || glob.includes("*")) return null;
  return safeHref(glob) && /^https?:/i.test(glob) ? glob : null;
}

export class StepView {
  /**
   * @param {{id: number, version: number}} exp
   * @param {{onNext: () => void, onBack: () => void, onClose: (how: string) => void, onSkip: () => void}} actions
   */
  constructor(exp, actions) {
    const uid = `nl-tour-${exp.id}-${++counter}`;
    this.exp = exp;
    this.stopFollowing = null;
    this.stopHole = null;

    const dialog = document.createElement("div");
    dialog.className = "card nl-tour-step";
    dialog.setAttribute("role", "dialog");
    dialog.setAttribute("aria-modal", "false");
    dialog.setAttribute("aria-labelledby", `${uid}-title`);
    dialog.setAttribute("aria-describedby", `${uid}-progress ${uid}-body ${uid}-note`);
    dialog.tabIndex = -1;
    dialog.dataset.nudgelayerExperienceId = String(exp.id);
    dialog.dataset.nudgelayerKind = "tour";
    dialog.dataset.nudgelayerVersion = String(exp.version);

    this.progress = document.createElement("p");
    this.progress.className = "nl-tour-progress";
    this.progress.id = `${uid}-progress`;
    this.title = document.createElement("h2");
    this.title.className = "title";
    this.title.id = `${uid}-title`;
    this.body = document.createElement("div");
    this.body.className = "body";
    this.body.id = `${uid}-body`;
    this.note = document.createElement("p");
    this.note.className = "nl-tour-note";
    this.note.id = `${uid}-note`;

    this.backButton = button("Back", "back");
    this.skipButton = button("Skip tour", "skip", "nl-btn nl-btn-quiet");
    this.nextButton = button("Next", "next", "nl-btn nl-btn-primary");
    this.gotoLink = document.createElement("a");
    this.gotoLink.className = "nl-btn nl-btn-primary";
    this.gotoLink.textContent = "Go to the page";
    this.gotoLink.dataset.nudgelayerAction = "goto";
    const spacer = document.createElement("span");
    spacer.className = "nl-spacer";
    const actionsRow = document.createElement("div");
    actionsRow.className = "nl-tour-actions";
    actionsRow.append(this.skipButton, spacer, this.backButton, this.gotoLink, this.nextButton);

    this.closeButton = button("\u00d7", "close", "close");
    this.closeButton.setAttribute("aria-label", "End tour");
    this.arrowEl = document.createElement("div");
    this.arrowEl.className = "arrow";
    this.arrowEl.setAttribute("aria-hidden", "true");
    dialog.append(this.progress, this.title, this.body, this.note, actionsRow, this.closeButton, this.arrowEl);
    this.dialog = dialog;

    this.nextButton.addEventListener("click", guard(() => actions.onNext(), "tour next"));
    this.backButton.addEventListener("click", guard(() => actions.onBack(), "tour back"));
    this.skipButton.addEventListener("click", guard(() => actions.onSkip(), "tour skip"));
    this.closeButton.addEventListener("click", guard(() => actions.onClose("button"), "tour close"));

    // The dimmed backdrop: one even-odd path, the viewport minus the target's box.
    this.backdrop = document.createElementNS(SVG, "svg");
    this.backdrop.setAttribute("class", "nl-tour-backdrop");
    // (SVG elements have no `hidden` property: the attribute is toggled instead.)
    this.backdrop.setAttribute("aria-hidden", "true");
    this.backdrop.dataset.nudgelayerPart = "backdrop";
    this.hole = document.createElementNS(SVG, "path");
    this.hole.setAttribute("fill-rule", "evenodd");
    this.backdrop.append(this.hole);
    this.ring = document.createElement("div");
    this.ring.className = "nl-tour-ring";
    this.ring.setAttribute("aria-hidden", "true");
    this.ring.dataset.nudgelayerPart = "highlight";
  }

  mount(shadow) {
    adoptTourStyles(shadow);
    if (!this.dialog.isConnected) shadow.append(this.backdrop, this.ring, this.dialog);
  }

  /**
   * Fill in step `index` of `steps`.
   * @param {{title: string, body?: string, advance?: string}} step
   */
  setStep(step, index, count) {
    this.dialog.dataset.nudgelayerStep = String(index);
    this.progress.textContent = `Step ${index + 1} of ${count}`;
    this.title.textContent = step.title;
    this.body.replaceChildren(renderMarkdown(step.body ?? ""));
    this.backButton.hidden = index === 0;
    this.nextButton.textContent = index === count - 1 ? "Done" : "Next";
    this.skipButton.hidden = index === count - 1;
  }

  #unfollow() {
    this.stopFollowing?.();
    this.stopHole?.();
    this.stopFollowing = this.stopHole = null;
  }

  /** Next to `target`, with the cut-out around it. */
  showAt(target, step, signal) {
    this.#unfollow();
    this.dialog.dataset.state = "anchored";
    this.dialog.hidden = false;
    this.gotoLink.hidden = true;
    this.nextButton.hidden = false;
    this.note.textContent = step.advance === "click" ? "Click the highlighted element to continue." : "";
    this.backdrop.toggleAttribute("hidden", false);
    this.ring.hidden = false;
    const draw = guard(() => this.#drawHole(target), "tour highlight");
    this.stopHole = autoUpdate(target, this.backdrop, draw, { animationFrame: false });
    this.stopFollowing = follow(target, this.dialog, { placement: step.placement, arrowEl: this.arrowEl, signal, gap: 14 });
  }

  /** In the middle of the screen: the target is not on the page. */
  showCentred() {
    this.#unfollow();
    this.dialog.dataset.state = "centred";
    this.dialog.hidden = false;
    this.dialog.style.visibility = "visible";
    this.gotoLink.hidden = true;
    this.nextButton.hidden = false;
    this.note.textContent = "We couldn't find this on the page. You can go on with the next step or skip the tour.";
    this.backdrop.toggleAttribute("hidden", true);
    this.ring.hidden = true;
  }

  /** In a corner, not blocking the page: this step is on another page. */
  showElsewhere(step, isLast) {
    this.#unfollow();
    this.dialog.dataset.state = "elsewhere";
    this.dialog.hidden = false;
    this.dialog.style.visibility = "visible";
    const href = concreteUrl(step.url);
    this.gotoLink.hidden = !href;
    if (href) this.gotoLink.href = href;
    else this.gotoLink.removeAttribute("href");
    // Leaving the step for later is "Next" here; on the last step there is nothing after.
    this.nextButton.hidden = isLast;
    this.note.textContent = href
      ? "This step is on another page."
      : "This step is on another page. Go there and the tour continues.";
    this.backdrop.toggleAttribute("hidden", true);
    this.ring.hidden = true;
  }

  hide() {
    this.#unfollow();
    this.dialog.dataset.state = "waiting";
    this.dialog.hidden = true;
    this.backdrop.toggleAttribute("hidden", true);
    this.ring.hidden = true;
  }

  #drawHole(target) {
    if (!target.isConnected) return;
    const r = target.getBoundingClientRect();
    const w = document.documentElement.clientWidth || innerWidth;
    const h = Math.max(document.documentElement.clientHeight, innerHeight);
    const x = r.left - HOLE_PADDING;
    const y = r.top - HOLE_PADDING;
    const hw = r.width + 2 * HOLE_PADDING;
    const hh = r.height + 2 * HOLE_PADDING;
    this.backdrop.setAttribute("viewBox", `0 0 ${w} ${h}`);
    this.hole.setAttribute("d", `M0 0H${w}V${h}H0Z ${roundedRect(x, y, hw, hh, HOLE_RADIUS)}`);
    Object.assign(this.ring.style, {
      top: `${Math.round(y)}px`,
      left: `${Math.round(x)}px`,
      width: `${Math.round(hw)}px`,
      height: `${Math.round(hh)}px`,
    });
  }

  destroy() {
    this.#unfollow();
    this.dialog.remove();
    this.backdrop.remove();
    this.ring.remove();
  }
}
