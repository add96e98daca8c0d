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

  // F18: choosing "Other" as the lost reason moves the focus to the explanation (also in
  // a modal whose fields arrived after the page).
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[name=lost_reason]")) { return; }
    var text = select.form && select.form.querySelector("textarea[name=lost_reason_text]");
    if (select.value === "other" && text) { text.focus(); }
  });

  // Links styled as buttons (they open a modal) also answer the space bar (F24).
  document.querySelectorAll("a[role=button]").forEach(function (link) {
    link.addEventListener("keydown", function (event) {
      if (event.key === " ") { event.preventDefault(); link.click(); }
    });
  });

  // Focus the first field when a modal opens (keyboard users, F24).
  function focusFirstField(modal) {
    var first = modal.querySelector(".modal-fields select, .modal-fields textarea, " +
                                    ".modal-fields input:not([type=hidden])");
    if (first) { first.focus(); }
  }

  // Issue 14 item 8: a modal's fields are fetched when it first opens; its submit button
  // is enabled once they are in. A failed fetch says so in the modal.
  function loadFields(modal) {
    var holder = modal.querySelector(".modal-fields[data-body-url]");
    if (!holder || holder.dataset.state) { return; }
    holder.dataset.state = "loading";
    fetch(holder.dataset.bodyUrl, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok || response.redirected) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      holder.innerHTML = html;  // the server's own template, escaped by Jinja
      holder.dataset.state = "loaded";
      holder.removeAttribute("aria-busy");
      modal.querySelectorAll("[type=submit]").forEach(function (b) { b.disabled = false; });
      if (modal.classList.contains("show")) { focusFirstField(modal); }
    }).catch(function () {
      delete holder.dataset.state;  // the next opening tries again
      holder.removeAttribute("aria-busy");
      var message = document.createElement("p");
      message.className = "text-danger small";
      message.setAttribute("role", "alert");
      message.textContent = holder.dataset.failed;
      holder.replaceChildren(message);
    });
  }

  if (window.jQuery) {
    window.jQuery(".modal").on("show.bs.modal", function () { loadFields(this); });
    window.jQuery(".modal").on("shown.bs.modal", function () { focusFirstField(this); });
  }
})();
