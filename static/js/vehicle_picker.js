// F11, F12: pick a stock vehicle by searching it (at most 20 results), never from a full list.
(function () {
  "use strict";

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  function setup(box) {
    var input = box.querySelector(".vehicle-search");
    var hidden = box.querySelector("input[type=hidden]");
    var results = box.querySelector(".vehicle-results");
    var picked = box.querySelector(".picked-vehicle");
    var pickedLabel = box.querySelector(".picked-vehicle-label");
    var unpick = box.querySelector(".vehicle-unpick");
    var priceTarget = box.dataset.priceTarget ? document.getElementById(box.dataset.priceTarget) : null;
    var timer = null;

    function pick(vehicle) {
      hidden.value = vehicle.id;
      pickedLabel.textContent = vehicle.label + (vehicle.plate ? " · " + vehicle.plate : "");
      picked.classList.remove("d-none");
      input.value = "";
      clear(results);
      if (priceTarget && !priceTarget.value) { priceTarget.value = vehicle.price; }
    }

    function show(list) {
      clear(results);
      if (!list.length) {
        var none = document.createElement("div");
        none.className = "list-group-item text-muted small";
        none.textContent = box.dataset.emptyLabel || "—";
        results.appendChild(none);
        return;
      }
      list.forEach(function (vehicle) {
        var item = document.createElement("button");
        item.type = "button";
        item.className = "list-group-item list-group-item-action vehicle-result";
        item.textContent = [vehicle.label, vehicle.plate, vehicle.price_text, vehicle.status_label]
          .filter(Boolean).join(" · ");
        item.addEventListener("click", function () { pick(vehicle); });
        results.appendChild(item);
      });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 1) { clear(results); return; }
      timer = setTimeout(function () {
        fetch(box.dataset.url + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
          .then(function (r) { return r.json(); })
          .then(function (data) { show(data.results); });
      }, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }
    });
    if (unpick) {
      unpick.addEventListener("click", function () {
        hidden.value = "";
        picked.classList.add("d-none");
        input.focus();
      });
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll(".vehicle-picker"), setup);
})();
