"""Cost growth: completing a task in an instance after many loop iterations vs a fresh instance."""

from __future__ import annotations

from dataclasses import dataclass

from bench.engine_measures import ACTOR, first_open_task
from bench.timing import Stats, measure
from engine.core.errors import DefinitionError
from engine.service.engine import ProcessEngine
from engine.store.models import ProcessInstance
from tests.bpmn_builder import HEADER, build, user

GATEWAY_LOOP = "bench_gateway_loop"
STANDARD_LOOP = "bench_standard_loop"
AGAIN = {"again": "true"}


def gateway_loop_xml() -> str:
    """A user task inside an exclusive-gateway loop: again → back to the task, else the end."""
    elements = [("start", "start_event"), ("xor", "loop_merge"),
                user("work", "Nachfassen", "kim_cm", [("again", "boolean", "Noch einmal?")]),
                ("xor", "loop_again", "flow_4"), ("end", "end_event")]
    flows = [("start_event", "loop_merge"), ("loop_merge", "work"), ("work", "loop_again"),
             ("loop_again", "loop_merge", "again == True"), ("loop_again", "end_event")]
    return build(GATEWAY_LOOP, elements, flows)


def standard_loop_xml() -> str:
    """The same user task repeated by standardLoopCharacteristics while `again` is true."""
    header = HEADER.format(pid=STANDARD_LOOP).replace(
        "<bpmn:definitions ", '<bpmn:definitions xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ', 1)
    return f"""{header}
<bpmn:process id="{STANDARD_LOOP}" name="Standard loop" isExecutable="true">
  <bpmn:startEvent id="start_event" />
  <bpmn:userTask id="work" name="Nachfassen" camunda:candidateGroups="kim_cm">
    <bpmn:extensionElements><camunda:formData>
      <camunda:formField id="again" label="Noch einmal?" type="boolean" />
    </camunda:formData></bpmn:extensionElements>
    <bpmn:standardLoopCharacteristics testBefore="false" loopMaximum="100000">
      <bpmn:loopCondition xsi:type="bpmn:tFormalExpression">again == True</bpmn:loopCondition>
    </bpmn:standardLoopCharacteristics>
  </bpmn:userTask>
  <bpmn:endEvent id="end_event" />
  <bpmn:sequenceFlow id="flow_0" sourceRef="start_event" targetRef="work" />
  <bpmn:sequenceFlow id="flow_1" sourceRef="work" targetRef="end_event" />
</bpmn:process></bpmn:definitions>"""


@dataclass(frozen=True)
class Growth:
    """Completing a task fresh vs after `iterations` loop iterations, and the state size then."""

    fresh: Stats
    grown: Stats
    iterations: int
    state_bytes: int

    @property
    def ratio(self) -> float:
        return self.grown.median / self.fresh.median


def _complete_next(engine: ProcessEngine, instance_id: int) -> None:
    engine.complete(first_open_task(engine, instance_id), actor=ACTOR, data=AGAIN)


def loop_growth(engine: ProcessEngine, process_id: str, xml: str, iterations: int, samples: int) -> Growth | str:
    """Measure the growth ratio; return the refusal text when the engine does not deploy the loop."""
    try:
        engine.deploy({f"{process_id}.bpmn": xml}, actor=ACTOR)
    except DefinitionError as err:
        return f"nicht bereitgestellt: {err.problems[0].message}"
    fresh_ids = [engine.start(process_id, actor=ACTOR) for _ in range(samples + 3)]
    fresh = measure([lambda i=i: _complete_next(engine, i) for i in fresh_ids], warmup=3)
    grown_id = engine.start(process_id, actor=ACTOR)
    for _ in range(iterations):
        _complete_next(engine, grown_id)
    with engine.db.reading() as session:
        row = session.get(ProcessInstance, grown_id)
        if row is None or row.status != "running":
            return f"nach {iterations} Runden {row.status if row else 'verschwunden'}: {row and row.error_message}"
        state_bytes = len(row.state.encode())
    grown = measure([lambda: _complete_next(engine, grown_id)] * samples)
    return Growth(fresh, grown, iterations, state_bytes)
