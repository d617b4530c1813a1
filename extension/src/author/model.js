// The editor's state, without any DOM: a draft of one experience (a tour's steps, or a
// tooltip's or hotspot's single target), turned to and from the API's shape. Pure
// functions, tested in node.

export const PLACEMENTS = Object.freeze(["auto", "top", "bottom", "left", "right"]);
export const ADVANCES = Object.freeze(["next", "click"]);
export const KIND_NAMES = Object.freeze({ tour: "tour", tooltip: "tooltip", hotspot: "hotspot" });
// The audience picker: a role, or everyone. Other segment rules are kept as they are.
export const AUDIENCES = Object.freeze([
  { value: "", label: "Everyone" },
  { value: "staff", label: "Staff" },
  { value: "admin", label: "Admins" },
  { value: "analyst", label: "Analysts" },
]);
export const CUSTOM_AUDIENCE = "custom";

let keys = 0;
const newKey = () => `s${++keys}`;

/**
 * Where a new experience shows by default: this origin and the folder of this path,
 * anything below ("https://tickets.example.com/queue/42" → ".../queue/*").
 * @param {string} href
 */
export function defaultTargetingUrl(href) {
  const url = new URL(href);
  return `${url.origin}${url.pathname.slice(0, url.pathname.lastIndexOf("/") + 1)}*`;
}

/**
 * A step's page by default: this path with any query. The query is compared only when
 * a glob contains "?" (docs/protocol.md), so the bare path already matches every query;
 * "*" is left for the author to add where sub-paths should match too.
 * @param {string} href
 */
export function defaultStepUrl(href) {
  const url = new URL(href);
  return `${url.origin}${url.pathname}`;
}

/** A fresh step for `target` (null until an element is picked) on page `href`. */
export function newStep(target = null, href = "") {
  return { key: newKey(), target, title: "", body: "", placement: "auto", advance: "next", url: href ? defaultStepUrl(href) : "" };
}

/** A new draft of `kind` on page `href`. */
export function newDraft(kind, href) {
  return {
    id: null,
    kind,
    name: "",
    status: "draft",
    version: null,
    publishedVersion: null,
    hasUnpublishedChanges: false,
    targetingUrl: defaultTargetingUrl(href),
    audience: "",
    segment: null,
    steps: kind === "tour" ? [] : [newStep(null)],
  };
}

function audienceOf(segment) {
  if (segment === null || segment === undefined) return "";
  const known = AUDIENCES.some((a) => a.value && a.value === segment.value);
  if (segment.attr === "role" && segment.op === "eq" && known && Object.keys(segment).length === 3) return segment.value;
  return CUSTOM_AUDIENCE;
}

export function segmentOf(draft) {
  if (draft.audience === CUSTOM_AUDIENCE) return draft.segment;
  return draft.audience ? { attr: "role", op: "eq", value: draft.audience } : null;
}

function stepFrom(raw) {
  const step = newStep(raw?.target ?? null);
  step.title = typeof raw?.title === "string" ? raw.title : "";
  step.body = typeof raw?.body === "string" ? raw.body : "";
  step.placement = PLACEMENTS.includes(raw?.placement) ? raw.placement : "auto";
  step.advance = ADVANCES.includes(raw?.advance) ? raw.advance : "next";
  step.url = typeof raw?.url === "string" ? raw.url : "";
  return step;
}

/** A draft from an Experience as the API returns it. */
export function draftFromExperience(exp) {
  const content = exp.content ?? {};
  const steps = exp.kind === "tour" ? (Array.isArray(content.steps) ? content.steps : []).map(stepFrom) : [stepFrom(content)];
  return {
    id: exp.id,
    kind: exp.kind,
    name: exp.name ?? "",
    status: exp.status,
    version: exp.version ?? null,
    publishedVersion: exp.published_version ?? null,
    hasUnpublishedChanges: Boolean(exp.has_unpublished_changes),
    targetingUrl: exp.targeting?.url ?? "",
    audience: audienceOf(exp.targeting?.segment ?? null),
    segment: exp.targeting?.segment ?? null,
    steps,
  };
}

/** Only what the author set: the server fills defaults and says what is missing. */
function stepContent(step, { tour }) {
  const out = {};
  if (step.target) out.target = step.target;
  out.title = step.title;
  out.body = step.body;
  out.placement = step.placement;
  if (tour) {
    out.advance = step.advance;
    if (step.url.trim()) out.url = step.url.trim();
  }
  return out;
}

export function contentOf(draft) {
  if (draft.kind === "tour") return { steps: draft.steps.map((s) => stepContent(s, { tour: true })) };
  return stepContent(draft.steps[0] ?? newStep(null), { tour: false });
}

/** The body of a POST or PATCH. */
export function saveBody(draft) {
  return {
    name: draft.name.trim(),
    targeting: { url: draft.targetingUrl.trim(), segment: segmentOf(draft) },
    content: contentOf(draft),
  };
}

/**
 * The unsaved state as the runtime renders a published experience. Id 0 is no
 * experience's id: nothing the preview might report can land on a real one.
 */
export function previewExperience(draft) {
  const body = saveBody(draft);
  return { id: 0, kind: draft.kind, name: body.name || "Preview", version: 0, targeting: body.targeting, content: body.content };
}

export function moveStep(steps, index, delta) {
  const to = index + delta;
  if (index < 0 || index >= steps.length || to < 0 || to >= steps.length) return steps;
  const next = steps.slice();
  const [step] = next.splice(index, 1);
  next.splice(to, 0, step);
  return next;
}

export function duplicateStep(steps, index) {
  if (index < 0 || index >= steps.length) return steps;
  const { key, el, ...rest } = steps[index];
  const copy = { ...structuredClone(rest), key: newKey(), el };
  return [...steps.slice(0, index + 1), copy, ...steps.slice(index + 1)];
}

export function removeStep(steps, index) {
  return steps.filter((_, i) => i !== index);
}

/**
 * The server's 422 `details` as a flat map of field paths to messages:
 * {"content": {"steps": {"0": {"title": ["…"]}}}} → {"content.steps.0.title": ["…"]}.
 * @returns {Map<string, string[]>}
 */
export function flattenDetails(details, prefix = "", out = new Map()) {
  if (Array.isArray(details)) {
    const messages = details.filter((m) => typeof m === "string");
    if (messages.length) out.set(prefix || "_", [...(out.get(prefix || "_") ?? []), ...messages]);
    // A list of per-item errors (rare in marshmallow's output) is not a list of strings.
    details.forEach((item, i) => {
      if (item && typeof item === "object") flattenDetails(item, prefix ? `${prefix}.${i}` : String(i), out);
    });
    return out;
  }
  if (details && typeof details === "object") {
    for (const [key, value] of Object.entries(details)) {
      const path = key === "_schema" ? prefix : prefix ? `${prefix}.${key}` : key;
      flattenDetails(value, path, out);
    }
  } else if (typeof details === "string") {
    out.set(prefix || "_", [...(out.get(prefix || "_") ?? []), details]);
  }
  return out;
}

/** The path prefix of step `index`'s fields in the API's content. */
export function stepPath(draft, index) {
  return draft.kind === "tour" ? `content.steps.${index}` : "content";
}

/** Messages for `path` and everything beneath it ("content.steps.0.target" → selector…). */
export function messagesUnder(errors, path) {
  const out = [];
  for (const [key, messages] of errors) {
    if (key === path || key.startsWith(`${path}.`)) out.push(...messages);
  }
  return out;
}

/** A short, human label for an element: tag and the name a person reads. */
export function shortLabel({ tag, name }) {
  const clean = (name ?? "").replace(/\s+/g, " ").trim();
  const shown = clean.length > 40 ? `${clean.slice(0, 39)}…` : clean;
  return shown ? `${tag} “${shown}”` : tag;
}

/** The draft as plain JSON (the picked elements left out), to keep across page loads. */
export function snapshotOf(draft) {
  return { ...draft, steps: draft.steps.map(({ el, ...step }) => step) };
}

/** A draft back from a snapshot; null when it is not one (the storage is outside input). */
export function draftFromSnapshot(snap) {
  if (!snap || typeof snap !== "object" || !KIND_NAMES[snap.kind] || !Array.isArray(snap.steps)) return null;
  const text = (value) => (typeof value === "string" ? value : "");
  const draft = newDraft(snap.kind, "http://localhost/");
  draft.id = Number.isSafeInteger(snap.id) && snap.id > 0 ? snap.id : null;
  draft.name = text(snap.name);
  draft.status = text(snap.status) || "draft";
  draft.version = Number.isSafeInteger(snap.version) ? snap.version : null;
  draft.publishedVersion = Number.isSafeInteger(snap.publishedVersion) ? snap.publishedVersion : null;
  draft.hasUnpublishedChanges = Boolean(snap.hasUnpublishedChanges);
  draft.targetingUrl = text(snap.targetingUrl);
  draft.audience = AUDIENCES.some((a) => a.value === snap.audience) || snap.audience === CUSTOM_AUDIENCE ? snap.audience : "";
  draft.segment = snap.segment && typeof snap.segment === "object" ? snap.segment : null;
  draft.steps = snap.steps.map((raw) => {
    const step = stepFrom(raw);
    step.target = raw?.target && typeof raw.target === "object" && typeof raw.target.selector === "string" ? raw.target : null;
    return step;
  });
  if (draft.kind !== "tour" && draft.steps.length !== 1) draft.steps = [newStep(null)];
  return draft;
}
