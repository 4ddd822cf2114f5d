// Small progressive enhancements; every page works without this script.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Ask before actions marked data-confirm (revocation, unclaim, ...).
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) {
          event.preventDefault();
        }
      });
    });
    // Submit filter forms when a select changes.
    document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    // Move focus to the first field with an error so keyboard and screen-reader users land there.
    var invalid = document.querySelector("[aria-invalid='true']");
    if (invalid) { invalid.focus(); }
  });
})();
