// Users admin: choosing a role preset ticks that preset's permissions (F31).
(function () {
  "use strict";
  var form = document.querySelector("form.user-form");
  var role = form && form.querySelector("select[name=role]");
  if (!role) { return; }
  var presets = JSON.parse(form.getAttribute("data-presets") || "{}");
  role.addEventListener("change", function () {
    var preset = presets[role.value] || [];
    form.querySelectorAll("input[name=permissions]").forEach(function (box) {
      var inPreset = preset.indexOf(box.value) !== -1;
      box.checked = inPreset;
      var badge = box.parentNode.querySelector(".preset-default");
      if (badge) { badge.classList.toggle("d-none", !inPreset); }
    });
  });
})();
