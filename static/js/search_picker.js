// Issue 14 (F4, F11, F12, F22): the one search-as-you-type picker (contacts, stock vehicles).
// An <input role="combobox" data-picker-url=…> inside a form; its data- attributes say:
//   picker-url        the JSON endpoint, answering {"results": [{"id": …, …}]} for ?q=
//   picker-field      name of the hidden input (same form) that receives the picked id
//   picker-label      JSON keys joined with " · " to label an option
//   picker-summary    JSON keys joined with " · " into the summary element (picker-summary-target)
//   picker-min        characters needed before searching (default 2)
//   picker-empty, picker-failed  the translated "no results" and "search failed" lines
//   picker-show, picker-hide     ids shown / hidden on a pick (and the reverse on picker-unpick)
//   picker-unpick     id of a button that clears the pick
//   picker-input      JSON keys written into the input on a pick ("" empties it; absent: unchanged)
//   picker-unpick-on-typing      typing again clears the pick
//   picker-fill       "element-id:key": copy the key into that field when it is empty
(function () {
  "use strict";
  var DELAY = 200;
  var JSON_TYPE = /^application\/json\b/;

  function keys(value) { return (value || "").split(",").filter(Boolean); }
  function byId(id) { return id ? document.getElementById(id) : null; }
  function joined(result, names) {
    return names.map(function (name) { return result[name]; }).filter(Boolean).join(" · ");
  }
  function setHidden(id, hidden) {
    var node = byId(id);
    if (node) { node.classList.toggle("d-none", hidden); }
  }

  function Picker(input) {
    this.input = input;
    this.data = input.dataset;
    this.list = byId(input.getAttribute("aria-controls"));
    this.status = byId(this.data.pickerStatus);
    this.hidden = input.form.querySelector("input[name='" + this.data.pickerField + "']");
    this.results = [];
    this.active = -1;
    this.asked = 0;
    this.timer = null;
    this.bind();
  }

  Picker.prototype.bind = function () {
    var self = this;
    this.input.addEventListener("input", function () { self.typed(); });
    this.input.addEventListener("keydown", function (event) { self.key(event); });
    this.input.addEventListener("blur", function () { self.close(); });
    // Keep the focus in the input while an option is clicked (the blur would close the list).
    this.list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    this.list.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) { self.pick(Number(option.dataset.index)); }
    });
    var unpick = byId(this.data.pickerUnpick);
    if (unpick) { unpick.addEventListener("click", function () { self.unpick(); }); }
  };

  Picker.prototype.typed = function () {
    var self = this;
    var q = this.input.value.trim();
    window.clearTimeout(this.timer);
    if ("pickerUnpickOnTyping" in this.data) { this.clearPick(); }
    if (q.length < Number(this.data.pickerMin || 2)) {
      this.asked += 1;  // an answer still on its way is now out of date
      this.show([]);
      this.say("");
      return;
    }
    this.timer = window.setTimeout(function () { self.search(q); }, DELAY);
  };

  Picker.prototype.search = function (q) {
    var self = this;
    var ticket = ++this.asked;
    var url = this.data.pickerUrl + "?q=" + encodeURIComponent(q);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || !JSON_TYPE.test(type)) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (data) {
        if (ticket !== self.asked) { return; }
        if (!data || !Array.isArray(data.results)) { throw new Error("shape"); }
        self.show(data.results);
        self.say(data.results.length ? "" : self.data.pickerEmpty);
      })
      .catch(function () {
        if (ticket !== self.asked) { return; }
        self.show([]);
        self.say(self.data.pickerFailed);
      });
  };

  Picker.prototype.show = function (results) {
    var self = this;
    var labels = keys(this.data.pickerLabel);
    this.results = results;
    this.active = -1;
    this.list.replaceChildren.apply(this.list, results.map(function (result, index) {
      var option = document.createElement("li");
      option.id = self.list.id + "-" + index;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.dataset.index = String(index);
      option.className = "list-group-item list-group-item-action search-picker-option";
      option.textContent = joined(result, labels);
      return option;
    }));
    this.input.removeAttribute("aria-activedescendant");
    this.list.hidden = !results.length;
    this.input.setAttribute("aria-expanded", results.length ? "true" : "false");
  };

  Picker.prototype.close = function () {
    window.clearTimeout(this.timer);
    this.asked += 1;
    this.show([]);
  };

  Picker.prototype.say = function (text) {
    if (!this.status) { return; }
    this.status.textContent = text || "";
  };

  Picker.prototype.move = function (step) {
    var count = this.results.length;
    if (!count) { return; }
    var previous = this.list.children[this.active];
    if (previous) {
      previous.classList.remove("active");
      previous.setAttribute("aria-selected", "false");
    }
    if (this.active < 0) {
      this.active = step > 0 ? 0 : count - 1;
    } else {
      this.active = (this.active + step + count) % count;
    }
    var option = this.list.children[this.active];
    option.classList.add("active");
    option.setAttribute("aria-selected", "true");
    option.scrollIntoView({ block: "nearest" });
    this.input.setAttribute("aria-activedescendant", option.id);
  };

  Picker.prototype.key = function (event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (this.results.length) {
        event.preventDefault();
        this.move(event.key === "ArrowDown" ? 1 : -1);
      }
    } else if (event.key === "Enter") {
      event.preventDefault();  // the search box never submits its form
      if (this.active >= 0) { this.pick(this.active); }
    } else if (event.key === "Escape" && this.results.length) {
      event.preventDefault();  // and do not close a modal around the picker
      event.stopPropagation();
      this.close();
    }
  };

  Picker.prototype.pick = function (index) {
    var result = this.results[index];
    if (!result) { return; }
    var summary = byId(this.data.pickerSummaryTarget);
    this.hidden.value = result.id;
    if (summary) { summary.textContent = joined(result, keys(this.data.pickerSummary)); }
    if ("pickerInput" in this.data) { this.input.value = joined(result, keys(this.data.pickerInput)); }
    setHidden(this.data.pickerShow, false);
    setHidden(this.data.pickerHide, true);
    this.fill(result);
    this.close();
    this.say("");
  };

  Picker.prototype.fill = function (result) {
    var parts = (this.data.pickerFill || "").split(":");
    var target = byId(parts[0]);
    if (target && !target.value && result[parts[1]] !== undefined) { target.value = result[parts[1]]; }
  };

  Picker.prototype.clearPick = function () {
    var summary = byId(this.data.pickerSummaryTarget);
    this.hidden.value = "";
    if (summary) { summary.textContent = ""; }
  };

  Picker.prototype.unpick = function () {
    this.clearPick();
    setHidden(this.data.pickerShow, true);
    setHidden(this.data.pickerHide, false);
    this.input.focus();
  };

  document.querySelectorAll("input[role=combobox][data-picker-url]").forEach(function (input) {
    return new Picker(input);
  });
})();
