// The lead page (F7, F18, F24): live deadline countdown, lost-reason form, keyboard helpers.
// The contact search (F22) is static/js/search_picker.js.
(function () {
  "use strict";

  // F7: the white box counts down to data-due; red "overdue by …" once passed.
  function formatDuration(ms, units) {
    var seconds = Math.floor(Math.abs(ms) / 1000);
    var days = Math.floor(seconds / 86400);
    var hours = Math.floor((seconds % 86400) / 3600);
    var minutes = Math.floor((seconds % 3600) / 60);
    var parts = [];
    if (days) { parts.push(days + " " + units[0]); }
    if (days || hours) { parts.push(hours + " " + units[1]); }
    parts.push(minutes + " " + units[2]);
    if (!days && !hours) { parts.push((seconds % 60) + " " + units[3]); }
    return parts.join(" ");
  }

  function startCountdown(box) {
    var due = Date.parse(box.dataset.due || "");
    var target = box.querySelector(".countdown");
    if (isNaN(due) || !target) { return; }
    var units = (box.dataset.units || ",,,").split(",");
    function tick() {
      var left = due - Date.now();
      var label = left < 0 ? box.dataset.labelOverdue : box.dataset.labelLeft;
      target.textContent = label.replace("{t}", formatDuration(left, units));
      target.classList.toggle("text-danger", left < 0);
      target.classList.toggle("overdue", left < 0);
    }
    tick();
    window.setInterval(tick, 1000);
  }

  document.querySelectorAll(".deadline-box[data-due]").forEach(startCountdown);

  // F18: choosing "Other" as the lost reason moves the focus to the explanation.
  document.querySelectorAll("select[name=lost_reason]").forEach(function (select) {
    select.addEventListener("change", function () {
      var text = select.form.querySelector("textarea[name=lost_reason_text]");
      if (select.value === "other" && text) { text.focus(); }
    });
  });

  // Links styled as buttons (they open a modal) also answer the space bar (F24).
  document.querySelectorAll("a[role=button]").forEach(function (link) {
    link.addEventListener("keydown", function (event) {
      if (event.key === " ") { event.preventDefault(); link.click(); }
    });
  });

  // Focus the first field when a modal opens (keyboard users, F24).
  if (window.jQuery) {
    window.jQuery(".modal").on("shown.bs.modal", function () {
      var first = this.querySelector("select, textarea, input:not([type=hidden])");
      if (first) { first.focus(); }
    });
  }
})();
