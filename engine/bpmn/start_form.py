"""The form of a process's none start event (camunda:formData), read from the process XML.

SpiffWorkflow builds forms for user tasks only; the start event's form is read here with the same field
rules (engine/bpmn/forms.py), so a start form is checked exactly like a task form.
"""

from __future__ import annotations

from SpiffWorkflow.camunda.parser.task_spec import CAMUNDA_MODEL_NS
from SpiffWorkflow.camunda.specs.user_task import EnumFormField as SpiffEnumField
from SpiffWorkflow.camunda.specs.user_task import Form as SpiffForm
from SpiffWorkflow.camunda.specs.user_task import FormField as SpiffField

from engine.bpmn.forms import Form, build_form
from engine.bpmn.parser import BPMN_NS

_CAMUNDA = f"{{{CAMUNDA_MODEL_NS}}}"


def camunda_attribute(element, name: str) -> str | None:
    """Return the camunda:`name` attribute of an XML element."""
    return element.get(f"{_CAMUNDA}{name}")


def none_start_event(process):
    """Return the process's start event without a trigger (the one people start by hand), or None."""
    for event in process.iterfind(f"{{{BPMN_NS}}}startEvent"):
        if not any(str(child.tag).endswith("EventDefinition") for child in event):
            return event
    return None


def _spiff_field(node):
    result = SpiffEnumField() if node.get("type") == "enum" else SpiffField()
    result.id, result.type = node.get("id"), node.get("type")
    result.label, result.default_value = node.get("label"), node.get("defaultValue")
    for child in node:
        if child.tag == f"{_CAMUNDA}value" and isinstance(result, SpiffEnumField):
            result.add_option(child.get("id"), child.get("name"))
        elif child.tag == f"{_CAMUNDA}validation":
            for constraint in child:
                result.add_validation(constraint.get("name"), constraint.get("config"))
    return result


def start_form(start_event) -> tuple[Form | None, list[str]]:
    """Build the start event's form; return it with German definition problems (as for task forms)."""
    spiff_form = SpiffForm()
    spiff_form.key = camunda_attribute(start_event, "formKey") or ""
    for node in start_event.iterfind(f"{{{BPMN_NS}}}extensionElements/{_CAMUNDA}formData/{_CAMUNDA}formField"):
        spiff_form.add_field(_spiff_field(node))
    return build_form(spiff_form)
