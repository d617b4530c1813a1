// Calls to the service worker, which holds the admin's token and talks to the API.
// Every answer is {ok: true, data} or {ok: false, status, error, details}.

/**
 * @param {string} type an author:* message type
 * @param {object} [payload]
 * @returns {Promise<{ok: boolean, data?: any, status?: number, error?: string, details?: object}>}
 */
export async function ask(type, payload = {}) {
  try {
    const answer = await chrome.runtime.sendMessage({ ...payload, type });
    if (answer && typeof answer.ok === "boolean") return answer;
    return { ok: false, status: 0, error: "The extension did not answer. Reload the page and try again.", details: {} };
  } catch (err) {
    // The extension was reloaded or updated under this page: this panel is orphaned.
    return { ok: false, status: 0, error: `The extension is not reachable (${err?.message ?? err}). Reload the page.`, details: {} };
  }
}
