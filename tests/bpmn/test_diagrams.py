"""Every diagram displays in bpmn-js, follows the engine's conventions and is accepted by the dialect."""

from pathlib import Path

import pytest
from lxml import etree

from engine.bpmn import dialect
from engine.store.models import DefinitionVersion

from .runner import BPMN_DIR, World

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "camunda": "http://camunda.org/schema/1.0/bpmn",
}
DIAGRAMS = sorted(BPMN_DIR.glob("*.bpmn"))
OFFICES = {"kim_cm", "kim_coord", "abh", "jobcenter", "sozialamt", "ebh"}
NODES = (
    "task",
    "userTask",
    "scriptTask",
    "serviceTask",
    "businessRuleTask",
    "startEvent",
    "endEvent",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "eventBasedGateway",
    "subProcess",
)


def _tree(path: Path):
    return etree.parse(str(path))


def _bounds(tree) -> dict[str, tuple[float, float, float, float]]:
    out = {}
    for shape in tree.iterfind(".//bpmndi:BPMNShape", NS):
        b = shape.find("dc:Bounds", NS)
        out[shape.get("bpmnElement")] = tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))
    return out


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.stem)
def test_every_node_has_a_shape_and_every_flow_an_edge(path):
    tree = _tree(path)
    shapes = _bounds(tree)
    nodes = [e.get("id") for name in NODES for e in tree.iterfind(f".//bpmn:{name}", NS)]
    assert nodes and set(nodes) <= set(shapes)
    edges = {
        e.get("bpmnElement"): e.findall("di:waypoint", NS) for e in tree.iterfind(".//bpmndi:BPMNEdge", NS)
    }
    for flow in tree.iterfind(".//bpmn:sequenceFlow", NS):
        assert len(edges[flow.get("id")]) >= 2


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.stem)
def test_top_level_shapes_do_not_overlap_and_sit_inside_their_lane(path):
    tree = _tree(path)
    shapes = _bounds(tree)
    top = [
        e
        for name in NODES
        if name != "boundaryEvent"
        for e in tree.iterfind(f".//bpmn:process/bpmn:{name}", NS)
    ]
    boxes = [shapes[e.get("id")] for e in top]
    for i, (x, y, w, h) in enumerate(boxes):
        for x2, y2, w2, h2 in boxes[i + 1 :]:
            assert x + w <= x2 or x2 + w2 <= x or y + h <= y2 or y2 + h2 <= y
    for lane in tree.iterfind(".//bpmn:lane", NS):
        lx, ly, lw, lh = shapes[lane.get("id")]
        for ref in lane.iterfind("bpmn:flowNodeRef", NS):
            x, y, w, h = shapes[ref.text]
            assert ly <= y and y + h <= ly + lh, ref.text


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.stem)
def test_lanes_are_named_after_offices_and_every_node_is_in_one(path):
    tree = _tree(path)
    lanes = tree.findall(".//bpmn:lane", NS)
    codes = {lane.get("name").rsplit("(", 1)[1].rstrip(")") for lane in lanes}
    assert codes <= OFFICES
    refs = [ref.text for lane in lanes for ref in lane.iterfind("bpmn:flowNodeRef", NS)]
    nodes = [e.get("id") for name in NODES for e in tree.iterfind(f".//bpmn:{name}", NS)]
    assert sorted(refs) == sorted(nodes)


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.stem)
def test_user_tasks_have_german_forms_and_no_reserved_ids(path):
    tree = _tree(path)
    for task in tree.iterfind(".//bpmn:userTask", NS):
        assert task.get(f"{{{NS['camunda']}}}formKey")
        fields = task.findall(".//camunda:formField", NS)
        assert fields, task.get("id")
        assert all(f.get("label") for f in fields)
    ids = {e.get("id") for e in tree.iter() if e.get("id")}
    assert not ids & {"Start", "End"}


def test_engine_dialect_accepts_the_whole_bundle():
    files = {p.name: p.read_bytes() for p in sorted(BPMN_DIR.glob("*.bpmn")) + sorted(BPMN_DIR.glob("*.dmn"))}
    bundle = dialect.parse_bundle(files, known_offices=OFFICES)
    assert sorted(bundle.process_ids) == ["benefit_transfer", "kim_case", "naturalisation", "work_permit"]
    assert bundle.warnings == []


def test_engine_deploys_every_process_of_the_library_once_with_its_message_starts(db):
    world = World.deployed(db, redeploy=True)
    with world.db.reading() as session:
        rows = {r.process_id: r for r in session.query(DefinitionVersion).filter_by(kind="process")}
    library = {p: rows[p] for p in ("benefit_transfer", "kim_case", "naturalisation", "work_permit")}
    assert {p: r.version for p, r in library.items()} == dict.fromkeys(library, 1)
    assert {p: r.message_starts for p, r in library.items()} == {
        "benefit_transfer": ["bamf_decision_served"],
        "kim_case": [],
        "naturalisation": ["naturalisation_requested"],
        "work_permit": ["work_permit_requested"],
    }
