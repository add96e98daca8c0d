// Forms marked data-inline-errors (the lead page's modals and contact forms) are sent in the
// background. A refusal (400, or 409 when the record changed meanwhile) shows its messages
// in place, so the modal stays open with what the user typed; a success goes where the
// server says (the page that shows the flash message). Anything else falls back to a normal
// submit, which is also what happens without JavaScript (the action's own form page).
(function () {
  "use strict";

  var ERROR = "js-inline-error";

  function clearErrors(form) {
    form.querySelectorAll("." + ERROR).forEach(function (node) { node.remove(); });
    form.querySelectorAll(".is-invalid").forEach(function (node) {
      node.classList.remove("is-invalid");
      node.removeAttribute("aria-invalid");
    });
  }

  function marked(node) {
    var copy = document.importNode(node, true);
    copy.classList.add(ERROR);
    return copy;
  }

  function showFieldErrors(form, returned) {
    var first = null;
    returned.querySelectorAll(".is-invalid[name]").forEach(function (bad) {
      var target = form.querySelector("[name=\"" + CSS.escape(bad.name) + "\"]:not([type=hidden])");
      var group = bad.closest(".form-group");
      if (!target || !group) { return; }
      target.classList.add("is-invalid");
      target.setAttribute("aria-invalid", "true");
      var anchor = target;
      group.querySelectorAll(".invalid-feedback").forEach(function (message) {
        var copy = marked(message);
        anchor.insertAdjacentElement("afterend", copy);
        anchor = copy;
      });
      first = first || target;
    });
    return first;
  }

  function showErrors(form, html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var returned = doc.querySelector("form.lead-action-form");
    // A page that asks a question (the duplicate-contact warning and its choices) is
    // shown whole: the normal submit brings it.
    if (!returned || doc.querySelector(".duplicate-warning")) { return false; }
    clearErrors(form);
    var place = form.querySelector(".modal-body") || form;
    returned.querySelectorAll(".alert-danger").forEach(function (alert) {
      place.insertBefore(marked(alert), place.firstChild);
    });
    var first = showFieldErrors(form, returned);
    var focus = first || place.querySelector("." + ERROR);
    if (!focus) { return false; }  // nothing to show in place: let the page say it
    if (!first) { focus.setAttribute("tabindex", "-1"); }
    focus.focus();
    return true;
  }

  function fallback(form) {
    HTMLFormElement.prototype.submit.call(form);
  }

  function send(event) {
    var form = event.currentTarget;
    event.preventDefault();
    var button = form.querySelector("[type=submit]");
    if (button) { button.disabled = true; }
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Carflow-Inline": "1" }
    }).then(function (response) {
      var next = response.headers.get("X-Location");
      if (response.status === 204 && next) {
        window.location.assign(next);
        return null;
      }
      if (response.status === 400 || response.status === 409) {
        return response.text().then(function (html) {
          if (!showErrors(form, html)) { fallback(form); }
        });
      }
      fallback(form);
      return null;
    }).catch(function () {
      fallback(form);
    }).finally(function () {
      if (button) { button.disabled = false; }
    });
  }

  document.querySelectorAll("form[data-inline-errors]").forEach(function (form) {
    form.addEventListener("submit", send);
  });
})();
