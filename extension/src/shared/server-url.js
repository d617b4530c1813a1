// The server URL a user types or IT presets: checked before anything is sent to it.

/**
 * Normalise a server URL: http or https, no credentials, query or fragment; no
 * trailing slash. Returns {url} or {error} with text fit to show the user.
 * @param {unknown} input
 * @returns {{url: string} | {error: string}}
 */
export function normalizeServerUrl(input) {
  const raw = typeof input === "string" ? input.trim() : "";
  if (!raw) return { error: "Enter the server URL, e.g. https://nudgelayer.example.com." };
  let url;
  try {
    url = new URL(raw);
  } catch {
    return { error: `"${raw}" is not a URL. Enter it with http:// or https://.` };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return { error: "The server URL must start with http:// or https://." };
  }
  if (url.username || url.password) return { error: "The server URL must not contain a user name or password." };
  if (url.search || url.hash) return { error: "The server URL must not contain ? or #." };
  return { url: url.origin + url.pathname.replace(/\/+$/, "") };
}
