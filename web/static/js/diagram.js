// Show the process diagram with the current step highlighted (bpmn-js viewer, served by the app).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var container = document.getElementById("diagram");
    if (!container || typeof window.BpmnJS === "undefined") { return; }
    var viewer = new window.BpmnJS({ container: container });
    fetch(container.getAttribute("data-diagram-url"), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        var canvas = viewer.get("canvas");
        canvas.zoom("fit-viewport");
        var current = container.getAttribute("data-current");
        if (current) {
          try { canvas.addMarker(current, "current-step"); } catch (ignored) { /* step not drawn */ }
        }
        container.setAttribute("data-loaded", "true");
      })
      .catch(function () {
        container.textContent = container.getAttribute("data-error") || "Diagramm nicht verfügbar";
      });
  });
})();
