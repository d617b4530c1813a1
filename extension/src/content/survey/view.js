// The survey card's DOM: one question at a time, built with DOM APIs only (authored
// text is only ever textContent). Scales and single choice are native radio inputs in a
// role=radiogroup labelled by the prompt (arrow keys move and select, Space selects),
// multi choice is checkboxes in a fieldset, free text a labelled textarea.

import { h } from "../sheets.js";
import { scaleOf } from "./flow.js";

export const CSS = `
.nl-survey { position: fixed; right: 16px; bottom: 16px; width: min(380px, calc(100vw - 32px)); max-height: calc(100vh - 32px);
  overflow: auto; box-sizing: border-box; padding: 16px; border-radius: 12px; background: #ffffff; color: #1f2937;
  border: 1px solid #cbd5e1; box-shadow: 0 10px 30px rgba(15,23,42,.25); pointer-events: auto; z-index: 5; text-align: left; direction: ltr;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
.nl-survey * { box-sizing: border-box; }
.nl-survey-head { display: flex; align-items: center; gap: 8px; margin-bottom: 8px; color: #475569; font-size: 12px; }
.nl-survey-head .nl-count { flex: 1 1 auto; }
.nl-survey-anon { padding: 1px 8px; border-radius: 999px; background: #e0f2fe; color: #0c4a6e; font-weight: 600; }
.nl-survey-prompt { margin: 0 0 10px; font-size: 15px; font-weight: 600; color: #111827; overflow-wrap: anywhere; }
.nl-survey fieldset { border: 0; margin: 0; padding: 0; min-width: 0; }
.nl-survey legend { padding: 0; }
.nl-scale { display: flex; flex-wrap: wrap; gap: 4px; }
.nl-scale label { position: relative; display: inline-flex; align-items: center; justify-content: center; min-width: 28px; height: 32px; padding: 0 6px;
  border: 1px solid #94a3b8; border-radius: 6px; cursor: pointer; font-variant-numeric: tabular-nums; background: #fff; color: #1f2937; }
.nl-scale input { position: absolute; opacity: 0; width: 100%; height: 100%; margin: 0; cursor: pointer; }
.nl-scale label:has(input:checked) { background: #1d4ed8; border-color: #1d4ed8; color: #ffffff; }
.nl-scale label:has(input:focus-visible) { outline: 3px solid #1d4ed8; outline-offset: 2px; }
.nl-scale.nl-stars label { border-color: transparent; font-size: 22px; color: #6b7280; min-width: 30px; }
.nl-scale.nl-stars label.nl-lit, .nl-scale.nl-stars label:has(input:checked) { background: transparent; color: #b45309; }
.nl-scale-ends { display: flex; justify-content: space-between; margin-top: 4px; font-size: 12px; color: #475569; }
.nl-choices { display: flex; flex-direction: column; gap: 6px; }
.nl-choices label { display: flex; gap: 8px; align-items: flex-start; cursor: pointer; overflow-wrap: anywhere; }
.nl-choices input { margin-top: 3px; }
.nl-survey textarea { width: 100%; min-height: 80px; padding: 6px 8px; border: 1px solid #64748b; border-radius: 6px; font: inherit; color: #111827; background: #fff; resize: vertical; }
.nl-survey-error { margin: 8px 0 0; color: #b42318; font-weight: 600; }
.nl-survey-error:empty { display: none; }
.nl-survey-actions { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 14px; align-items: center; }
.nl-survey-actions .nl-spacer { flex: 1 1 auto; }
.nl-survey button { padding: 6px 12px; border-radius: 6px; border: 1px solid #475569; background: #fff; color: #1f2937; font: inherit; cursor: pointer; }
.nl-survey button.nl-primary { background: #1d4ed8; border-color: #1d4ed8; color: #ffffff; font-weight: 600; }
.nl-survey button.nl-quiet { border-color: transparent; color: #334155; text-decoration: underline; padding: 6px 4px; }
.nl-survey button:focus-visible, .nl-survey textarea:focus-visible, .nl-choices input:focus-visible { outline: 3px solid #1d4ed8; outline-offset: 2px; }
.nl-survey .nl-block { display: block; }
.nl-survey-thanks { margin: 4px 0 0; font-size: 15px; font-weight: 600; }
.nl-sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (prefers-reduced-motion: no-preference) { .nl-survey { animation: nl-rise .2s ease-out; } }
@keyframes nl-rise { from { transform: translateY(12px); opacity: 0; } to { transform: none; opacity: 1; } }
`;

const SCALE_ENDS = {
  nps: ["0 = Not at all likely", "10 = Extremely likely"],
  csat: ["1 = Very dissatisfied", "5 = Very satisfied"],
};

let uid = 0;

/**
 * The control for one question, with a way to read and set its value.
 * @param {{id: string, type: string, prompt: string, options?: string[], scale?: number, style?: string}} q
 * @param {unknown} value the answer already given (Back), if any
 * @returns {{el: HTMLElement, focusTarget: () => HTMLElement|null, read: () => unknown}}
 */
export function questionControl(q, value) {
  const n = ++uid;
  const promptId = `nl-survey-prompt-${n}`;
  const name = `nl-survey-${n}`;
  const scale = scaleOf(q);
  if (scale) {
    const stars = q.type === "rating" && q.style === "stars";
    const group = h("div", { role: "radiogroup", "aria-labelledby": promptId, class: stars ? "nl-scale nl-stars" : "nl-scale" });
    const ends = SCALE_ENDS[q.type];
    const endsId = ends ? `${promptId}-ends` : null;
    if (endsId) group.setAttribute("aria-describedby", endsId);
    const inputs = [];
    for (let v = scale.min; v <= scale.max; v++) {
      const input = h("input", { type: "radio", name, value: String(v) });
      if (value === v) input.checked = true;
      inputs.push(input);
      // Stars are drawn, but the accessible name is the number ("3 stars").
      const text = stars ? [h("span", { "aria-hidden": "true", text: "\u2605" }), h("span", { class: "nl-sr", text: `${v} ${v === 1 ? "star" : "stars"}` })] : [String(v)];
      group.append(h("label", {}, [input, ...text]));
    }
    if (stars) {
      const light = () => {
        const chosen = inputs.findIndex((i) => i.checked);
        inputs.forEach((i, idx) => i.parentElement.classList.toggle("nl-lit", idx <= chosen));
      };
      group.addEventListener("change", light);
      light();
    }
    const el = h("div", {}, [h("p", { class: "nl-survey-prompt", id: promptId, text: q.prompt }), group]);
    if (ends) el.append(h("div", { class: "nl-scale-ends", id: endsId }, [h("span", { text: ends[0] }), h("span", { text: ends[1] })]));
    return {
      el,
      focusTarget: () => inputs.find((i) => i.checked) ?? inputs[0],
      read: () => {
        const chosen = inputs.find((i) => i.checked);
        return chosen ? Number(chosen.value) : undefined;
      },
    };
  }
  if (q.type === "single" || q.type === "multi") {
    const multi = q.type === "multi";
    const inputs = (q.options ?? []).map((option) => {
      const input = h("input", { type: multi ? "checkbox" : "radio", name, value: option });
      input.checked = multi ? Array.isArray(value) && value.includes(option) : value === option;
      return input;
    });
    const labels = inputs.map((input) => h("label", {}, [input, h("span", { text: input.value })]));
    const list = h("div", { class: "nl-choices" }, labels);
    let el;
    if (multi) {
      el = h("fieldset", {}, [h("legend", { class: "nl-survey-prompt", id: promptId, text: q.prompt }), list]);
    } else {
      list.setAttribute("role", "radiogroup");
      list.setAttribute("aria-labelledby", promptId);
      el = h("div", {}, [h("p", { class: "nl-survey-prompt", id: promptId, text: q.prompt }), list]);
    }
    return {
      el,
      focusTarget: () => inputs.find((i) => i.checked) ?? inputs[0],
      read: () => {
        const chosen = inputs.filter((i) => i.checked).map((i) => i.value);
        if (multi) return chosen.length ? chosen : undefined;
        return chosen[0];
      },
    };
  }
  // Free text.
  const areaId = `${name}-text`;
  const area = h("textarea", { id: areaId, maxlength: "5000", rows: "4" });
  if (typeof value === "string") area.value = value;
  const el = h("div", {}, [h("label", { class: "nl-survey-prompt nl-block", for: areaId, id: promptId, text: q.prompt }), area]);
  return {
    el,
    focusTarget: () => area,
    read: () => (area.value.trim() ? area.value : undefined),
  };
}
