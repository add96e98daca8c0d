// Carflow: behaviour shared by every back-office page.
(function () {
  "use strict";
  // Confirm destructive actions declared with data-confirm.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });
})();
