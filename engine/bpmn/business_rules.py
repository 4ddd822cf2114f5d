"""How kimflow parses decisions and runs business-rule tasks: the parser mixin and the task spec.

Decisions are evaluated by kimflow's own FEEL/DMN engine (engine/decision), not SpiffWorkflow's. The
parser keeps every DMN document of a bundle and compiles them once into a ModelSet (cached by content,
so a deployed version is compiled once per process); business-rule task specs hold a DecisionCall that
evaluates any decision of the graph and maps the result the way Camunda does.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

from lxml import etree
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.serializer.helpers.spec import TaskSpecConverter
from SpiffWorkflow.camunda.parser.task_spec import CAMUNDA_MODEL_NS
from SpiffWorkflow.camunda.specs.business_rule_task import BusinessRuleTask

from engine.core import clock
from engine.core.localtime import LOCAL_TIME
from engine.decision import ModelSet, load_models, set_clock
from engine.decision.camunda import ResultMappingError, is_multi_hit, map_result, merged, output_names, rows_of

log = logging.getLogger(__name__)

# FEEL's now() and today() follow kimflow's clock (frozen in tests, --now in the worker), in district time.
set_clock(lambda: clock.now().astimezone(LOCAL_TIME))

# Warnings that do not make a result unusable: a missing process variable simply counts as null.
_BENIGN = ("unknown variable",)


class DecisionFailed(ValueError):
    """A decision could not produce a result; the message lists the evaluation's warnings in order."""


@functools.lru_cache(maxsize=256)
def compiled_models(sources: tuple[str, ...]) -> ModelSet:
    """Compile DMN documents once per content (every deployed version's files are immutable)."""
    return load_models(list(sources))


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


@dataclass
class _DecisionEntry:
    """What SpiffWorkflow and validation expect of a registered DMN parser: an id, a name, a file."""

    bpmn_id: str
    name: str
    filename: str | None

    def parse(self) -> None:
        """Do nothing: kimflow compiles all DMN documents of the bundle together."""

    def get_name(self) -> str:
        return self.name


class DecisionCall:
    """One business-rule task's call of a decision: which decision, how its result lands in the data."""

    def __init__(self, decision_ref: str, sources: tuple[str, ...], result_variable: str | None = None,
                 mapping: str | None = None):
        self.decision_ref = decision_ref
        self.sources = sources
        self.result_variable = result_variable or None
        self.mapping = mapping or None

    @property
    def models(self) -> ModelSet:
        return compiled_models(self.sources)

    def evaluate(self, data: dict) -> tuple[list[dict], list[str]]:
        """Return Camunda's result rows and the warnings; raise DecisionFailed when there is no result."""
        models = self.models
        element = models.find(self.decision_ref)
        if element is None:
            raise DecisionFailed(f"Die Entscheidung »{self.decision_ref}« ist nicht bereitgestellt.")
        result = models.evaluate_decision(self.decision_ref, data, context=data)
        serious = [w for w in result.warnings if not str(w).startswith(_BENIGN)]
        if result.value is None and serious:
            raise DecisionFailed(f"Die Entscheidung »{element.name or self.decision_ref}« konnte kein Ergebnis "
                                 f"liefern: {'; '.join(str(w) for w in serious[:5])}")
        if result.warnings:
            log.warning("decision %s: %s", self.decision_ref, "; ".join(map(str, result.warnings[:10])))
        return rows_of(element, result.value), list(result.warnings)

    def result(self, task) -> dict:
        """Return the process variables the decision sets for the task's data."""
        rows, _warnings = self.evaluate(task.data)
        if self.result_variable is None:
            element = self.models.find(self.decision_ref)
            return merged(rows, output_names(element), is_multi_hit(element))
        try:
            return {self.result_variable: map_result(rows, self.mapping)}
        except ResultMappingError as exc:
            raise DecisionFailed(f"Das Ergebnis der Entscheidung »{self.decision_ref}« passt nicht zu "
                                 f"camunda:mapDecisionResult: {exc}.") from None


class KimflowBusinessRuleTask(BusinessRuleTask):
    """Business-rule task evaluated by kimflow's decision engine; a failed decision becomes an incident."""

    def _run_hook(self, my_task):
        try:
            my_task.data.update(self.dmnEngine.result(my_task))
        except DecisionFailed as exc:
            error = WorkflowTaskException(str(exc), task=my_task)
            error.add_note(f"Geschäftsregel »{my_task.task_spec.bpmn_name or my_task.task_spec.bpmn_id}«.")
            raise error from None
        return True


# The task spec business-rule tasks are built with.
BUSINESS_RULE_TASK = KimflowBusinessRuleTask


class DecisionCallConverter(TaskSpecConverter):
    """Serialize a business-rule task spec with its decision call (SpiffWorkflow's expects one DMN table)."""

    def to_dict(self, spec):
        dct = self.get_default_attributes(spec)
        call = spec.dmnEngine
        dct["decision_call"] = {"decision_ref": call.decision_ref, "sources": list(call.sources),
                                "result_variable": call.result_variable, "mapping": call.mapping}
        return dct

    def from_dict(self, dct):
        call = dct.pop("decision_call")
        dct["dmnEngine"] = DecisionCall(call["decision_ref"], tuple(call["sources"]), call["result_variable"],
                                        call["mapping"])
        return self.task_spec_from_dict(dct)


# Spec converters for serializer configs that serialize specs (version diff, tests).
SPEC_CONVERTERS = {BusinessRuleTask: DecisionCallConverter, KimflowBusinessRuleTask: DecisionCallConverter}


class DecisionSupport:
    """Mixed into kimflow's parser ahead of SpiffWorkflow's: every decision of every DMN file, in FEEL."""

    dmn_parsers: dict
    dmn_parsers_by_name: dict

    def add_dmn_xml(self, node, filename=None):
        """Keep the DMN document and register each of its decisions by id and name."""
        sources = getattr(self, "_dmn_sources", None)
        if sources is None:
            sources = self._dmn_sources = []
        sources.append(etree.tostring(node, encoding="unicode"))
        for element in node:
            if _local(element) == "decision" and element.get("id"):
                entry = _DecisionEntry(element.get("id"), element.get("name") or element.get("id"), filename)
                self.dmn_parsers[entry.bpmn_id] = entry
                self.dmn_parsers_by_name[entry.name] = entry

    def decision_models(self) -> ModelSet:
        """Return the compiled decisions of all DMN documents added so far."""
        return compiled_models(tuple(getattr(self, "_dmn_sources", ())))

    def get_engine(self, decision_ref, node):
        """Return the DecisionCall a business-rule task runs (node: the task element, for its attributes)."""
        if decision_ref not in self.dmn_parsers:
            options = ", ".join(self.dmn_parsers)
            raise ValidationException(f'No DMN decision with id "{decision_ref}"; available: {options}',
                                      node=node, file_name="")
        sources = tuple(getattr(self, "_dmn_sources", ()))
        compiled_models(sources)  # compile now, at parse time, so running the task parses nothing
        prefix = f"{{{CAMUNDA_MODEL_NS}}}"
        attributes = node.attrib if node is not None else {}
        return DecisionCall(decision_ref, sources, attributes.get(f"{prefix}resultVariable"),
                            attributes.get(f"{prefix}mapDecisionResult"))
