// The browser side of run-in-browser.mjs: register cases, then report() writes results.

/** A tiny case runner for the browser side: test(name, fn); then report(). Async cases allowed. */
export function cases() {
  const list = [];
  return {
    test: (name, fn) => list.push([name, fn]),
    async report() {
      const results = [];
      for (const [name, fn] of list) {
        try {
          await fn();
          results.push({ name, ok: true });
        } catch (err) {
          results.push({ name, ok: false, error: String(err?.stack ?? err) });
        }
      }
      document.getElementById("results").textContent = JSON.stringify(results);
    },
  };
}
