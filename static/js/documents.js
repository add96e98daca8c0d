// Communication form (F15): choosing another offer refills subject and body from the
// customer's template, as long as the user has not edited them yet.
(function () {
  "use strict";
  var form = document.getElementById("communication-form");
  if (!form) { return; }
  var offer = form.querySelector("select[name=offer_id]");
  var subject = form.querySelector("input[name=subject]");
  var body = form.querySelector("textarea[name=body]");
  if (!offer || !subject || !body) { return; }
  var original = subject.value + "\u0000" + body.value;
  offer.addEventListener("change", function () {
    if (subject.value + "\u0000" + body.value !== original) { return; }
    var url = new URL(form.getAttribute("data-prefill-url"), window.location.href);
    url.searchParams.set("offer_id", offer.value);
    window.location.assign(url.toString());
  });
})();
