"""Instance state as JSON without the spec: the spec is stored once per definition version."""

from __future__ import annotations

import json
import threading
from uuid import UUID

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.serializer import DEFAULT_CONFIG
from SpiffWorkflow.camunda.serializer.event_definition import MessageEventDefinitionConverter

from engine.bpmn.messages import MessageEventDefinition

STATE_FORMAT = "kimflow-1"
# SpiffWorkflow stops seeing tasks deeper than its iterator's default max_depth (1000) without an error.
TREE_DEPTH_LIMIT = 100_000


class KimflowWorkflow(BpmnWorkflow):
    """A BpmnWorkflow whose task searches are not cut off silently in long gateway loops."""

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


class _SpeclessWorkflowConverter(BpmnWorkflowConverter):
    """Convert a workflow without its specs; they are handed back in when restoring."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct, spec=None, subprocess_specs=None):
        workflow = self.target_class(spec, subprocess_specs or {}, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


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
            serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))
            self._local.serializer = serializer
        return serializer

    def dumps(self, workflow: BpmnWorkflow) -> str:
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
        dct.pop("format", None)
        workflow = self._serializer.registry.restore(dct, spec=spec, subprocess_specs=subprocess_specs)
        if script_engine is not None:
            workflow.script_engine = script_engine
        return workflow
