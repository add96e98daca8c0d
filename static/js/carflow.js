// Carflow: behaviour shared by every back-office page.
(function () {
  "use strict";
  // Confirm destructive actions declared with data-confirm.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });

  // A long select marked data-searchable="<hint>" (the time zones) gets a filter box above
  // it: typing narrows the options (the chosen one always stays); the hint is the page's text.
  function matches(option, words) {
    var text = (option.textContent + " " + option.value).toLowerCase();
    return words.every(function (word) { return text.indexOf(word) !== -1; });
  }

  function addFilter(select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "form-control form-control-sm mb-1 select-filter";
    box.placeholder = select.dataset.searchable;
    box.setAttribute("aria-label", select.dataset.searchable);
    box.setAttribute("aria-controls", select.id);
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
      select.querySelectorAll("option").forEach(function (option) {
        option.hidden = !option.selected && !matches(option, words);
      });
      select.querySelectorAll("optgroup").forEach(function (group) {
        group.hidden = !group.querySelector("option:not([hidden])");
      });
    });
  }

  document.querySelectorAll("select[data-searchable]").forEach(addFilter);
})();
