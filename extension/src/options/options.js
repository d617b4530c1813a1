// Options page: sign in and out. The service worker does the work (options:sign-in,
// options:sign-out, options:status); this page shows the state and the errors.

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

function showStatus(status, managed) {
  const signedIn = Boolean(status?.signedIn);
  $("signed-in").hidden = !signedIn;
  $("signed-out").hidden = signedIn;
  if (signedIn) {
    $("who").textContent = `Signed in as ${status.user.email} (${roleName(status.user.role)})`;
    $("server").textContent = status.serverUrl;
    $("connection").textContent = status.connected ? "connected" : "connecting…";
    $("queued").textContent = String(status.queued ?? 0);
    return;
  }
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
    if (!server.value) server.value = status?.serverUrl ?? "";
  }
  const email = $("email");
  if (!email.value && status?.lastEmail) email.value = status.lastEmail;
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
  managed = await managedServerUrl();
  $("sign-in-form").addEventListener("submit", signIn);
  $("sign-out").addEventListener("click", signOut);
  await refresh();
  // The connection state changes on its own; keep the page honest while it is open.
  setInterval(() => {
    if (!document.hidden && !$("signed-in").hidden) refresh();
  }, 2000);
}

main();
