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
        var element = current ? viewer.get("elementRegistry").get(current) : null;
        if (element) {
          canvas.addMarker(current, "current-step");
          // Centre the current step at a readable zoom; the whole process stays reachable by panning.
          var box = canvas.viewbox(), scale = 0.6;
          var width = box.outer.width / scale, height = box.outer.height / scale;
          canvas.viewbox({ x: element.x + element.width / 2 - width / 2, y: element.y + element.height / 2 - height / 2,
                           width: width, height: height });
        }
        container.setAttribute("data-loaded", "true");
      })
      .catch(function () {
        container.textContent = container.getAttribute("data-error") || "Diagramm nicht verfügbar";
      });
  });
})();
