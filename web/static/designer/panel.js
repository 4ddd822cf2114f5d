// A compact properties panel for what kimflow executes (forms, offices, deadlines, timers, conditions, ...).
(function () {
  "use strict";

  var T = window.kfText || function (text) { return text; };
  var FIELD_TYPES = ["string", "long", "double", "boolean", "date", "enum"];
  // Constraints per field type the engine checks (engine/bpmn/forms.py): [name, label, hint].
  var LIMITS = {
    "long": [["min", T("Kleinster Wert (min)"), ""], ["max", T("Größter Wert (max)"), ""]],
    "double": [["min", T("Kleinster Wert (min)"), ""], ["max", T("Größter Wert (max)"), ""]],
    "string": [["minlength", T("Mindestlänge (minlength)"), ""], ["maxlength", T("Höchstlänge (maxlength)"), ""]],
    "date": [["min", T("Frühestes Datum (min)"), T("JJJJ-MM-TT oder today, auch today-P18Y")],
             ["max", T("Spätestes Datum (max)"), T("JJJJ-MM-TT oder today, auch today+P30D")]]
  };
  var USER_ATTRS = [
    ["candidateGroups", T("Zuständige Stelle(n) (candidateGroups, z. B. abh)")],
    ["assignee", T("Bearbeiter/in (assignee)")],
    ["candidateUsers", T("Mögliche Bearbeiter/innen (candidateUsers)")],
    ["dueDate", T("Fällig (dueDate, z. B. P10D oder ${frist})")],
    ["followUpDate", T("Wiedervorlage (followUpDate)")],
    ["priority", T("Priorität (0–100 oder Ausdruck)")]
  ];

  var DATE_ATTRS = { dueDate: true, followUpDate: true };
  var ISO_DURATION = /^P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+([.,]\d+)?S)?)?$/;
  var ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

  // The same rule the server applies at save and deploy (engine/service/designer.py); the server has the last word.
  function dateHint(text) {
    var value = (text || "").trim();
    if (!value || ISO_DURATION.test(value) || ISO_DATE.test(value)) { return ""; }
    if (/^[$#]\{[\s\S]*\}$/.test(value)) { return ""; }
    return T("»{value}« ist kein gültiges Datum: erwartet wird eine ISO-8601-Dauer (z. B. P10D, PT4H), " +
      "ein Datum (z. B. 2027-01-31) oder ein Ausdruck wie ${frist}.", { value: value });
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") { node.textContent = attrs[key]; } else { node.setAttribute(key, attrs[key]); }
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  function KimflowPanel(modeler, container) {
    this.modeler = modeler;
    this.container = container;
    this.modeling = modeler.get("modeling");
    this.moddle = modeler.get("moddle");
    var self = this;
    modeler.on("selection.changed", function (event) { self.render(event.newSelection[0]); });
    modeler.on("import.done", function () { self.render(null); });
  }

  KimflowPanel.prototype.input = function (id, label, value, onChange, options) {
    options = options || {};
    var field = el("div", { "class": "field" });
    field.appendChild(el("label", { "for": id, text: label }));
    var input;
    if (options.choices) {
      input = el("select", { id: id });
      options.choices.forEach(function (choice) {
        var option = el("option", { value: choice[0], text: choice[1] });
        if (choice[0] === (value || "")) { option.selected = true; }
        input.appendChild(option);
      });
    } else if (options.multiline) {
      input = el("textarea", { id: id, rows: "4", spellcheck: "false" });
      input.value = value || "";
    } else {
      input = el("input", { id: id, type: "text" });
      input.value = value || "";
    }
    input.addEventListener("change", function () { onChange(input.value); });
    field.appendChild(input);
    if (options.hint) { field.appendChild(el("p", { "class": "hint", text: options.hint })); }
    if (options.check) {
      var warning = el("p", { "class": "hint problem", id: id + "-problem", role: "status" });
      var show = function () { warning.textContent = options.check(input.value); };
      input.addEventListener("input", show);
      show();
      field.appendChild(warning);
    }
    return field;
  };

  KimflowPanel.prototype.render = function (element) {
    var root = this.container;
    root.textContent = "";
    if (!element) {
      root.appendChild(el("p", { "class": "muted", text: T("Element auswählen, um seine Eigenschaften zu bearbeiten.") }));
      return;
    }
    this.element = element;
    var bo = element.businessObject;
    var type = bo.$type;
    var self = this;
    root.appendChild(el("h2", { text: T("Eigenschaften") }));
    root.appendChild(el("p", { "class": "muted", text: type.replace("bpmn:", "") }));
    root.appendChild(this.input("prop-id", T("ID"), bo.id, function (v) { self.update({ id: v.trim() }); }));
    root.appendChild(this.input("prop-name", T("Name"), bo.name, function (v) { self.update({ name: v }); }));
    if (type === "bpmn:UserTask") { this.userTask(bo); }
    if (type === "bpmn:SequenceFlow") { this.condition(bo); }
    if (type === "bpmn:ExclusiveGateway" || type === "bpmn:InclusiveGateway") { this.defaultFlow(bo); }
    if (type === "bpmn:ScriptTask") { this.script(bo); }
    if (type === "bpmn:ServiceTask" || type === "bpmn:SendTask") { this.service(bo); }
    if (type === "bpmn:BusinessRuleTask") { this.decision(bo); }
    if (type === "bpmn:CallActivity") {
      root.appendChild(this.input("prop-called", T("Aufgerufener Prozess (calledElement)"), bo.calledElement,
        function (v) { self.update({ calledElement: v.trim() || undefined }); }));
    }
    if (type === "bpmn:ReceiveTask") { this.message(bo, bo); }
    (bo.eventDefinitions || []).forEach(function (definition) {
      if (definition.$type === "bpmn:TimerEventDefinition") { self.timer(definition); }
      if (definition.$type === "bpmn:MessageEventDefinition") { self.message(bo, definition); }
    });
  };

  KimflowPanel.prototype.update = function (props) {
    this.modeling.updateProperties(this.element, props);
  };

  KimflowPanel.prototype.userTask = function (bo) {
    var self = this;
    USER_ATTRS.forEach(function (pair) {
      self.container.appendChild(self.input("prop-" + pair[0], pair[1], bo.get("camunda:" + pair[0]), function (v) {
        var props = {};
        props["camunda:" + pair[0]] = v.trim() || undefined;
        self.update(props);
      }, { check: DATE_ATTRS[pair[0]] ? dateHint : null }));
    });
    this.formFields(bo);
  };

  KimflowPanel.prototype.formData = function (bo, create) {
    var ext = bo.extensionElements;
    if (!ext && !create) { return null; }
    if (!ext) {
      ext = this.moddle.create("bpmn:ExtensionElements", { values: [] });
      ext.$parent = bo;
      this.update({ extensionElements: ext });
    }
    var data = (ext.values || []).filter(function (v) { return v.$type === "camunda:FormData"; })[0];
    if (!data && create) {
      data = this.moddle.create("camunda:FormData", { fields: [] });
      data.$parent = ext;
      this.modeling.updateModdleProperties(this.element, ext, { values: (ext.values || []).concat([data]) });
    }
    return data || null;
  };

  KimflowPanel.prototype.formFields = function (bo) {
    var self = this;
    var box = el("fieldset", { "class": "form-fields" }, [el("legend", { text: T("Formularfelder") })]);
    var data = this.formData(bo, false);
    var fields = data ? (data.fields || []) : [];
    fields.forEach(function (field, index) { box.appendChild(self.formFieldRow(data, field, index)); });
    var add = el("button", { type: "button", id: "prop-add-field", text: T("Formularfeld hinzufügen") });
    add.addEventListener("click", function () {
      var target = self.formData(bo, true);
      var field = self.moddle.create("camunda:FormField", { id: "feld_" + ((target.fields || []).length + 1),
        label: "Neues Feld", type: "string" });
      field.$parent = target;
      self.modeling.updateModdleProperties(self.element, target, { fields: (target.fields || []).concat([field]) });
      self.render(self.element);
    });
    box.appendChild(add);
    this.container.appendChild(box);
  };

  KimflowPanel.prototype.formFieldRow = function (data, field, index) {
    var self = this;
    var prefix = "field-" + index + "-";
    var row = el("div", { "class": "form-field-row" });
    function set(props) { self.modeling.updateModdleProperties(self.element, field, props); }
    row.appendChild(this.input(prefix + "id", T("Feld-ID"), field.id, function (v) { set({ id: v.trim() }); }));
    row.appendChild(this.input(prefix + "label", T("Beschriftung"), field.label, function (v) { set({ label: v }); }));
    row.appendChild(this.input(prefix + "type", T("Typ"), field.type, function (v) { set({ type: v }); self.render(self.element); },
      { choices: FIELD_TYPES.map(function (t) { return [t, t]; }) }));
    row.appendChild(this.input(prefix + "default", T("Vorgabewert"), field.defaultValue,
      function (v) { set({ defaultValue: v.trim() || undefined }); }));
    row.appendChild(this.flag(field, prefix, "required", T("Pflichtfeld")));
    row.appendChild(this.flag(field, prefix, "readonly", T("Nur lesen")));
    (LIMITS[field.type] || []).forEach(function (limit) {
      row.appendChild(self.input(prefix + limit[0], limit[1], self.constraintConfig(field, limit[0]),
        function (v) { self.setConstraint(field, limit[0], v.trim() || null); }, { hint: limit[2] }));
    });
    if (field.type === "enum") { row.appendChild(this.enumOptions(field, prefix)); }
    var remove = el("button", { type: "button", "class": "link-button", text: T("Feld entfernen") });
    remove.addEventListener("click", function () {
      self.modeling.updateModdleProperties(self.element, data, {
        fields: data.fields.filter(function (f) { return f !== field; }) });
      self.render(self.element);
    });
    row.appendChild(remove);
    return row;
  };

  KimflowPanel.prototype.constraints = function (field) {
    return field.validation ? (field.validation.constraints || []).slice() : [];
  };

  KimflowPanel.prototype.constraintConfig = function (field, name) {
    var found = this.constraints(field).filter(function (c) { return c.name === name; })[0];
    return found ? (found.config || "") : "";
  };

  // Writes <camunda:validation><camunda:constraint name=".." config=".."/> as Camunda Modeler does;
  // config null removes the constraint, "" adds one without config (required, readonly).
  KimflowPanel.prototype.setConstraint = function (field, name, config) {
    var rest = this.constraints(field).filter(function (c) { return c.name !== name; });
    if (config !== null) {
      var attrs = config ? { name: name, config: config } : { name: name };
      rest.push(this.moddle.create("camunda:Constraint", attrs));
    }
    var validation;
    if (rest.length) {
      validation = this.moddle.create("camunda:Validation", { constraints: rest });
      validation.$parent = field;
      rest.forEach(function (c) { c.$parent = validation; });
    }
    this.modeling.updateModdleProperties(this.element, field, { validation: validation });
  };

  KimflowPanel.prototype.flag = function (field, prefix, name, label) {
    var self = this;
    var box = el("input", { type: "checkbox", id: prefix + name });
    box.checked = this.constraints(field).some(function (c) { return c.name === name; });
    box.addEventListener("change", function () { self.setConstraint(field, name, box.checked ? "" : null); });
    return el("label", { "for": prefix + name, "class": "inline", text: label + " " }, [box]);
  };

  KimflowPanel.prototype.enumOptions = function (field, prefix) {
    var self = this;
    var values = (field.values || []).slice();
    var box = el("fieldset", { "class": "enum-options", id: prefix + "options" }, [el("legend", { text: T("Auswahlwerte") })]);
    function write(next) {
      next.forEach(function (v) { v.$parent = field; });
      self.modeling.updateModdleProperties(self.element, field, { values: next });
      self.render(self.element);
    }
    if (!values.length) { box.appendChild(el("p", { "class": "hint", text: T("Noch keine Auswahlwerte – ein Auswahlfeld braucht mindestens einen.") })); }
    values.forEach(function (value, i) {
      var id = prefix + "option-" + i;
      box.appendChild(self.input(id + "-id", T("Wert-ID"), value.id, function (v) {
        self.modeling.updateModdleProperties(self.element, value, { id: v.trim() }); }));
      box.appendChild(self.input(id + "-name", T("Anzeigetext"), value.name, function (v) {
        self.modeling.updateModdleProperties(self.element, value, { name: v }); }));
      var drop = el("button", { type: "button", "class": "link-button", id: id + "-remove", text: T("Wert entfernen") });
      drop.addEventListener("click", function () { write(values.filter(function (x) { return x !== value; })); });
      box.appendChild(drop);
    });
    var add = el("button", { type: "button", id: prefix + "add-option", text: T("Auswahlwert hinzufügen") });
    add.addEventListener("click", function () {
      write(values.concat([self.moddle.create("camunda:Value", { id: "wert_" + (values.length + 1), name: "Neuer Wert" })]));
    });
    box.appendChild(add);
    return box;
  };

  KimflowPanel.prototype.expression = function (text) {
    return text ? this.moddle.create("bpmn:FormalExpression", { body: text }) : undefined;
  };

  KimflowPanel.prototype.condition = function (bo) {
    var self = this;
    var source = bo.sourceRef;
    var isDefault = source && source.default === bo;
    this.container.appendChild(this.input("prop-condition", T("Bedingung (z. B. ${betrag >= 100})"),
      bo.conditionExpression ? bo.conditionExpression.body : "",
      function (v) { self.update({ conditionExpression: self.expression(v.trim()) }); },
      { hint: isDefault ? T("Dies ist der Standardfluss des Gateways.") : "" }));
  };

  KimflowPanel.prototype.defaultFlow = function (bo) {
    var self = this;
    var choices = [["", T("– kein Standardfluss –")]].concat((bo.outgoing || []).map(function (flow) {
      return [flow.id, flow.name ? flow.name + " (" + flow.id + ")" : flow.id];
    }));
    this.container.appendChild(this.input("prop-default", T("Standardfluss"), bo["default"] ? bo["default"].id : "",
      function (v) {
        var flow = (bo.outgoing || []).filter(function (f) { return f.id === v; })[0];
        self.update({ "default": flow || undefined });
      }, { choices: choices }));
  };

  KimflowPanel.prototype.script = function (bo) {
    var self = this;
    if (!bo.scriptFormat) { this.update({ scriptFormat: "python" }); }
    this.container.appendChild(this.input("prop-script", T("Skript (Python)"), bo.script,
      function (v) { self.update({ script: v, scriptFormat: "python" }); }, { multiline: true }));
  };

  KimflowPanel.prototype.service = function (bo) {
    var self = this;
    this.container.appendChild(this.input("prop-topic", T("Handler (camunda:topic)"), bo.get("camunda:topic"),
      function (v) { self.update({ "camunda:type": v.trim() ? "external" : undefined, "camunda:topic": v.trim() || undefined }); }));
  };

  KimflowPanel.prototype.decision = function (bo) {
    var self = this;
    this.container.appendChild(this.input("prop-decision", T("Entscheidung (decisionRef)"), bo.get("camunda:decisionRef"),
      function (v) { self.update({ "camunda:decisionRef": v.trim() || undefined }); }));
    this.container.appendChild(this.input("prop-result", T("Ergebnisvariable"), bo.get("camunda:resultVariable"),
      function (v) { self.update({ "camunda:resultVariable": v.trim() || undefined }); }));
  };

  KimflowPanel.prototype.timer = function (definition) {
    var self = this;
    var kinds = [["timeDuration", T("Dauer (z. B. P14D)")], ["timeDate", T("Zeitpunkt (ISO 8601)")], ["timeCycle", T("Wiederholung (R3/P1D)")]];
    var current = kinds.filter(function (k) { return definition[k[0]]; })[0] || kinds[0];
    var value = definition[current[0]] ? definition[current[0]].body : "";
    function write(kind, text) {
      var props = { timeDuration: undefined, timeDate: undefined, timeCycle: undefined };
      props[kind] = self.expression(text.trim());
      self.modeling.updateModdleProperties(self.element, definition, props);
    }
    this.container.appendChild(this.input("prop-timer-kind", T("Timer-Art"), current[0],
      function (v) { current = [v]; write(v, value); }, { choices: kinds }));
    this.container.appendChild(this.input("prop-timer", T("Timer-Wert"), value,
      function (v) { value = v; write(current[0], v); }));
  };

  KimflowPanel.prototype.message = function (bo, holder) {
    var self = this;
    var ref = holder.messageRef;
    this.container.appendChild(this.input("prop-message", T("Nachricht (Name)"), ref ? ref.name : "", function (v) {
      var name = v.trim();
      var definitions = self.modeler.getDefinitions();
      var message = (definitions.rootElements || []).filter(function (e) {
        return e.$type === "bpmn:Message" && e.name === name; })[0];
      if (!message && name) {
        message = self.moddle.create("bpmn:Message", { id: "Message_" + name.replace(/\W/g, "_"), name: name });
        message.$parent = definitions;
        definitions.rootElements.push(message);
      }
      self.modeling.updateModdleProperties(self.element, holder, { messageRef: message || undefined });
    }));
  };

  window.KimflowPanel = KimflowPanel;
})();
