"""Instance state as JSON without the spec: the spec is stored once per definition version."""

from __future__ import annotations

import json
import threading
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from time import monotonic as _monotonic
from uuid import UUID

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.helpers import DefaultRegistry
from SpiffWorkflow.bpmn.specs.data_spec import TaskDataReference
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.serializer import DEFAULT_CONFIG
from SpiffWorkflow.camunda.serializer.event_definition import MessageEventDefinitionConverter
from SpiffWorkflow.camunda.specs.multiinstance_task import (
    ParallelMultiInstanceTask as CamundaParallelMI,
)
from SpiffWorkflow.camunda.specs.multiinstance_task import (
    SequentialMultiInstanceTask as CamundaSequentialMI,
)
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.task import TaskState

from engine.bpmn.messages import MessageEventDefinition

STATE_FORMAT = "kimflow-2"
# Automatic steps one verb may run: far above any real process, low enough to end a loop in seconds.
STEP_BUDGET = 20_000
TIME_BUDGET_SECONDS = 30.0
# SpiffWorkflow stops seeing tasks deeper than its iterator's default max_depth (1000) without an error.
TREE_DEPTH_LIMIT = 100_000
# Camunda multi-instance specs are rewritten by their first _update_hook; these are the attributes it touches.
_MI_ATTRIBUTES = ("cardinality", "data_input", "input_item")
# A Camunda MI task in one of these states has run update_task_spec, so its spec carries run-time values.
_MI_STARTED = TaskState.WAITING | TaskState.READY | TaskState.STARTED | TaskState.COMPLETED | TaskState.ERROR


class StepBudgetExceeded(WorkflowException):
    """An instance ran more engine steps in one go than any real process needs (endless loop or call)."""

    def __init__(self, task, steps: int, seconds: float | None = None):
        element = task.task_spec.bpmn_id or task.task_spec.name
        spent = f"länger als {seconds:g} s" if seconds is not None else f"mehr als {steps} automatische Schritte"
        super().__init__(f"Schrittbudget erschöpft: {spent} ohne Halt, zuletzt bei {element!r} "
                         "(Endlosschleife oder rekursiver Aufruf?)")
        self.element_id = element
        self.task = task


class KimflowWorkflow(BpmnWorkflow):
    """A BpmnWorkflow whose task searches are not cut off silently in long gateway loops."""

    step_budget = STEP_BUDGET
    time_budget = TIME_BUDGET_SECONDS

    def do_engine_steps(self, will_complete_task=None, did_complete_task=None):
        """Run engine steps, but stop with StepBudgetExceeded instead of looping for ever."""
        steps, deadline = 0, _monotonic() + self.time_budget

        def counted(task):
            nonlocal steps
            steps += 1
            if steps > self.step_budget:
                raise StepBudgetExceeded(task, self.step_budget)
            if _monotonic() > deadline:
                raise StepBudgetExceeded(task, self.step_budget, self.time_budget)
            if did_complete_task is not None:
                did_complete_task(task)

        super().do_engine_steps(will_complete_task, counted)
        # A path without an end event (e.g. a diagram that is only a start event) ends its token there; with
        # nothing left unfinished the instance is complete, not stalled (SpiffWorkflow waits for End).
        if not self.completed and self.is_completed() and self.last_task is not None:
            self.data.update(self.last_task.data)

    def get_tasks_iterator(self, first_task=None, **kwargs):
        kwargs.setdefault("max_depth", TREE_DEPTH_LIMIT)
        return super().get_tasks_iterator(first_task, **kwargs)

    def refresh_timers(self):
        # A non-interrupting boundary timer whose activity completed is dropped from the tree but stays
        # registered as waiting; refreshing it would crash on its missing parent (SpiffWorkflow 3.2.0).
        for task_id, task in list(self.event_manager.tasks.items()):
            if task.parent is None and task is not task.workflow.task_tree:
                self.event_manager.tasks.pop(task_id, None)
        super().refresh_timers()


class _DataRegistry(DefaultRegistry):
    """DefaultRegistry plus the Python values scripts commonly produce, restored to the same type."""

    def __init__(self):
        super().__init__()
        # datetime is registered by DefaultRegistry; date/time must be exact-type entries because the
        # registry looks converters up by exact class (a date would otherwise crash json.dumps).
        self.register(date, lambda v: {"value": v.isoformat()}, lambda v: date.fromisoformat(v["value"]))
        self.register(time, lambda v: {"value": v.isoformat()}, lambda v: time.fromisoformat(v["value"]))
        # SpiffWorkflow's own timedelta converter drops microseconds; old dicts without them still restore.
        self.register(timedelta, lambda v: {"days": v.days, "seconds": v.seconds, "microseconds": v.microseconds},
                      lambda v: timedelta(**v))
        self.register(Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]))
        # Without these, SpiffEncoder turns a set into a list and a frozenset crashes json.dumps.
        self.register(set, lambda v: {"items": list(v)}, lambda v: set(self.restore(v["items"])))
        self.register(frozenset, lambda v: {"items": list(v)}, lambda v: frozenset(self.restore(v["items"])))

    def restore(self, val, **kwargs):
        # Task data may legitimately hold a dict with a "typename" key; only registered names are objects.
        if isinstance(val, dict) and "typename" in val and val["typename"] not in self.convert_from_dict:
            return {key: self.restore(item, **kwargs) for key, item in val.items()}
        return super().restore(val, **kwargs)

    def fallback(self, obj):
        """Convert instances of subclasses of registered types (e.g. a patched clock datetime)."""
        for cls in (datetime, date, time, timedelta, Decimal, set, frozenset):
            if isinstance(obj, cls):
                return self.convert_to_dict[self.typenames[cls]](obj)
        raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


class _FallbackEncoder(json.JSONEncoder):
    """Base class for SpiffWorkflow's encoder: reached only for objects without an exact-type converter."""

    registry: _DataRegistry

    def default(self, o):
        return self.registry.fallback(o)


def _all_workflows(workflow):
    """The top workflow and every subprocess workflow (embedded, call activity, event subprocess)."""
    return [workflow, *workflow.subprocesses.values()]


def _all_specs(workflow) -> dict:
    """Every process spec an instance can use, by name: the process itself and its subprocess specs."""
    specs = dict(workflow.subprocess_specs)
    specs[workflow.spec.name] = workflow.spec
    return specs


def _ref_id(ref):
    return ref.bpmn_id if ref is not None else None


def _camunda_mi_state(workflow) -> dict:
    """Record the run-time attributes Camunda's update_task_spec wrote onto multi-instance specs."""
    state: dict = {}
    for each in _all_workflows(workflow):
        for task in each.tasks.values():
            spec = task.task_spec
            if isinstance(spec, (CamundaParallelMI, CamundaSequentialMI)) and task.has_state(_MI_STARTED):
                state.setdefault(each.spec.name, {})[spec.name] = {
                    "cardinality": spec.cardinality,
                    "data_input": _ref_id(spec.data_input),
                    "input_item": _ref_id(spec.input_item),
                }
    return state


def _restore_camunda_mi_state(specs: dict, state: dict) -> None:
    """Write recorded multi-instance attributes back onto freshly parsed specs."""
    for process_name, tasks in state.items():
        process = specs.get(process_name)
        for task_name, attrs in tasks.items():
            spec = process.task_specs.get(task_name) if process is not None else None
            if spec is None:
                continue  # the definition changed under the instance; migration reports that, not the loader
            spec.cardinality = attrs["cardinality"]
            spec.data_input = TaskDataReference(attrs["data_input"]) if attrs["data_input"] else None
            spec.input_item = TaskDataReference(attrs["input_item"]) if attrs["input_item"] else None


def _connect_loop_children(specs: dict) -> None:
    """Let loop/MI children report back to their parent, as LoopTask.create_child does on first use."""
    # SpiffWorkflow wires child.completed_event -> merge_child lazily in create_child (or in its own spec
    # deserializer). A freshly parsed spec has no such connection, so an instance created elsewhere never
    # merges its last child: the MI task stays STARTED forever (the "silent stall").
    for process in specs.values():
        for spec in list(process.task_specs.values()):
            if isinstance(spec, LoopTask):
                child = process.task_specs.get(spec.task_spec)
                if child is not None and not child.completed_event.is_connected(spec.merge_child):
                    child.completed_event.connect(spec.merge_child)


def _connect_triggered_children(workflow) -> None:
    """Re-create the spec edges SpiffWorkflow adds when it starts an event subprocess or ad hoc path."""
    # BpmnStartTask.trigger_wf (event subprocesses with message/signal/error/escalation starts) and
    # AdHocSubprocessSpec.add_path connect Start -> child spec (and child -> End) only when they fire. The
    # child task is in the saved tree, but a freshly parsed spec lacks the edges, so completing the child
    # raises a WorkflowException whose message is just the spec's repr.
    for each in _all_workflows(workflow):
        start, end = each.spec.start, each.spec.end
        if each.task_tree is None or each.task_tree.task_spec.name != start.name:
            continue  # history was pruned: the root is an ordinary task whose children are its own outputs
        triggers = set(getattr(start, "trigger_specs", []) or [])
        for child in each.task_tree.children:
            spec = child.task_spec
            if spec is None or spec.name in start._outputs:
                continue
            start.connect(spec)
            if spec.name in triggers and end is not None and end.name not in spec._outputs:
                spec.connect(end)


class _SpeclessWorkflowConverter(BpmnWorkflowConverter):
    """Convert a workflow without its specs; they are handed back in when restoring."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        # The only run-time spec changes that cannot be derived from the task tree; stored with the state.
        dct["spec_state"] = {"camunda_mi": _camunda_mi_state(workflow)}
        return dct

    def from_dict(self, dct, spec=None, subprocess_specs=None):
        workflow = self.target_class(spec, subprocess_specs or {}, deserializing=True)
        specs = _all_specs(workflow)
        _restore_camunda_mi_state(specs, dct.pop("spec_state", {}).get("camunda_mi", {}))
        _connect_loop_children(specs)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        _connect_triggered_children(workflow)
        return workflow


class UnstorableValue(WorkflowException):
    """Task data holds a value the state cannot store; names the variables, never their values."""

    def __init__(self, found: list[tuple[str, str, str]]):
        element = found[0][0]
        names = ", ".join(dict.fromkeys(f"{name!r} ({typename})" for _element, name, typename in found))
        super().__init__(f"Bei {element!r} entstand ein Wert, der nicht gespeichert werden kann: {names}. "
                         "Erlaubt sind Text, Zahlen, Wahrheitswerte, Listen, Verzeichnisse, Datum, Uhrzeit, "
                         "Zeitspanne, Decimal und Mengen.")
        self.element_id = element
        self.found = found


class StateSerializer:
    """Dump and load instance state; one serializer per thread (its registry keeps a mode flag)."""

    def __init__(self) -> None:
        self._local = threading.local()

    @property
    def _serializer(self) -> BpmnWorkflowSerializer:
        serializer = getattr(self._local, "serializer", None)
        if serializer is None:
            config = dict(DEFAULT_CONFIG)
            config.pop(BpmnWorkflow, None)
            config[MessageEventDefinition] = MessageEventDefinitionConverter
            config[KimflowWorkflow] = _SpeclessWorkflowConverter
            registry = BpmnWorkflowSerializer.configure(config, registry=_DataRegistry())
            encoder = type("KimflowEncoder", (_FallbackEncoder,), {"registry": registry})
            serializer = BpmnWorkflowSerializer(registry, json_encoder_cls=encoder)
            self._local.serializer = serializer
        return serializer

    def dumps(self, workflow: BpmnWorkflow) -> str:
        """Serialize the state; raise UnstorableValue naming the variables JSON cannot hold."""
        try:
            return self._dumps(workflow)
        except (TypeError, ValueError) as err:
            found = self.unstorable(workflow)
            if not found:
                raise
            raise UnstorableValue(found) from err

    def unstorable(self, workflow: BpmnWorkflow) -> list[tuple[str, str, str]]:
        """Return (element, variable, type) of every task-data value the state cannot store."""
        found: dict[tuple[str, str], str] = {}
        encoder = self._serializer._encoder_cls
        for each in _all_workflows(workflow):
            holders = [(task.task_spec.bpmn_id or task.task_spec.name, task.data) for task in each.tasks.values()]
            holders.append((each.spec.name, each.data))
            for element, data in holders:
                for name, value in data.items():
                    if (element, name) not in found and not self._storable(value, encoder):
                        found[(element, name)] = type(value).__name__
        return [(element, name, typename) for (element, name), typename in found.items()]

    def _storable(self, value, encoder) -> bool:
        registry = self._serializer.registry
        registry._encoder_mode = True
        try:
            json.dumps(registry.convert(value), cls=encoder)
            return True
        except (TypeError, ValueError):
            return False
        finally:
            registry._encoder_mode = False

    def _dumps(self, workflow: BpmnWorkflow) -> str:
        serializer = self._serializer
        # Encoder mode lets the JSON encoder convert nested data in one pass (SpiffWorkflow's own fast path).
        serializer.registry._encoder_mode = True
        try:
            dct = serializer.registry.convert(workflow)
            dct["format"] = STATE_FORMAT
            return json.dumps(dct, separators=(",", ":"), cls=serializer._encoder_cls)
        finally:
            serializer.registry._encoder_mode = False

    def loads(self, text: str, spec, subprocess_specs: dict, script_engine=None) -> BpmnWorkflow:
        dct = json.loads(text)
        dct.pop("format", None)  # kimflow-1 states load unchanged: they simply carry no spec_state
        workflow = self._serializer.registry.restore(dct, spec=spec, subprocess_specs=subprocess_specs)
        if script_engine is not None:
            workflow.script_engine = script_engine
        return workflow
