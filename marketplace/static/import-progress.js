// Bulk upload: poll the upload's status every second and move the progress bar without reloading the page.
// When the check or the import is finished, reload once to show the result. Without JavaScript the page refreshes
// itself (a <meta http-equiv="refresh"> inside <noscript>).
"use strict";

(function () {
  const box = document.querySelector("[data-import-progress]");
  if (!box) return;
  const url = box.dataset.statusUrl;
  const doneStatuses = (box.dataset.doneStatuses || "").split(" ").filter(Boolean);
  const bar = box.querySelector("progress");
  const locale = document.documentElement.lang || undefined;
  const INTERVAL = 1000;

  function show(data) {
    const total = Math.max(data.total_rows || 0, data.processed_rows || 0);
    if (total > 0) {
      bar.max = total;
      bar.value = data.processed_rows;
    }
    box.querySelectorAll("[data-field]").forEach((element) => {
      const value = data[element.dataset.field];
      if (typeof value === "number") element.textContent = value.toLocaleString(locale);
    });
  }

  async function poll() {
    try {
      const response = await fetch(url, {headers: {Accept: "application/json"}, credentials: "same-origin", cache: "no-store"});
      if (response.status === 404 || response.status === 403) return; // no longer ours to see: stop polling
      if (response.ok) {
        const data = await response.json();
        show(data);
        if (doneStatuses.includes(data.status)) {
          window.location.reload();
          return;
        }
      }
    } catch (error) {
      // A network hiccup: try again at the next tick.
    }
    window.setTimeout(poll, INTERVAL);
  }

  window.setTimeout(poll, INTERVAL);
})();
