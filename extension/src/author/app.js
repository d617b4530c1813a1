// Author mode's panel: the experiences that point at this page, and the editor of one
// of them (steps, targets, preview, save, publish, version history). Docked to the
// right of the page in author mode's own shadow root; the page stays usable beside it.

import { MSG } from "../shared/messages.js";
import { log } from "../shared/log.js";
import { ask } from "./channel.js";
import { h } from "./dom.js";
import { checkTarget, describe, field, stepEditor, textInput } from "./editor.js";
import {
  AUDIENCES,
  CUSTOM_AUDIENCE,
  defaultStepUrl,
  draftFromExperience,
  draftFromSnapshot,
  duplicateStep,
  flattenDetails,
  messagesUnder,
  moveStep,
  newDraft,
  newStep,
  previewExperience,
  removeStep,
  saveBody,
  snapshotOf,
} from "./model.js";
import { startPicker } from "./picker.js";
import { urlMatches } from "../shared/targeting.js";

const KIND_TITLES = { tour: "Tour", tooltip: "Tooltip", hotspot: "Hotspot" };
const CHECK_INTERVAL_MS = 1500;
// Unsaved work is kept by the worker this long after the last change (and at stop).
const KEEP_DELAY_MS = 800;

function statusLine(draft) {
  if (!draft.id) return "Not saved yet.";
  const parts = [`Version ${draft.version}`];
  if (draft.status === "published") parts.push(draft.hasUnpublishedChanges ? `draft; version ${draft.publishedVersion} is live` : "live");
  else parts.push(draft.publishedVersion ? `draft (unpublished; was version ${draft.publishedVersion})` : "draft");
  return parts.join(" · ");
}

function summaryLine(item) {
  const state = item.status === "published" ? (item.has_unpublished_changes ? "live, with draft changes" : "live") : item.status;
  return `${KIND_TITLES[item.kind] ?? item.kind} · ${state} · version ${item.version}`;
}

export class AuthorApp {
  /** @param {{host: HTMLElement, root: ShadowRoot, onClose: () => void}} options */
  constructor({ host, root, onClose }) {
    this.host = host;
    this.root = root;
    this.onClose = onClose;
    this.draft = null;
    this.selected = 0;
    this.errors = new Map();
    this.picker = null;
    this.picking = null;
    this.previewing = false;
    this.dirty = false;
    this.discardArmed = false;
    this.closeArmed = false;
    this.versions = null;
    this.user = null;
    this.timer = 0;
    this.keepTimer = 0;
    this.kept = null; // unsaved work from before a page load, offered in the list
    this.listToken = 0;

    this.layer = h("div", { class: "layer" });
    this.scroll = h("div", { class: "scroll", attrs: { tabindex: "-1" } });
    this.status = h("p", { class: "status", attrs: { role: "status", "aria-live": "polite" } });
    this.who = h("p", { class: "who", text: "Connecting…" });
    this.panel = h(
      "aside",
      { class: "panel", attrs: { "aria-labelledby": "nla-title", "data-nudgelayer-author-panel": "" } },
      h(
        "div",
        { class: "bar" },
        h("h2", { attrs: { id: "nla-title" }, text: "Nudgelayer author mode" }),
        // The panel covers part of the page: it moves aside for elements beneath it.
        h("button", { attrs: { type: "button" }, text: "Dock left", on: { click: (e) => (e.target.textContent = this.panel.classList.toggle("left") ? "Dock right" : "Dock left") } }),
        h("button", { attrs: { type: "button" }, text: "Close", on: { click: () => this.requestClose() } }),
      ),
      this.who,
      this.scroll,
      h("div", { class: "foot" }, this.status),
    );
    root.append(this.layer, this.panel);
    this.onMessage = (msg) => {
      if (msg?.type === MSG.BG_AUTHOR_PREVIEW_ENDED) this.previewEnded();
    };
    chrome.runtime.onMessage.addListener(this.onMessage);
  }

  async start() {
    this.showList();
    const hello = await ask(MSG.AUTHOR_HELLO);
    if (!hello.ok) {
      this.who.textContent = "Not available";
      this.say(hello.error, true);
      return;
    }
    this.user = hello.data.user;
    this.who.textContent = `Signed in as ${this.user.email} (${this.user.role})`;
    this.kept = draftFromSnapshot(hello.data.kept);
    if (this.kept && !this.draft) this.showList();
    // The target checks follow the page: an SPA route change can bring a step's element.
    this.timer = setInterval(() => this.refreshChecks(), CHECK_INTERVAL_MS);
  }

  stop() {
    chrome.runtime.onMessage.removeListener(this.onMessage);
    clearInterval(this.timer);
    clearTimeout(this.keepTimer);
    this.picker?.stop();
    this.picker = null;
    if (this.previewing) ask(MSG.AUTHOR_PREVIEW, { experience: null });
    this.previewing = false;
  }

  say(text, bad = false) {
    this.status.textContent = text ?? "";
    this.status.classList.toggle("bad", Boolean(bad));
  }

  /**
   * Replace the scrolling part's content, then focus the first of `focus` (selectors)
   * found in it, else the scrolling part itself: focus never falls back to the page.
   */
  #show(nodes, focus) {
    this.scroll.replaceChildren(...nodes);
    const wanted = Array.isArray(focus) ? focus : focus ? [focus] : [];
    const el = wanted.map((sel) => this.scroll.querySelector(sel)).find(Boolean) ?? null;
    (el ?? this.scroll).focus({ preventScroll: Boolean(el) });
    if (el) el.scrollIntoView({ block: "nearest" });
  }

  // --- the list of this page's experiences ----------------------------------------

  /** The unsaved work to keep when author mode stops now (one per tab), or null. */
  keepable() {
    if (this.draft && this.dirty) return snapshotOf(this.draft);
    return this.kept ? snapshotOf(this.kept) : null; // offered, not taken up yet: still kept
  }

  #keepSoon() {
    clearTimeout(this.keepTimer);
    this.keepTimer = setTimeout(() => ask(MSG.AUTHOR_KEEP, { draft: this.keepable() }), KEEP_DELAY_MS);
  }

  #forgetKept() {
    clearTimeout(this.keepTimer);
    this.kept = null;
    ask(MSG.AUTHOR_KEEP, { draft: null });
  }

  #keptBox() {
    const kept = this.kept;
    if (!kept) return null;
    const what = kept.name.trim() ? `“${kept.name.trim()}”` : `a new ${KIND_TITLES[kept.kind].toLowerCase()}`;
    return h(
      "section",
      { class: "picking", attrs: { "aria-labelledby": "nla-kept" } },
      h("h3", { attrs: { id: "nla-kept" }, text: "Unsaved changes" }),
      h("p", { text: `You were editing ${what} before the page changed.` }),
      h(
        "div",
        { class: "row" },
        h("button", { class: "primary", attrs: { type: "button" }, text: "Continue editing", on: { click: () => this.resume() } }),
        h("button", { attrs: { type: "button" }, text: "Discard them", on: { click: () => (this.#forgetKept(), this.showList()) } }),
      ),
    );
  }

  resume() {
    this.draft = this.kept;
    this.kept = null;
    this.selected = 0;
    this.errors = new Map();
    this.dirty = true;
    this.renderEditor("[data-nla=name]");
    this.say("Your unsaved changes are back.");
  }

  showList() {
    this.stopPreview();
    this.draft = null;
    this.versions = null;
    const list = h("ul", { class: "items", attrs: { "aria-labelledby": "nla-list-title" } });
    const note = h("p", { class: "meta", text: "Loading…" });
    const create = (kind, label) => h("button", { attrs: { type: "button" }, text: label, on: { click: () => this.create(kind) } });
    this.#show([
      this.#keptBox(),
      h("h3", { attrs: { id: "nla-list-title" }, text: "On this page" }),
      note,
      list,
      h("h3", { text: "Create" }),
      h("div", { class: "row" }, create("tour", "New tour"), create("tooltip", "New tooltip"), create("hotspot", "New hotspot")),
    ]);
    this.#loadList(list, note);
  }

  async #loadList(list, note) {
    const token = ++this.listToken;
    const answer = await ask(MSG.AUTHOR_LIST, { url: location.href });
    if (token !== this.listToken || !list.isConnected) return;
    if (!answer.ok) {
      note.textContent = answer.error;
      note.className = "error";
      return;
    }
    note.textContent = answer.data.length ? "" : "No tour, tooltip or hotspot shows on this page yet.";
    note.hidden = answer.data.length > 0;
    list.replaceChildren(
      ...answer.data.map((item) =>
        h(
          "li",
          {},
          h("div", { class: "grow" }, h("span", { class: "name", text: item.name }), h("span", { class: "meta", text: summaryLine(item) })),
          h("button", { attrs: { type: "button", "aria-label": `Edit ${item.name}` }, text: "Edit", on: { click: () => this.open(item.id) } }),
        ),
      ),
    );
  }

  create(kind) {
    this.draft = newDraft(kind, location.href);
    this.selected = 0;
    this.errors = new Map();
    this.dirty = false;
    this.renderEditor("[data-nla=name]");
    // A tooltip or hotspot is about one element: pick it straight away.
    if (kind !== "tour") this.pick({ index: 0 });
  }

  async open(id) {
    this.say("Opening…");
    const answer = await ask(MSG.AUTHOR_GET, { id });
    if (!answer.ok) {
      this.say(answer.error, true);
      return;
    }
    this.draft = draftFromExperience(answer.data);
    this.selected = 0;
    this.errors = new Map();
    this.dirty = false;
    this.say("");
    this.renderEditor("[data-nla=name]");
  }

  // --- the editor --------------------------------------------------------------------

  changed() {
    this.dirty = true;
    this.discardArmed = false;
    this.closeArmed = false;
    this.#keepSoon();
  }

  /** Close author mode; unsaved changes are only lost on a second press. */
  requestClose() {
    if (this.draft && this.dirty && !this.closeArmed) {
      this.closeArmed = true;
      this.say("Unsaved changes: save them, or press Close again to discard them.", true);
      return;
    }
    // A second press with unsaved changes drops them; otherwise what is kept stays kept.
    this.onClose({ discard: Boolean(this.draft && this.dirty) });
  }

  stepTitleChanged(index) {
    const button = this.scroll.querySelector(`[data-nla-step="${index}"]`);
    if (button) button.textContent = this.#stepLabel(index);
  }

  #stepLabel(index) {
    const step = this.draft.steps[index];
    return `${index + 1}. ${step.title.trim() || "Untitled step"}`;
  }

  renderEditor(focus) {
    const draft = this.draft;
    const tour = draft.kind === "tour";
    const errors = this.errors;
    const kindTitle = KIND_TITLES[draft.kind];
    const nodes = [
      h("div", { class: "row" }, h("button", { class: "link", attrs: { type: "button" }, text: "← All experiences on this page", on: { click: () => this.back() } })),
      h("h3", { text: draft.id ? `${kindTitle}: ${draft.name}` : `New ${kindTitle.toLowerCase()}` }),
      h("p", { class: "meta", attrs: { "data-nla": "state" }, text: statusLine(draft) }),
    ];

    const name = field({ label: "Name", path: "name", errors, control: textInput(draft.name, (v) => ((draft.name = v), this.changed())) });
    name.control.setAttribute("data-nla", "name");
    nodes.push(name.wrap);

    const where = field({
      label: "Show on pages (URL pattern)",
      path: "targeting.url",
      errors,
      hint: "* matches anything, e.g. https://tickets.example.com/*",
      control: textInput(draft.targetingUrl, (v) => ((draft.targetingUrl = v), this.changed()), { url: true }),
    });
    const audiences = draft.audience === CUSTOM_AUDIENCE ? [...AUDIENCES, { value: CUSTOM_AUDIENCE, label: "A custom rule (set in the console)" }] : AUDIENCES;
    const who = field({
      label: "Audience",
      path: "targeting.segment",
      errors,
      control: h(
        "select",
        { on: { change: (e) => ((draft.audience = e.target.value), this.changed()) } },
        audiences.map((a) => h("option", { attrs: { value: a.value, selected: a.value === draft.audience }, text: a.label })),
      ),
    });
    nodes.push(h("fieldset", {}, h("legend", { text: "Where and for whom" }), where.wrap, who.wrap));

    if (tour) nodes.push(...this.#stepsSection());
    else nodes.push(this.#pickingNote());
    if (draft.steps[this.selected]) nodes.push((this.editorSection = stepEditor(this, this.selected)));
    else this.editorSection = null;

    const leftovers = this.#unplacedErrors();
    if (leftovers.length) nodes.push(h("p", { class: "error", attrs: { role: "alert" }, text: leftovers.join(" ") }));

    nodes.push(
      h(
        "div",
        { class: "actions" },
        h("button", { attrs: { type: "button", "data-nla": "preview" }, text: this.previewing ? "Stop preview" : "Preview", on: { click: () => this.togglePreview() } }),
        h("button", { attrs: { type: "button" }, text: "Save draft", on: { click: () => this.save() } }),
        h("button", { class: "primary", attrs: { type: "button" }, text: "Publish", on: { click: () => this.publish() } }),
      ),
    );
    nodes.push(this.#versionsSection());
    this.#show(nodes, focus);
  }

  #stepsSection() {
    const draft = this.draft;
    const listErrors = this.errors.get("content.steps") ?? [];
    const list = h(
      "ol",
      { class: "steps", attrs: { "aria-label": "Steps" } },
      draft.steps.map((step, i) => {
        const n = i + 1;
        const hasErrors = messagesUnder(this.errors, `content.steps.${i}`).length > 0;
        return h(
          "li",
          { attrs: { "aria-current": i === this.selected ? "step" : null } },
          h("button", { class: "select", attrs: { type: "button", "data-nla-step": i }, text: this.#stepLabel(i), on: { click: () => this.select(i) } }),
          hasErrors ? h("span", { class: "flag", text: "needs fixing" }) : null,
          h("button", { class: "icon", attrs: { type: "button", "aria-label": `Move step ${n} up`, disabled: i === 0 }, text: "↑", on: { click: () => this.move(i, -1) } }),
          h("button", { class: "icon", attrs: { type: "button", "aria-label": `Move step ${n} down`, disabled: i === draft.steps.length - 1 }, text: "↓", on: { click: () => this.move(i, 1) } }),
          h("button", { class: "icon", attrs: { type: "button", "aria-label": `Duplicate step ${n}` }, text: "⧉", on: { click: () => this.duplicate(i) } }),
          h("button", { class: "icon danger", attrs: { type: "button", "aria-label": `Delete step ${n}` }, text: "✕", on: { click: () => this.remove(i) } }),
        );
      }),
    );
    return [
      h("h4", { text: "Steps" }),
      listErrors.length ? h("p", { class: "error", text: listErrors.join(" ") }) : null,
      draft.steps.length ? list : h("p", { class: "meta", text: "No steps yet. Add one, then point at an element on the page." }),
      this.#pickingNote(),
      h("div", { class: "row" }, h("button", { attrs: { type: "button", "data-nla": "add-step" }, text: "Add a step", on: { click: () => this.pick({ add: true }) } })),
    ].filter(Boolean);
  }

  #pickingNote() {
    if (!this.picking) return h("div", { attrs: { hidden: true } });
    return h(
      "div",
      // Focus waits here (not on a button) so that Enter takes the outlined element.
      { class: "picking", attrs: { role: "group", "aria-label": "Picking an element", tabindex: "-1", "data-nla": "picking" } },
      h("p", { text: "Point at an element on the page and click it." }),
      h("p", { class: "hint", text: "↑ selects its parent, ↓ its first child, Enter takes it, Esc cancels." }),
      h("button", { attrs: { type: "button", "data-nla": "cancel-pick" }, text: "Cancel picking", on: { click: () => this.cancelPick() } }),
    );
  }

  /** Messages the fields do not show (a rule about the whole body, an unknown field). */
  #unplacedErrors() {
    const placed = ["name", "targeting.url", "targeting.segment", "content.steps"];
    const stepBase = this.draft.kind === "tour" ? "content.steps." : "content.";
    const out = [];
    for (const [path, messages] of this.errors) {
      if (placed.includes(path) || path.startsWith(stepBase)) continue;
      out.push(`${path === "_" ? "" : `${path}: `}${messages.join(" ")}`);
    }
    return out;
  }

  #versionsSection() {
    const section = h("section", { attrs: { "aria-labelledby": "nla-versions" } }, h("h4", { attrs: { id: "nla-versions" }, text: "Version history" }));
    if (!this.draft.id) {
      section.append(h("p", { class: "meta", text: "Saved versions appear here." }));
      return section;
    }
    if (!this.versions) {
      section.append(h("button", { attrs: { type: "button" }, text: "Show versions", on: { click: () => this.loadVersions() } }));
      return section;
    }
    const items = [...this.versions].reverse();
    section.append(
      h(
        "ul",
        { class: "versions" },
        items.map((v) => {
          const flags = [v.is_published ? "live" : null, v.is_draft ? "draft" : null, v.published_at && !v.is_published ? "published before" : null].filter(Boolean);
          const when = v.published_at ?? v.created_at;
          return h(
            "li",
            {},
            h("span", { class: "grow" }, `Version ${v.number}`, flags.length ? ` · ${flags.join(", ")}` : "", when ? ` · ${new Date(when).toLocaleString()}` : ""),
            v.published_at && !v.is_published
              ? h("button", { attrs: { type: "button", "aria-label": `Roll back to version ${v.number}` }, text: "Roll back", on: { click: () => this.rollback(v.number) } })
              : null,
          );
        }),
      ),
    );
    return section;
  }

  // --- steps ---------------------------------------------------------------------------

  select(index) {
    this.selected = index;
    this.renderEditor(`[data-nla-step="${index}"]`);
  }

  move(index, delta) {
    this.draft.steps = moveStep(this.draft.steps, index, delta);
    this.errors = new Map(); // the server's paths named the old positions
    this.selected = index + delta;
    this.changed();
    const n = this.selected + 1;
    this.renderEditor([`[aria-label="Move step ${n} ${delta < 0 ? "up" : "down"}"]:not([disabled])`, `[data-nla-step="${this.selected}"]`]);
    this.say(`Step moved to position ${n}.`);
  }

  duplicate(index) {
    this.draft.steps = duplicateStep(this.draft.steps, index);
    this.errors = new Map();
    this.selected = index + 1;
    this.changed();
    this.renderEditor(`[data-nla-step="${index + 1}"]`);
    this.say(`Step ${index + 1} duplicated as step ${index + 2}.`);
  }

  remove(index) {
    this.draft.steps = removeStep(this.draft.steps, index);
    this.errors = new Map();
    this.selected = Math.max(0, Math.min(index, this.draft.steps.length - 1));
    this.changed();
    this.renderEditor(this.draft.steps.length ? `[data-nla-step="${this.selected}"]` : "[data-nla=add-step]");
    this.say(`Step ${index + 1} deleted.`);
  }

  // --- picking -------------------------------------------------------------------------

  /** Start the picker for a new step ({add: true}) or for step `index`'s element. */
  pick({ add = false, index = this.selected }) {
    this.picker?.stop();
    this.picking = { add, index };
    this.picker = startPicker({
      host: this.host,
      layer: this.layer,
      onPick: (el) => this.#picked(el),
      onCancel: () => this.cancelPick(),
    });
    this.renderEditor("[data-nla=picking]");
    this.say("Picking: click an element on the page (Esc cancels).");
  }

  cancelPick() {
    const wasAdd = this.picking?.add;
    this.picker?.stop();
    this.picker = null;
    this.picking = null;
    this.renderEditor(wasAdd ? "[data-nla=add-step]" : "[data-nla=title]");
    this.say("Picking cancelled.");
  }

  #picked(el) {
    const { add, index } = this.picking ?? {};
    this.picker = null;
    this.picking = null;
    const target = describe(el);
    if (!target) {
      this.renderEditor();
      this.say("That element cannot be described; pick another.", true);
      return;
    }
    if (add) {
      const step = newStep(target, location.href);
      step.el = el;
      this.draft.steps = [...this.draft.steps, step];
      this.selected = this.draft.steps.length - 1;
    } else {
      const step = this.draft.steps[index];
      step.target = target;
      step.el = el;
      // Picked on another page than the step's: the step moves to this page.
      if (this.draft.kind === "tour" && !(step.url && urlMatches(step.url, location.href))) step.url = defaultStepUrl(location.href);
      this.selected = index;
    }
    this.errors = new Map([...this.errors].filter(([path]) => !path.includes(".target")));
    this.changed();
    this.renderEditor("[data-nla=title]");
    const result = checkTarget(target, el, "");
    this.say(`Picked ${target.selector} (${target.candidates?.length ?? 0} candidates): ${result.text}`);
  }

  /** Move step `index`'s element to its parent or first child. */
  adjust(index, to) {
    const step = this.draft.steps[index];
    const el = to === "parent" ? step.el?.parentElement : step.el?.firstElementChild;
    if (!el || el === document.documentElement) return;
    const target = describe(el);
    if (!target) return;
    step.el = el;
    step.target = target;
    this.changed();
    this.renderEditor([`.target button:nth-of-type(${to === "parent" ? 2 : 3}):not([disabled])`, "[data-nla=title]"]);
    this.say(`Now ${target.selector}.`);
  }

  refreshChecks() {
    try {
      this.editorSection?.refreshCheck?.();
    } catch (err) {
      log.warn("target check failed", err);
    }
  }

  // --- saving, publishing, versions ---------------------------------------------------

  /** Put the server's answer into the editor, keeping each step's picked element. */
  #accept(experience) {
    const els = this.draft.steps.map((s) => s.el);
    this.draft = draftFromExperience(experience);
    this.draft.steps.forEach((s, i) => (s.el = els[i]));
    this.errors = new Map();
    this.dirty = false;
    this.#forgetKept();
    if (this.versions) this.versions = null;
  }

  #failed(answer, what) {
    if (answer.status === 422) {
      this.errors = flattenDetails(answer.details);
      // Show the first step that needs fixing.
      const bad = [...this.errors.keys()].map((p) => /^content\.steps\.(\d+)\./.exec(p)).find(Boolean);
      if (bad) this.selected = Math.min(Number(bad[1]), this.draft.steps.length - 1);
      this.renderEditor("[aria-invalid=true]");
      this.say(`Not ${what}: some fields need fixing.`, true);
      return;
    }
    this.say(`Not ${what}: ${answer.error}`, true);
  }

  async save() {
    const draft = this.draft;
    this.say("Saving…");
    const answer = await ask(MSG.AUTHOR_SAVE, { id: draft.id, kind: draft.kind, ...saveBody(draft) });
    if (this.draft !== draft) return false;
    if (!answer.ok) {
      this.#failed(answer, "saved");
      return false;
    }
    this.#accept(answer.data);
    this.renderEditor();
    this.say(`Draft saved: version ${this.draft.version}.`);
    return true;
  }

  async publish() {
    if ((this.dirty || !this.draft.id) && !(await this.save())) return;
    const draft = this.draft;
    this.say("Publishing…");
    const answer = await ask(MSG.AUTHOR_PUBLISH, { id: draft.id });
    if (this.draft !== draft) return;
    if (!answer.ok) {
      if (answer.status === 409) this.say(`Nothing new to publish: version ${draft.publishedVersion ?? draft.version} is live.`);
      else this.#failed(answer, "published");
      return;
    }
    this.#accept(answer.data);
    this.renderEditor();
    this.say(`Published version ${this.draft.version}: staff see it now.`);
  }

  async loadVersions() {
    const draft = this.draft;
    const answer = await ask(MSG.AUTHOR_VERSIONS, { id: draft.id });
    if (this.draft !== draft) return;
    if (!answer.ok) {
      this.say(answer.error, true);
      return;
    }
    this.versions = Array.isArray(answer.data?.items) ? answer.data.items : [];
    this.renderEditor("#nla-versions");
  }

  async rollback(number) {
    const draft = this.draft;
    this.say(`Rolling back to version ${number}…`);
    const answer = await ask(MSG.AUTHOR_ROLLBACK, { id: draft.id, version: number });
    if (this.draft !== draft) return;
    if (!answer.ok) {
      this.#failed(answer, "rolled back");
      return;
    }
    this.#accept(answer.data);
    await this.loadVersions();
    this.say(`Rolled back: version ${number}'s content is live again as version ${this.draft.version}.`);
  }

  // --- preview -------------------------------------------------------------------------

  async togglePreview() {
    if (this.previewing) {
      await this.stopPreview();
      this.renderEditor("[data-nla=preview]");
      this.say("Preview stopped.");
      return;
    }
    const answer = await ask(MSG.AUTHOR_PREVIEW, { experience: previewExperience(this.draft) });
    if (!answer.ok) {
      this.say(`No preview: ${answer.error}`, true);
      return;
    }
    this.previewing = true;
    this.renderEditor("[data-nla=preview]");
    this.say("Previewing on this page: nothing is saved, published or counted.");
  }

  /** The preview ended on the page (card closed, tour skipped or done). */
  previewEnded() {
    if (!this.previewing) return;
    this.previewing = false;
    const button = this.scroll.querySelector("[data-nla=preview]");
    if (button) button.textContent = "Preview";
    this.say("Preview ended.");
  }

  async stopPreview() {
    if (!this.previewing) return;
    this.previewing = false;
    await ask(MSG.AUTHOR_PREVIEW, { experience: null });
  }

  back() {
    if (this.dirty && !this.discardArmed) {
      this.discardArmed = true;
      this.say("Unsaved changes: save them, or press “All experiences” again to discard them.", true);
      return;
    }
    this.discardArmed = false;
    if (this.dirty) this.#forgetKept();
    this.dirty = false;
    this.picker?.stop();
    this.picker = null;
    this.picking = null;
    this.say("");
    this.showList();
  }
}

