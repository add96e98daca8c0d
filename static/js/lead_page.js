// The lead page (F7, F18, F22): live deadline countdown, lost-reason form, contact search.
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

  // F22: pick an existing contact to link (the JSON search of the overview's lead form).
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  function setupSearch(input) {
    var form = input.closest("form");
    var box = input.closest(".contact-search-box");
    var results = box.querySelector(".contact-search-results");
    var picked = box.querySelector(".contact-picked");
    var hidden = form.querySelector("input[name=contact_id]");
    var timer = null;

    function pick(contact) {
      hidden.value = contact.id;
      picked.textContent = contact.name + (contact.email ? " · " + contact.email : "");
      clear(results);
      input.value = contact.name;
    }

    function show(list) {
      clear(results);
      list.forEach(function (contact) {
        var item = document.createElement("button");
        item.type = "button";
        item.className = "list-group-item list-group-item-action contact-result";
        item.textContent = [contact.name, contact.email, contact.phone, contact.city]
          .filter(Boolean).join(" · ");
        item.addEventListener("click", function () { pick(contact); });
        results.appendChild(item);
      });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      hidden.value = "";
      picked.textContent = "";
      var q = input.value.trim();
      if (q.length < 2) { clear(results); return; }
      timer = window.setTimeout(function () {
        fetch(input.dataset.url + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
          .then(function (r) { return r.json(); })
          .then(function (data) { show(data.results); });
      }, 200);
    });
  }

  document.querySelectorAll(".lead-contact-search").forEach(setupSearch);

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
