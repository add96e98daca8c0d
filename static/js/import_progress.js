// Import progress (issue 17): polls the import's JSON status and moves the progress bar;
// reloads the page when the pass has finished (to show the counts and errors), or when no
// worker has claimed it for a while (to offer the button again).
(function () {
  "use strict";
  var box = document.querySelector(".import-progress[data-status-url]");
  if (!box || box.classList.contains("d-none")) {
    return;
  }
  var bar = box.querySelector("progress");
  var processed = box.querySelector(".import-processed");
  var total = box.querySelector(".import-total");

  function poll() {
    fetch(box.getAttribute("data-status-url"), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (status) {
        if (status) {
          bar.value = status.percent;
          processed.textContent = status.processed;
          total.textContent = status.total;
          if (status.finished || status.stalled) {
            window.location.reload();
            return;
          }
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () {
        window.setTimeout(poll, 3000);
      });
  }
  poll();
})();
