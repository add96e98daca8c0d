// F4: search an existing contact before creating one (no duplicates).
(function () {
  "use strict";
  var input = document.getElementById("contact-search");
  if (!input) { return; }
  var results = document.getElementById("contact-results");
  var hidden = document.getElementById("contact_id");
  var picked = document.getElementById("picked-contact");
  var pickedName = document.getElementById("picked-contact-name");
  var newContact = document.getElementById("new-contact");
  var timer = null;

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  function pick(contact) {
    hidden.value = contact.id;
    pickedName.textContent = contact.name + (contact.email ? " · " + contact.email : "");
    picked.classList.remove("d-none");
    newContact.classList.add("d-none");
    clear(results);
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
    clearTimeout(timer);
    var q = input.value.trim();
    if (q.length < 2) { clear(results); return; }
    timer = setTimeout(function () {
      fetch(input.dataset.url + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) { show(data.results); });
    }, 200);
  });

  document.getElementById("contact-unpick").addEventListener("click", function () {
    hidden.value = "";
    picked.classList.add("d-none");
    newContact.classList.remove("d-none");
  });
})();
