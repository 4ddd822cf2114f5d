// The start page's throughput chart: completed instances per day over the last 30 days.
(function () {
  "use strict";
  var canvas = document.getElementById("throughput-chart");
  if (!canvas || !window.Chart) { return; }
  var data = JSON.parse(document.getElementById("throughput-data").textContent);
  new window.Chart(canvas, {
    type: "bar",
    data: { labels: data.labels, datasets: [{ label: canvas.dataset.label || "abgeschlossen", data: data.values, backgroundColor: "#1f5f99" }] },
    options: { animation: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
  });
  canvas.dataset.ready = "true";
})();
