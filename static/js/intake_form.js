// The website form sent with fetch() (issue 15): the answer is shown in the page instead of
// a thank-you page. Without this script the form posts and the thank-you page opens.
(function () {
  "use strict";
  document.querySelectorAll("form.carflow-lead-form").forEach(function (form) {
    var result = document.querySelector(".intake-form-result");
    if (!result || !window.fetch) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      fetch(form.action, {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.json().then(function (body) {
            return { ok: response.ok, body: body };
          });
        })
        .then(function (answer) {
          var text = answer.ok ? answer.body.message : answer.body.errors[0].message;
          result.className = "mt-3 intake-form-result alert " + (answer.ok ? "alert-success" : "alert-warning");
          result.textContent = text;
          if (answer.ok) form.reset();
        })
        .catch(function () {
          result.className = "mt-3 intake-form-result alert alert-warning";
          result.textContent = result.getAttribute("data-failed") || "—";
        });
    });
  });
})();
