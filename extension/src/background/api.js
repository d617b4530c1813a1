// REST calls to the backend. Every failure becomes an ApiError (the server answered
// with an error status) or a NetworkError (no usable answer), so callers can tell
// "wrong password" from "server unreachable" and retry only what is worth retrying.

const TIMEOUT_MS = 15000;

export class ApiError extends Error {
  constructor(status, code, message, details, retryAfterMs) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfterMs = retryAfterMs;
  }
}

export class NetworkError extends Error {
  constructor(message, cause) {
    super(message);
    this.name = "NetworkError";
    this.cause = cause;
  }
}

function retryAfter(headers) {
  const value = headers.get("Retry-After");
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const when = Date.parse(value);
  return Number.isNaN(when) ? undefined : Math.max(0, when - Date.now());
}

/**
 * Call the API at `serverUrl` + "/api/v1" + `path`.
 * @param {string} serverUrl normalised (see shared/server-url.js)
 * @param {string} path e.g. "/auth/login"
 * @param {{method?: string, token?: string, body?: unknown, timeoutMs?: number}} options
 * @returns {Promise<any>} the parsed JSON body, or null for 204
 */
export async function apiRequest(serverUrl, path, { method = "GET", token, body, timeoutMs = TIMEOUT_MS } = {}) {
  const headers = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(`${serverUrl}/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new NetworkError(`Could not reach ${serverUrl}: ${err?.message ?? err}`, err);
  }
  if (response.status === 204) return null;
  let data = null;
  try {
    data = await response.json();
  } catch {
    // A proxy's HTML error page, or a truncated body: judged by the status alone.
  }
  if (response.ok) {
    if (data === null) throw new NetworkError(`${serverUrl} answered ${path} with something that is not JSON.`);
    return data;
  }
  const err = data && typeof data.error === "object" && data.error ? data.error : {};
  const message = typeof err.message === "string" && err.message ? err.message : `HTTP ${response.status}`;
  throw new ApiError(
    response.status,
    typeof err.code === "string" ? err.code : "error",
    message,
    err.details && typeof err.details === "object" ? err.details : {},
    retryAfter(response.headers),
  );
}
