// The designer page: load the modeler, save drafts with optimistic locking, validate, deploy, dry runs.
(function () {
  "use strict";

  var T = window.kfText || function (text) { return text; };
  var root = document.getElementById("designer");
  if (!root) { return; }
  var kind = root.dataset.kind;
  var processId = root.dataset.processId;
  var api = root.dataset.base + "api/" + kind + "/" + encodeURIComponent(processId) + "/";
  var csrf = document.querySelector("meta[name=csrf-token]").content;
  var initial = JSON.parse(document.getElementById("initial-source").textContent);
  var state = { revision: initial.revision, base: initial.base_version, fileName: root.dataset.fileName,
    dirty: false, conflictRevision: null, marked: [] };
  var messageBox = document.getElementById("message");
  var modeler;

  function say(text, level) {
    messageBox.textContent = text;
    messageBox.className = "flash flash-" + (level || "info");
  }

  function post(path, body) {
    return fetch(api + path, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    });
  }

  function currentXml() {
    if (kind === "process") { return modeler.saveXML({ format: true }).then(function (r) { return r.xml; }); }
    return modeler.saveXML({ format: true }).then(function (r) { return r.xml; });
  }

  function setDraftState(text) { document.getElementById("draft-state").textContent = text; }

  // -- problems on the diagram ------------------------------------------------------------------
  function clearMarkers() {
    if (kind !== "process") { return; }
    var canvas = modeler.get("canvas");
    state.marked.forEach(function (id) {
      canvas.removeMarker(id, "kf-error");
      canvas.removeMarker(id, "kf-warning");
    });
    state.marked = [];
    modeler.get("overlays").remove({ type: "kf-problem" });
  }

  function badge(problems) {
    var error = problems.some(function (p) { return p.severity === "error"; });
    var box = document.createElement("div");
    box.className = "kf-problem " + (error ? "kf-problem-error" : "kf-problem-warning");
    box.setAttribute("role", "note");
    var icon = document.createElement("span");
    icon.className = "kf-problem-icon";
    icon.textContent = error ? "!" : "?";
    box.appendChild(icon);
    var text = document.createElement("span");
    text.className = "kf-problem-text";
    text.textContent = problems.map(function (p) { return p.message; }).join(" · ");
    box.appendChild(text);
    return box;
  }

  function markProblems(problems) {
    if (kind !== "process") { return; }
    var registry = modeler.get("elementRegistry");
    var canvas = modeler.get("canvas");
    var byElement = {};
    problems.forEach(function (p) {
      if (p.element_id && registry.get(p.element_id)) {
        (byElement[p.element_id] = byElement[p.element_id] || []).push(p);
      }
    });
    Object.keys(byElement).forEach(function (id) {
      var list = byElement[id];
      var error = list.some(function (p) { return p.severity === "error"; });
      canvas.addMarker(id, error ? "kf-error" : "kf-warning");
      state.marked.push(id);
      modeler.get("overlays").add(id, "kf-problem", { position: { top: -18, left: 0 }, html: badge(list) });
    });
  }

  function listProblems(problems) {
    var list = document.getElementById("problems");
    list.textContent = "";
    if (!problems.length) {
      var ok = document.createElement("li");
      ok.className = "ok";
      ok.textContent = T("Keine Fehler und keine Hinweise.");
      list.appendChild(ok);
    }
    problems.forEach(function (p) {
      var item = document.createElement("li");
      item.className = "problem-" + p.severity;
      item.dataset.elementId = p.element_id || "";
      var label = p.severity === "error" ? T("Fehler") : T("Hinweis");
      item.textContent = label + (p.element_id ? " " + T("an »{id}«", { id: p.element_id }) : "") +
        (p.line ? " " + T("(Zeile {line})", { line: p.line }) : "") + ": " + p.message;
      if (p.element_id && kind === "process") {
        item.tabIndex = 0;
        item.addEventListener("click", function () { select(p.element_id); });
        item.addEventListener("keydown", function (event) { if (event.key === "Enter") { select(p.element_id); } });
      }
      list.appendChild(item);
    });
  }

  function select(id) {
    var element = modeler.get("elementRegistry").get(id);
    if (element) { modeler.get("selection").select(element); }
  }

  function showProblems(problems) {
    clearMarkers();
    markProblems(problems);
    listProblems(problems);
    return problems.filter(function (p) { return p.severity === "error"; }).length;
  }

  // -- actions -------------------------------------------------------------------------------------
  function save(force) {
    return currentXml().then(function (xml) {
      var scenarios = document.getElementById("scenario-input");
      return post("entwurf", { xml: xml, file_name: state.fileName, base_version: state.base,
        revision: force ? state.conflictRevision : state.revision, scenarios: scenarios ? scenarios.value : null });
    }).then(function (result) {
      if (result.status === 409) {
        state.conflictRevision = result.data.current ? result.data.current.revision : null;
        document.getElementById("btn-overwrite").hidden = state.conflictRevision === null;
        say(result.data.error, "error");
        return false;
      }
      if (result.status !== 200) { say(result.data.error || T("Speichern fehlgeschlagen."), "error"); return false; }
      state.revision = result.data.draft.revision;
      state.dirty = false;
      state.conflictRevision = null;
      document.getElementById("btn-overwrite").hidden = true;
      setDraftState(T("Entwurf Stand {revision}, gespeichert von {user}",
        { revision: state.revision, user: result.data.draft.updated_by_name || result.data.draft.updated_by }));
      var errors = showProblems(result.data.problems);
      say(errors ? T("Gespeichert. Der Entwurf hat {n} Fehler (im Diagramm markiert).", { n: errors }) : T("Gespeichert."),
        errors ? "warning" : "success");
      return true;
    });
  }

  function validate() {
    return currentXml().then(function (xml) { return post("pruefen", { xml: xml, file_name: state.fileName }); })
      .then(function (result) {
        var errors = showProblems(result.data.problems || []);
        say(errors ? T("{n} Fehler gefunden.", { n: errors }) : T("Keine Fehler gefunden."), errors ? "warning" : "success");
      });
  }

  function deploy() {
    var saving = state.dirty || !state.revision ? save(false) : Promise.resolve(true);
    return saving.then(function (saved) {
      if (!saved) { return; }
      return post("bereitstellen", {}).then(function (result) {
        if (result.status === 409 && result.data.needs_confirmation) {
          if (!window.confirm(result.data.message)) { say(T("Nicht bereitgestellt."), "info"); return null; }
          return post("bereitstellen", { confirmed: true });
        }
        return result;
      }).then(function (result) {
        if (!result) { return; }
        if (result.status === 422) {
          showProblems(result.data.problems);
          say(result.data.error, "error");
          return;
        }
        if (result.status !== 200) { say(result.data.error, "error"); return; }
        var versions = result.data.deployed.map(function (d) {
          return T("{process} Version {version}", { process: d.process_id, version: d.version }); });
        state.revision = null;
        state.base = result.data.deployed.length ? result.data.deployed[0].version : state.base;
        setDraftState(T("Bereitgestellte Version {version} (noch kein Entwurf)", { version: state.base }));
        say(T("Bereitgestellt: {versions}.", { versions: versions.join(", ") }) + (result.data.running ? " " + result.data.message : ""),
            "success");
        showMigrationLink(result.data.migration_url);
      });
    });
  }

  function showMigrationLink(url) {
    var link = document.getElementById("migration-link");
    if (!url || !link) { return; }
    link.href = url;
    link.hidden = false;
  }

  function download() {
    currentXml().then(function (xml) {
      var link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob([xml], { type: "application/xml" }));
      link.download = state.fileName;
      document.body.appendChild(link);
      link.click();
      link.remove();
    });
  }

  function openFile(event) {
    var file = event.target.files[0];
    if (!file) { return; }
    file.text().then(function (xml) { return load(xml); }).then(function () {
      state.dirty = true;
      say(T("Datei »{name}« geladen; zum Übernehmen speichern.", { name: file.name }), "info");
    });
  }

  // -- dry run and scenarios -----------------------------------------------------------------------
  function runResult(title, lines, ok) {
    var box = document.getElementById("run-result");
    box.textContent = "";
    var heading = document.createElement("h3");
    heading.textContent = title;
    box.appendChild(heading);
    var list = document.createElement("ul");
    lines.forEach(function (line) {
      var item = document.createElement("li");
      item.textContent = line;
      list.appendChild(item);
    });
    box.appendChild(list);
    box.className = ok === null ? "run-neutral" : ok ? "run-ok" : "run-failed";
  }

  function markPath(ids) {
    var canvas = modeler.get("canvas");
    (state.pathMarked || []).forEach(function (id) { canvas.removeMarker(id, "kf-visited"); });
    state.pathMarked = ids.filter(function (id) { return modeler.get("elementRegistry").get(id); });
    state.pathMarked.forEach(function (id) { canvas.addMarker(id, "kf-visited"); });
  }

  function parseJson(id) {
    try { return JSON.parse(document.getElementById(id).value || "{}"); } catch (err) {
      say(T("Die Eingaben sind kein gültiges JSON: {error}", { error: err.message }), "error");
      return null;
    }
  }

  function dryRun() {
    var scenario = parseJson("dryrun-input");
    if (scenario === null) { return; }
    currentXml().then(function (xml) {
      return post("probelauf", { xml: xml, file_name: state.fileName, scenario: scenario });
    }).then(function (result) {
      var run = result.data;
      markPath(run.path.map(function (s) { return s.element_id; }));
      var lines = run.path.map(function (s) { return s.name + " (" + s.element_id + ")" + (s.note ? " – " + s.note : ""); });
      lines.push(run.completed ? T("Beendet bei: {events}", { events: run.end_events.join(", ") })
        : T("Wartet an: {steps}", { steps: run.waiting_at.join(", ") || "–" }));
      lines.push(T("Daten: {data}", { data: JSON.stringify(run.data) }));
      run.errors.forEach(function (e) { lines.push(T("Fehler: {message}", { message: e.message })); });
      runResult(T("Probelauf (nichts gespeichert)"), lines, !run.errors.length);
    });
  }

  function scenarios() {
    currentXml().then(function (xml) {
      return post("szenarien", { xml: xml, file_name: state.fileName, text: document.getElementById("scenario-input").value });
    }).then(function (result) {
      if (result.status !== 200) { runResult(T("Szenarien"), [result.data.error], false); return; }
      if (!result.data.total) {
        runResult(T("Keine Szenarien"), [T("Die Szenariodatei enthält keine Szenarien; es wurde nichts geprüft.")], null);
        return;
      }
      var lines = [];
      result.data.results.forEach(function (r) {
        lines.push((r.passed ? "✓ " : "✗ ") + r.name);
        if (!r.passed && r.stopped_at) { lines.push("    " + T("Angehalten bei: {step}", { step: r.stopped_at })); }
        r.failures.forEach(function (f) { lines.push("    " + f); });
      });
      var failed = result.data.results.filter(function (r) { return !r.passed; })[0];
      if (failed) { markPath(failed.run.path.map(function (s) { return s.element_id; })); }
      runResult(T("Szenarien: {passed} von {total} bestanden", { passed: result.data.passed, total: result.data.total }), lines,
        result.data.passed === result.data.total);
    });
  }

  // -- start -----------------------------------------------------------------------------------------
  function load(xml) {
    return modeler.importXML(xml).then(function () {
      if (kind === "process") {
        modeler.get("canvas").zoom("fit-viewport");
      } else {
        var table = modeler.getViews().filter(function (v) { return v.type === "decisionTable"; })[0];
        if (table) { return modeler.open(table); }
      }
    }).catch(function (err) { say(T("Das Diagramm konnte nicht geladen werden: {error}", { error: err.message }), "error"); });
  }

  function wire() {
    document.getElementById("btn-save").addEventListener("click", function () { save(false); });
    document.getElementById("btn-overwrite").addEventListener("click", function () { save(true); });
    document.getElementById("btn-validate").addEventListener("click", validate);
    document.getElementById("btn-deploy").addEventListener("click", deploy);
    document.getElementById("btn-download").addEventListener("click", download);
    document.getElementById("file-open").addEventListener("change", openFile);
    if (kind === "process") {
      document.getElementById("btn-dryrun").addEventListener("click", dryRun);
      document.getElementById("btn-scenarios").addEventListener("click", scenarios);
    }
    window.addEventListener("beforeunload", function (event) {
      if (state.dirty) { event.preventDefault(); event.returnValue = ""; }
    });
  }

  function start(extensions) {
    var canvas = document.getElementById("canvas");
    if (kind === "process") {
      modeler = new window.BpmnJS({ container: canvas, moddleExtensions: { camunda: extensions } });
      modeler.on("commandStack.changed", function () { state.dirty = true; });
      new window.KimflowPanel(modeler, document.getElementById("panel"));
    } else {
      modeler = new window.DmnJS({ container: canvas });
      modeler.on("views.changed", function () {
        var viewer = modeler.getActiveViewer();
        if (viewer) { viewer.on("elements.changed", function () { state.dirty = true; }); }
      });
    }
    wire();
    load(initial.xml).then(function () { state.dirty = false; root.dataset.ready = "true"; });
  }

  if (kind === "process") {
    fetch(root.dataset.moddle).then(function (r) { return r.json(); }).then(start);
  } else {
    start(null);
  }
})();
