// Message types between the extension's contexts, named by direction (docs/protocol.md).

export const MSG = Object.freeze({
  CONTENT_HELLO: "content:hello",
  CONTENT_EVENTS: "content:events",
  BG_EXPERIENCES_CHANGED: "bg:experiences-changed",
  OPTIONS_SIGN_IN: "options:sign-in",
  OPTIONS_SIGN_OUT: "options:sign-out",
  OPTIONS_STATUS: "options:status",
  // Privacy: the first-run consent dialog ({op: "get"} | {op: "set", choice}), its
  // link to the settings, and the settings page's preference centre.
  CONTENT_CONSENT: "content:consent",
  CONTENT_OPEN_PRIVACY: "content:open-privacy",
  OPTIONS_CONSENT_GET: "options:consent-get",
  OPTIONS_CONSENT_SET: "options:consent-set",
  // Tour progress (op "get" | "put"), kept by the worker and the server.
  CONTENT_TOUR_PROGRESS: "content:tour-progress",
  // Progress (op "get" | "page" | "summary" | "click" | "tick" | "ui" | "panel" | "commit" | "withdraw").
  CONTENT_PROGRESS: "content:progress",
  // Author mode (src/author, injected for admins): its calls to the worker, and the
  // worker's relay of a preview to the tab's content script.
  AUTHOR_HELLO: "author:hello",
  AUTHOR_LIST: "author:list",
  AUTHOR_GET: "author:get",
  AUTHOR_SAVE: "author:save",
  AUTHOR_PUBLISH: "author:publish",
  AUTHOR_VERSIONS: "author:versions",
  AUTHOR_ROLLBACK: "author:rollback",
  AUTHOR_PREVIEW: "author:preview",
  AUTHOR_STOP: "author:stop",
  AUTHOR_KEEP: "author:keep",
  BG_AUTHOR_PREVIEW: "bg:author-preview",
  // The preview ended on its own (its card closed, the tour skipped or done): the
  // content script tells the worker, which tells author mode in the same tab.
  CONTENT_AUTHOR_PREVIEW_ENDED: "content:author-preview-ended",
  BG_AUTHOR_PREVIEW_ENDED: "bg:author-preview-ended",
  // Nudges: may an interruption show ({experience_id, version, priority?} → {allowed}),
  // What's new entries ({read?} → {entries}), the daily digest card dismissed.
  CONTENT_INTERRUPTION: "content:interruption",
  CONTENT_WHATSNEW: "content:whatsnew",
  CONTENT_DIGEST_DISMISSED: "content:digest-dismissed",
  // Surveys (background/surveys.js): op "eligibility" | "display" | "answer" | "visit" | "seen".
  CONTENT_SURVEY: "content:survey",
});

// Event types the runtime sends; the backend accepts any lowercase dotted name.
export const EVENT = Object.freeze({
  VIEWED: "experience.viewed",
  DISMISSED: "experience.dismissed",
  HOTSPOT_OPENED: "hotspot.opened",
  EXPOSURE: "experiment.exposure",
  BANNER_ACTION: "banner.action",
  DISCLOSURE_TOGGLED: "disclosure.toggled",
});
