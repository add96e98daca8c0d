// Reports dashboard (issue 16): draws each chart from the page's JSON block with Chart.js.
// Status colours come from the theme's CSS variables (--success, --danger: LeadStatus.color);
// clicking a bar that has a link opens the leads overview with that filter.
(function () {
  "use strict";
  var dataBlock = document.getElementById("report-data");
  if (!dataBlock || !window.Chart) { return; }
  var charts = JSON.parse(dataBlock.textContent);
  var locale = document.documentElement.getAttribute("lang") || "en";
  var rootStyle = getComputedStyle(document.documentElement);
  var PALETTE = ["primary", "info", "warning", "success", "danger", "secondary", "dark"];
  var EXTRA = ["#6f42c1", "#e83e8c", "#20c997", "#fd7e14", "#6610f2"];

  function colour(name, index) {
    var value = name ? rootStyle.getPropertyValue("--" + name).trim() : "";
    if (value) { return value; }
    var fallback = PALETTE[index % PALETTE.length];
    return rootStyle.getPropertyValue("--" + fallback).trim() || EXTRA[index % EXTRA.length];
  }

  function build(canvas, chart) {
    var doughnut = chart.type === "doughnut";
    var datasets = chart.datasets.map(function (set, index) {
      var colours = doughnut ? set.data.map(function (_, i) { return colour(null, i); }) : colour(set.color, index);
      return { label: set.label, data: set.data, backgroundColor: colours, links: set.links || null };
    });
    var options = {
      responsive: true,
      maintainAspectRatio: false,
      locale: locale,
      plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } }
    };
    if (!doughnut) {
      options.indexAxis = chart.horizontal ? "y" : "x";
      options.scales = { x: { stacked: !!chart.stacked }, y: { stacked: !!chart.stacked, beginAtZero: true } };
    }
    options.onClick = function (event, elements) {
      if (!elements.length) { return; }
      var set = datasets[elements[0].datasetIndex];
      if (set.links && set.links[elements[0].index]) { window.location.assign(set.links[elements[0].index]); }
    };
    options.onHover = function (event, elements) {
      var set = elements.length ? datasets[elements[0].datasetIndex] : null;
      event.native.target.style.cursor = set && set.links ? "pointer" : "default";
    };
    return new window.Chart(canvas, { type: doughnut ? "doughnut" : "bar", data: { labels: chart.labels, datasets: datasets }, options: options });
  }

  document.querySelectorAll("canvas[data-report]").forEach(function (canvas) {
    var chart = charts[canvas.getAttribute("data-report")];
    if (chart) { build(canvas, chart); }
  });

  // Typing a date switches the period to "Custom range".
  var period = document.getElementById("r-period");
  ["r-from", "r-to"].forEach(function (id) {
    var input = document.getElementById(id);
    if (input && period) { input.addEventListener("change", function () { period.value = "custom"; }); }
  });
})();
