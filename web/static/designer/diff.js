// Show a version diff on the diagram of the newer version.
(function () {
  "use strict";
  var container = document.getElementById("diff-canvas");
  if (!container) { return; }
  var diff = JSON.parse(document.getElementById("diff-data").textContent);
  var viewer = new window.BpmnJS({ container: container });
  fetch(container.dataset.source, { credentials: "same-origin" }).then(function (r) { return r.json(); })
    .then(function (source) { return viewer.importXML(source.xml); })
    .then(function () {
      var canvas = viewer.get("canvas");
      var registry = viewer.get("elementRegistry");
      canvas.zoom("fit-viewport");
      [["added", "kf-added"], ["changed", "kf-changed"]].forEach(function (pair) {
        diff[pair[0]].forEach(function (entry) {
          if (!registry.get(entry.element_id)) { return; }
          canvas.addMarker(entry.element_id, pair[1]);
          if (entry.details.length) {
            var note = document.createElement("div");
            note.className = "kf-diff-note";
            note.textContent = entry.details.join(", ");
            viewer.get("overlays").add(entry.element_id, { position: { bottom: 0, left: 0 }, html: note });
          }
        });
      });
      container.dataset.ready = "true";
    });
})();
