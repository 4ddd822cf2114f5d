// Draw a chart beside each report table from the figures in the table itself (suppressed cells stay empty).
(function () {
  "use strict";
  var COLOURS = ["#1f5f8b", "#e07b39", "#4c9a2a", "#a23b72", "#6c757d", "#d4a017", "#3b8ea5", "#8c564b"];
  function chartFor(table) {
    var kind = table.getAttribute("data-chart");
    var canvas = table.parentNode.querySelector("canvas");
    if (!kind || !canvas) { return; }
    var headers = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) { return th.textContent; });
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr")).filter(function (tr) {
      return !/gesamt$/.test(tr.querySelector("th") ? tr.querySelector("th").textContent : "");
    });
    var labels = rows.map(function (tr) { return tr.querySelector("th") ? tr.querySelector("th").textContent : ""; });
    var datasets = [];
    headers.slice(1).forEach(function (name, index) {
      var values = rows.map(function (tr) {
        var cell = tr.querySelectorAll("td")[index];
        var raw = cell ? cell.getAttribute("data-value") : "";
        return raw === "" || raw === null ? null : Number(raw);
      });
      if (kind === "bar" && index > 0 && !/Median|Neue|Anfragen|Fälle$/.test(name)) { return; }
      datasets.push({ label: name, data: values, backgroundColor: COLOURS[datasets.length % COLOURS.length] });
    });
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: datasets.slice(0, 8) },
      options: { responsive: true, maintainAspectRatio: false, animation: false,
        scales: { x: { stacked: kind === "stacked" }, y: { stacked: kind === "stacked", beginAtZero: true } },
        plugins: { legend: { position: "bottom" } } }
    });
    canvas.setAttribute("data-drawn", "true");
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (typeof window.Chart === "undefined") { return; }
    document.querySelectorAll("table.report-table").forEach(chartFor);
  });
})();
