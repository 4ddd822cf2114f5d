// Open the browser's print dialog on the printable view of the steering report.
(function () {
  "use strict";
  window.addEventListener("load", function () { window.setTimeout(function () { window.print(); }, 300); });
})();
