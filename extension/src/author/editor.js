// The step editor's fields: one step of a tour, or the single target of a tooltip or
// hotspot. Built with DOM APIs; every field has a label, and an error line next to it
// that shows the server's 422 messages for that field.

import { describeElement } from "../content/describe.js";
import { resolve } from "../content/resolve.js";
import { renderMarkdown } from "../shared/markdown.js";
import { urlMatches } from "../shared/targeting.js";
import { h, nextId } from "./dom.js";
import { messagesUnder, PLACEMENTS } from "./model.js";

const PLACEMENT_LABELS = { auto: "Automatic", top: "Above", bottom: "Below", left: "Left", right: "Right" };

/**
 * A labelled field: label, control, optional hint, and the error line for `path`.
 * @returns {{wrap: HTMLElement, control: HTMLElement}}
 */
export function field({ label, control, hint = "", path, errors }) {
  const id = control.id || (control.id = nextId("f"));
  const messages = path ? messagesUnder(errors, path) : [];
  const hintEl = hint ? h("p", { class: "hint", attrs: { id: `${id}-hint` }, text: hint }) : null;
  const errorEl = h("p", { class: "error", attrs: { id: `${id}-error` }, text: messages.join(" ") });
  control.setAttribute("aria-describedby", [hintEl ? `${id}-hint` : "", `${id}-error`].filter(Boolean).join(" "));
  if (messages.length) control.setAttribute("aria-invalid", "true");
  const wrap = h("div", { class: "field" }, h("label", { attrs: { for: id }, text: label }), control, hintEl, errorEl);
  return { wrap, control };
}

/** A text input; `url` ones take globs ("*"), which type=url would call invalid. */
export function textInput(value, onInput, { url = false } = {}) {
  return h("input", {
    attrs: { type: "text", inputmode: url ? "url" : null, spellcheck: url ? "false" : null, autocomplete: "off" },
    props: { value },
    on: { input: (e) => onInput(e.target.value) },
  });
}

/**
 * Is this target found again on the page, and only the element that was picked?
 * @returns {{cls: "ok"|"warn"|"bad"|"", text: string}}
 */
export function checkTarget(target, el, stepUrl) {
  if (!target) return { cls: "", text: "" };
  let found = null;
  let reason = "";
  try {
    const answer = resolve(target);
    found = answer.element;
    reason = answer.reason ?? "";
  } catch {
    reason = "error";
  }
  let count = 0;
  try {
    count = document.querySelectorAll(target.selector).length;
  } catch {
    // An invalid selector matches nothing; the candidates may still find it.
  }
  if (!found) {
    if (stepUrl && !urlMatches(stepUrl, location.href)) return { cls: "", text: "On another page: go there to check it." };
    if (reason === "ambiguous") return { cls: "warn", text: "Ambiguous: several elements look like it." };
    return { cls: "bad", text: "Not found on this page." };
  }
  if (count > 1) return { cls: "warn", text: `Ambiguous: the selector matches ${count} elements.` };
  if (el && el.isConnected && found !== el) return { cls: "warn", text: "Ambiguous: it finds another element." };
  return { cls: "ok", text: "Found ✓" };
}

/** A new target for `el`, or null when it cannot be described (detached, exotic). */
export function describe(el) {
  try {
    return describeElement(el);
  } catch {
    return null;
  }
}

/**
 * The editor of step `index` of `draft`.
 * @param {object} app the AuthorApp (draft, errors, picking, and the actions below)
 * @param {number} index
 * @returns {HTMLElement}
 */
export function stepEditor(app, index) {
  const { draft } = app;
  const step = draft.steps[index];
  const tour = draft.kind === "tour";
  const base = tour ? `content.steps.${index}` : "content";
  const errors = app.errors;
  const headingId = nextId("step");

  const changed = () => app.changed();

  // The element: selector, candidates, and whether it is found again.
  const targetErrors = messagesUnder(errors, `${base}.target`);
  const check = h("span", { class: "check", attrs: { "data-nla": "check" } });
  const targetBox = h(
    "fieldset",
    { class: "target" },
    h("legend", { text: "Element" }),
    step.target
      ? [
          h("code", { attrs: { "data-nla": "selector" }, text: step.target.selector }),
          h(
            "p",
            { class: "meta" },
            `${step.target.candidates?.length ?? 0} candidates · `,
            check,
          ),
        ]
      : h("p", { class: "meta", text: "No element yet: pick one on the page." }),
    h(
      "div",
      { class: "row" },
      h("button", { attrs: { type: "button" }, text: step.target ? "Pick another element" : "Pick element", on: { click: () => app.pick({ index }) } }),
      h("button", { attrs: { type: "button", disabled: !step.el?.parentElement }, text: "Parent element", on: { click: () => app.adjust(index, "parent") } }),
      h("button", { attrs: { type: "button", disabled: !step.el?.firstElementChild }, text: "First child element", on: { click: () => app.adjust(index, "child") } }),
    ),
    h("p", { class: "error", attrs: { role: targetErrors.length ? "alert" : null }, text: targetErrors.join(" ") }),
  );
  const refreshCheck = () => {
    const result = checkTarget(step.target, step.el, tour ? step.url : "");
    check.className = `check ${result.cls}`;
    check.textContent = result.text;
  };
  refreshCheck();

  const title = field({
    label: "Title",
    path: `${base}.title`,
    errors,
    control: textInput(step.title, (value) => {
      step.title = value;
      app.stepTitleChanged(index);
      changed();
    }),
  });
  title.control.setAttribute("data-nla", "title");

  const previewId = nextId("md");
  const preview = h("div", { class: "md", attrs: { role: "region", "aria-labelledby": previewId } });
  const renderPreview = () => {
    const rendered = renderMarkdown(step.body);
    if (rendered.childNodes.length) preview.replaceChildren(rendered);
    else preview.replaceChildren(h("p", { class: "empty", text: "Nothing to show yet." }));
  };
  renderPreview();
  const bodyArea = h("textarea", {
    props: { value: step.body },
    attrs: { rows: 4 },
    on: {
      input: (e) => {
        step.body = e.target.value;
        renderPreview();
        changed();
      },
    },
  });
  const body = field({
    label: "Body",
    path: `${base}.body`,
    errors,
    hint: "Markdown: **bold**, *italic*, `code`, [link](https://…), “- ” lists, blank line for a new paragraph.",
    control: bodyArea,
  });

  const placement = field({
    label: "Placement",
    path: `${base}.placement`,
    errors,
    control: h(
      "select",
      { on: { change: (e) => ((step.placement = e.target.value), changed()) } },
      PLACEMENTS.map((p) => h("option", { attrs: { value: p, selected: p === step.placement }, text: PLACEMENT_LABELS[p] })),
    ),
  });

  const parts = [
    h("h4", { attrs: { id: headingId }, text: tour ? `Step ${index + 1} of ${draft.steps.length}` : "Content" }),
    targetBox,
    title.wrap,
    body.wrap,
    h("div", { class: "label", attrs: { id: previewId }, text: "Body preview" }),
    preview,
    placement.wrap,
  ];

  if (tour) {
    const name = nextId("advance");
    const radio = (value, text) =>
      h(
        "label",
        { class: "choice" },
        h("input", {
          attrs: { type: "radio", name, value, checked: step.advance === value },
          on: { change: () => ((step.advance = value), changed()) },
        }),
        text,
      );
    const advanceErrors = messagesUnder(errors, `${base}.advance`);
    parts.push(
      h(
        "fieldset",
        {},
        h("legend", { text: "Go to the next step" }),
        radio("next", "When the Next button is pressed"),
        radio("click", "When the element is clicked"),
        h("p", { class: "error", text: advanceErrors.join(" ") }),
      ),
    );
    const url = field({
      label: "Step page (URL pattern)",
      path: `${base}.url`,
      errors,
      hint: "* matches anything. The query string counts only when the pattern has “?”.",
      control: textInput(step.url, (value) => ((step.url = value), refreshCheck(), changed()), { url: true }),
    });
    parts.push(url.wrap);
  }

  const section = h("section", { class: "step-editor", attrs: { "aria-labelledby": headingId } }, ...parts);
  section.refreshCheck = refreshCheck;
  return section;
}
