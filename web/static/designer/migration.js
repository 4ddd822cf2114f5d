// The migration page: select instances (none by default) and follow a background migration's progress.
(function () {
  "use strict";
  var T = window.kfText || function (text) { return text; };
  var form = document.getElementById("migration-form");
  function boxes() { return form ? Array.prototype.slice.call(form.querySelectorAll("input[name=instance_id]")) : []; }
  function count() {
    var label = document.getElementById("pick-count");
    if (label) { label.textContent = T("{n} ausgewählt", { n: boxes().filter(function (b) { return b.checked; }).length }); }
  }
  if (form) {
    form.addEventListener("change", count);
    document.getElementById("pick-movable").addEventListener("click", function () {
      boxes().forEach(function (b) { b.checked = true; }); count();
    });
    document.getElementById("pick-none").addEventListener("click", function () {
      boxes().forEach(function (b) { b.checked = false; }); count();
    });
  }
  var box = document.getElementById("migration-progress");
  if (!box) { return; }
  var bar = document.getElementById("migration-bar");
  var status = document.getElementById("migration-status");
  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (p) {
      if (p.error) { status.textContent = p.error; return; }
      bar.max = p.total; bar.value = p.done;
      status.textContent = T("{done} von {total} geprüft, {moved} auf Version {version} umgezogen",
        { done: p.done, total: p.total, moved: p.moved, version: p.to_version }) +
        (p.refused ? T(", {n} nicht umgezogen", { n: p.refused }) : "") + ".";
      if (p.failed) { status.textContent += " " + T("Der Umzug wurde wegen eines Fehlers abgebrochen."); }
      if (p.finished) { box.dataset.finished = "true"; status.textContent += " " + T("Fertig."); return; }
      window.setTimeout(poll, 700);
    });
  }
  poll();
})();
