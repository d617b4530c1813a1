// Badge: a small label pinned next to a host element — "New", or a live number
// ("3 pending") whose value the server computes from events or another system posts,
// updated in place whenever the worker hears of a change. Part of dist/progress.js.

import { follow } from "../position.js";
import { counterValue, subscribe } from "../progress/client.js";
import { adoptProgressStyles } from "../progress/styles.js";
import { guard } from "../safe.js";
import { trackTarget } from "../track.js";
import { sameTarget } from "./common.js";

const COUNT = /\{\{\s*count\s*\}\}/g;
const HAS_COUNT = /\{\{\s*count\s*\}\}/;

/**
 * The badge's text, or null when it must not show: a counter whose value is unknown (no
 * claim without a real number) or zero with hide_when_zero.
 * @param {{label: string, counter?: object, hide_when_zero?: boolean}} content
 * @param {number|null|undefined} value
 */
export function badgeText(content, value) {
  if (!content.counter) return content.label;
  if (value === null || value === undefined) return null;
  if (value === 0 && content.hide_when_zero) return null;
  const number = value.toLocaleString();
  return HAS_COUNT.test(content.label) ? content.label.replace(COUNT, number) : `${number} ${content.label}`;
}

/**
 * @param {object} experience a Published badge
 * @param {import("./common.js").RendererContext} ctx
 */
export function initBadge(experience, { signal, overlay, viewed }) {
  let exp = experience;
  // Other badge variants (recommended markers, disclosure toggles) have renderers of their own.
  if (exp.content.variant && exp.content.variant !== "label") return {};
  let target = null;
  let progress = null;
  let stop = null;

  const el = document.createElement("span");
  el.className = "nl-badge nl-p";
  el.dataset.nudgelayerExperienceId = String(exp.id);
  el.dataset.nudgelayerKind = "badge";
  el.dataset.nudgelayerPart = "badge";
  el.hidden = true;

  const render = () => {
    const text = badgeText(exp.content, exp.content.counter ? counterValue(progress, exp.content.counter) : undefined);
    el.dataset.nudgelayerVersion = String(exp.version);
    if (text === null || !target) {
      el.hidden = true;
      return;
    }
    if (el.textContent !== text) el.textContent = text;
    if (el.hidden) {
      el.hidden = false;
      viewed();
    }
  };

  const place = () => {
    stop?.();
    stop = target ? follow(target, el, { placement: exp.content.placement ?? "right", gap: 6, signal }) : null;
  };

  trackTarget(exp.content.target, {
    overlay,
    signal,
    onChange: guard((found) => {
      target = found;
      if (found && !el.isConnected) {
        const shadow = overlay.root();
        adoptProgressStyles(shadow);
        shadow.append(el);
      }
      place();
      render();
    }, "badge target"),
  });
  if (exp.content.counter) subscribe((state) => {
    progress = state.progress;
    render();
  }, signal);

  signal.addEventListener("abort", () => {
    stop?.();
    el.remove();
  });

  return {
    update(next) {
      if (!sameTarget(exp.content.target, next.content.target) || next.content.variant !== exp.content.variant) return false;
      const moved = exp.content.placement !== next.content.placement;
      const counted = Boolean(exp.content.counter) !== Boolean(next.content.counter);
      if (counted) return false;
      exp = next;
      if (moved) place();
      render();
      return true;
    },
  };
}
