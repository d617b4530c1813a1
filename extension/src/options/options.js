// Options page: sign in and out, and the privacy choices (the preference centre).
// The service worker does the work (options:sign-in, options:sign-out, options:status,
// options:consent-get, options:consent-set); this page shows the state and the errors.
//
// The page shows at once. Chromium answers the first chrome.storage.managed read only
// seconds after the browser started, so a server URL set by policy is applied when it
// arrives (the worker enforces the policy on sign-in whatever the page sent).

import { MSG } from "../shared/messages.js";
import { normalizeServerUrl } from "../shared/server-url.js";

const $ = (id) => document.getElementById(id);

async function managedServerUrl() {
  try {
    const { serverUrl } = await chrome.storage.managed.get("serverUrl");
    return typeof serverUrl === "string" && serverUrl.trim() ? serverUrl.trim() : null;
  } catch {
    return null;
  }
}

async function ask(message) {
  try {
    return await chrome.runtime.sendMessage(message);
  } catch (err) {
    return { ok: false, error: `The extension's background worker did not answer (${err?.message ?? err}).` };
  }
}

function roleName(role) {
  return typeof role === "string" && role ? role : "unknown role";
}

/** The server URL field: the policy's value, read-only, once the policy is known. */
function applyManaged(managed) {
  const server = $("server-url");
  const note = $("server-url-note");
  if (managed) {
    server.value = managed;
    server.readOnly = true;
    note.hidden = false;
    note.textContent = "Set by your organisation's policy.";
  } else {
    server.readOnly = false;
    note.hidden = true;
  }
}

let wasSignedIn = null;

function showStatus(status, managed) {
  const signedIn = Boolean(status?.signedIn);
  $("signed-in").hidden = !signedIn;
  $("signed-out").hidden = signedIn;
  $("privacy").hidden = !signedIn;
  if (signedIn !== wasSignedIn) {
    wasSignedIn = signedIn;
    if (signedIn) loadPrivacy();
  }
  if (signedIn) {
    $("who").textContent = `Signed in as ${status.user.email} (${roleName(status.user.role)})`;
    $("server").textContent = status.serverUrl;
    $("connection").textContent = status.connected ? "connected" : "connecting…";
    $("queued").textContent = String(status.queued ?? 0);
    return;
  }
  applyManaged(managed);
  const server = $("server-url");
  if (!managed && !server.value) server.value = status?.serverUrl ?? "";
  const email = $("email");
  if (!email.value && status?.lastEmail) email.value = status.lastEmail;
}

// --- privacy choices ---------------------------------------------------------------

const PURPOSES = { analytics: "consent-analytics", identified_surveys: "consent-identified-surveys", leaderboards: "consent-leaderboards" };

function showConsent(consent) {
  for (const [purpose, id] of Object.entries(PURPOSES)) $(id).checked = Boolean(consent?.[purpose]);
  const state = $("privacy-state");
  if (!consent) state.textContent = "Your choices could not be read from the server just now.";
  else if (!consent.decided_at) state.textContent = "You have not chosen yet.";
  else state.textContent = `Chosen ${new Date(consent.decided_at).toLocaleString()}.`;
}

async function loadPrivacy() {
  $("privacy-error").textContent = "";
  const answer = await ask({ type: MSG.OPTIONS_CONSENT_GET });
  if (!answer?.ok) $("privacy-error").textContent = answer?.error || "Your privacy choices could not be read.";
  showConsent(answer?.ok ? answer.consent : null);
  if (location.hash === "#privacy") $("privacy-heading").scrollIntoView();
}

async function savePrivacy(event) {
  event.preventDefault();
  const button = $("privacy-save");
  $("privacy-error").textContent = "";
  $("privacy-saved").textContent = "";
  button.disabled = true;
  try {
    const choices = Object.fromEntries(Object.entries(PURPOSES).map(([purpose, id]) => [purpose, $(id).checked]));
    const answer = await ask({ type: MSG.OPTIONS_CONSENT_SET, choices });
    if (!answer?.ok) {
      $("privacy-error").textContent = answer?.error || "Your privacy choices could not be saved.";
      return;
    }
    showConsent(answer.consent);
    $("privacy-saved").textContent = answer.saved
      ? "Saved."
      : "Saved in this browser; it will reach the server when it can be reached.";
  } finally {
    button.disabled = false;
  }
}

let managed = null;

async function refresh() {
  showStatus(await ask({ type: MSG.OPTIONS_STATUS }), managed);
}

async function signIn(event) {
  event.preventDefault();
  const error = $("sign-in-error");
  error.textContent = "";
  const checked = normalizeServerUrl(managed ?? $("server-url").value);
  if (checked.error) {
    error.textContent = checked.error;
    $("server-url").focus();
    return;
  }
  const email = $("email").value.trim();
  const password = $("password").value;
  if (!email || !password) {
    error.textContent = "Enter your email and password.";
    (email ? $("password") : $("email")).focus();
    return;
  }
  const button = $("sign-in");
  button.disabled = true;
  button.textContent = "Signing in…";
  try {
    const answer = await ask({ type: MSG.OPTIONS_SIGN_IN, serverUrl: checked.url, email, password });
    if (!answer?.ok) {
      error.textContent = answer?.error || "Signing in failed.";
      return;
    }
    $("password").value = "";
    showStatus(answer.status, managed);
    $("sign-out").focus();
  } finally {
    button.disabled = false;
    button.textContent = "Sign in";
  }
}

async function signOut() {
  const button = $("sign-out");
  button.disabled = true;
  try {
    const answer = await ask({ type: MSG.OPTIONS_SIGN_OUT });
    if (!answer?.ok) {
      $("sign-out-error").textContent = answer?.error || "Signing out failed.";
      return;
    }
    $("sign-out-error").textContent = "";
    showStatus(answer.status, managed);
    $("password").focus();
  } finally {
    button.disabled = false;
  }
}

async function main() {
  $("sign-in-form").addEventListener("submit", signIn);
  $("sign-out").addEventListener("click", signOut);
  $("privacy-form").addEventListener("submit", savePrivacy);
  managedServerUrl().then((value) => {
    managed = value;
    if ($("signed-in").hidden) applyManaged(managed);
  });
  await refresh();
  // The connection state changes on its own; keep the page honest while it is open.
  setInterval(() => {
    if (!document.hidden && !$("signed-in").hidden) refresh();
  }, 2000);
}

main();
