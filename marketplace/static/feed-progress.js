// Feeds: poll each queued or running feed's status every second and move its progress bar without reloading the
// page (and show the [data-when-status] text of the current status). When a feed has finished (succeeded or
// failed), reload once to show its result. Without JavaScript the
// page refreshes itself (a <meta http-equiv="refresh"> inside <noscript>).
"use strict";

(function () {
  const boxes = Array.from(document.querySelectorAll("[data-feed-progress]"));
  if (!boxes.length) return;
  const FINAL = ["succeeded", "failed"];
  const INTERVAL = 1000;
  const locale = document.documentElement.lang || undefined;

  function show(box, data) {
    const bar = box.querySelector("progress");
    const total = Math.max(data.total || 0, data.processed || 0);
    if (bar && total > 0) {
      bar.max = total;
      bar.value = data.processed;
    }
    box.dataset.status = data.status;
    document.querySelectorAll("[data-when-status]").forEach((element) => {
      element.hidden = element.dataset.whenStatus !== data.status;
    });
    box.querySelectorAll("[data-field]").forEach((element) => {
      const value = data[element.dataset.field];
      if (typeof value === "number") element.textContent = value.toLocaleString(locale);
    });
  }

  function follow(box) {
    const url = box.dataset.statusUrl;

    async function poll() {
      try {
        const response = await fetch(url, {headers: {Accept: "application/json"}, credentials: "same-origin", cache: "no-store"});
        if (response.status === 404 || response.status === 403) return; // no longer ours to see: stop polling
        if (response.ok) {
          const data = await response.json();
          show(box, data);
          if (FINAL.includes(data.status)) {
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
  }

  boxes.forEach(follow);
})();
