// Mark the path taken (instance page) or draw the heatmap (heatmap page) on a bpmn-js viewer.
(function () {
  "use strict";
  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  function markPath(canvas, registry, path) {
    Object.keys(path).forEach(function (id) {
      if (registry.get(id)) { canvas.addMarker(id, "mark-" + path[id]); }
    });
  }
  function drawHeat(canvas, registry, overlays, stats) {
    var maxP90 = 0;
    stats.forEach(function (s) { maxP90 = Math.max(maxP90, s.p90_hours || 0); });
    stats.forEach(function (s) {
      if (!registry.get(s.element_id)) { return; }
      var level = maxP90 > 0 && s.p90_hours ? Math.min(4, Math.ceil(4 * s.p90_hours / maxP90)) : 0;
      if (level) { canvas.addMarker(s.element_id, "heat-" + level); }
      var badge = document.createElement("div");
      badge.className = "heat-badge";
      badge.textContent = s.open + (s.p90_hours !== null ? " · p90 " + s.p90_hours + " h" : "");
      badge.title = (document.getElementById("diagram").dataset.badgeTitle || "offen: {open}, erledigt: {completed}, Ø {avg}")
        .replace("{open}", s.open).replace("{completed}", s.completed)
        .replace("{avg}", s.avg_hours === null ? "–" : s.avg_hours + " h");
      overlays.add(s.element_id, "heat", { position: { top: -22, left: 0 }, html: badge });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var select = document.getElementById("version-select");
    if (select) { select.addEventListener("change", function () { window.location = select.value; }); }
    var container = document.getElementById("diagram");
    if (!container || typeof window.BpmnJS === "undefined") { return; }
    var viewer = new window.BpmnJS({ container: container });
    fetch(container.getAttribute("data-diagram-url"), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.text(); })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        var canvas = viewer.get("canvas"), registry = viewer.get("elementRegistry");
        canvas.zoom("fit-viewport");
        var path = readJson("path-data"), heat = readJson("heat-data");
        if (path) { markPath(canvas, registry, path); }
        if (heat) { drawHeat(canvas, registry, viewer.get("overlays"), heat); }
        container.setAttribute("data-loaded", "true");
      })
      .catch(function () { container.textContent = container.getAttribute("data-error"); });
  });
})();
