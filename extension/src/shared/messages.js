// Message types between the extension's contexts, named by direction (docs/protocol.md).

export const MSG = Object.freeze({
  CONTENT_HELLO: "content:hello",
  CONTENT_EVENTS: "content:events",
  BG_EXPERIENCES_CHANGED: "bg:experiences-changed",
  OPTIONS_SIGN_IN: "options:sign-in",
  OPTIONS_SIGN_OUT: "options:sign-out",
  OPTIONS_STATUS: "options:status",
});

// Event types the runtime sends; the backend accepts any lowercase dotted name.
export const EVENT = Object.freeze({
  VIEWED: "experience.viewed",
  DISMISSED: "experience.dismissed",
  HOTSPOT_OPENED: "hotspot.opened",
});
