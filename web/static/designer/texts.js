// The designer's texts in the user's language: the page carries the translations (#kf-texts), German is the fallback.
(function () {
  "use strict";
  var node = document.getElementById("kf-texts");
  var texts = node ? JSON.parse(node.textContent) : {};
  window.kfText = function (german, values) {
    var out = texts[german] || german;
    Object.keys(values || {}).forEach(function (key) { out = out.split("{" + key + "}").join(String(values[key])); });
    return out;
  };
})();
