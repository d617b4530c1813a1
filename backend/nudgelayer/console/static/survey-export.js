// Survey exports with visible progress: the file streams from the console's export
// route; this script reads it chunk by chunk, shows the bytes received and the rows
// to expect (X-Nudgelayer-Rows), then hands the finished file to the browser as a
// download. Without this script the links still download the file directly.
"use strict";

(function () {
  const KIB = 1024;
  const size = (n) => (n < KIB ? `${n} B` : n < KIB * KIB ? `${(n / KIB).toFixed(1)} KiB` : `${(n / KIB / KIB).toFixed(1)} MiB`);
  const responses = (rows) => `${rows} response${rows === "1" ? "" : "s"}`;
  let busy = false;

  function filenameOf(response, fallback) {
    const match = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
    return match ? match[1] : fallback;
  }

  async function download(link) {
    const box = document.getElementById("export-progress");
    const bar = document.getElementById("export-bar");
    const status = document.getElementById("export-status");
    const label = link.textContent.trim();
    busy = true;
    box.hidden = false;
    bar.removeAttribute("value"); // indeterminate until the file is complete
    status.textContent = `${label}: starting…`;
    try {
      const response = await fetch(link.href, { credentials: "same-origin", cache: "no-store" });
      if (!response.ok) {
        status.textContent = `${label}: the export failed (${response.status} ${response.statusText}).`;
        return;
      }
      const rows = response.headers.get("X-Nudgelayer-Rows");
      const reader = response.body.getReader();
      const chunks = [];
      let bytes = 0;
      let shown = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        bytes += value.length;
        // Screen readers hear an update at most every second or so, not per chunk.
        const now = performance.now();
        if (now - shown > 800) {
          shown = now;
          status.textContent = `${label}: ${size(bytes)} received${rows ? ` (${responses(rows)})` : ""}…`;
        }
      }
      const blob = new Blob(chunks, { type: response.headers.get("Content-Type") || "application/octet-stream" });
      const url = URL.createObjectURL(blob);
      const save = document.createElement("a");
      save.href = url;
      save.download = filenameOf(response, `responses.${link.dataset.export}`);
      document.body.append(save);
      save.click();
      save.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
      bar.max = 1;
      bar.value = 1;
      status.textContent = `${label}: done, ${size(bytes)}${rows ? `, ${responses(rows)}` : ""}.`;
    } catch (err) {
      status.textContent = `${label}: the download was interrupted (${err && err.message ? err.message : err}). Try again.`;
    } finally {
      busy = false;
    }
  }

  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest("a[data-export]") : null;
    if (!link || !window.ReadableStream || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    if (!busy) download(link);
  });
})();
