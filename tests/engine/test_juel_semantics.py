"""JUEL conditions route with EL semantics: coerced comparisons, null-safe properties and `empty`."""

import pytest
from sqlalchemy import select

from engine.read import lists as queries
from engine.store.models import ProcessInstance
from tests.bpmn_builder import build, user


def _deploy_gateway(engine, system, condition: str) -> None:
    diagram = build("juel", [
        ("start", "s"), user("erfassen", "Erfassen", "sozialamt"), ("xor", "weiche", "flow_3"),
        user("ja", "Ja-Zweig", "sozialamt"), user("nein", "Nein-Zweig", "sozialamt"), ("end", "e1"), ("end", "e2"),
    ], [("s", "erfassen"), ("erfassen", "weiche"), ("weiche", "ja", condition), ("weiche", "nein"),
        ("ja", "e1"), ("nein", "e2")])
    engine.deploy({"juel.bpmn": diagram}, actor=system)


def _branch(engine, system, db, data: dict) -> str:
    instance_id = engine.start("juel", actor=system)
    with db.reading() as session:
        [task] = queries.open_tasks(session, instance_id=instance_id)
    engine.complete(task.id, actor=system, data=data)
    with db.reading() as session:
        [after] = queries.open_tasks(session, instance_id=instance_id)
        assert session.get(ProcessInstance, instance_id).status == "running"
    return after.element_id


@pytest.mark.parametrize(("condition", "data", "branch"), [
    ("${anzahl == 5}", {"anzahl": "5"}, "ja"),             # text and number compare as numbers
    ("${anzahl > 4}", {"anzahl": "10"}, "ja"),             # numerically, not "10" < "4" as text
    ("${betrag ge 1000.5}", {"betrag": "999"}, "nein"),
    ("${eilig == true}", {"eilig": "true"}, "ja"),         # text and boolean compare as booleans
    ("${eilig}", {"eilig": "TRUE"}, "ja"),
    ("${kennung == 42}", {"kennung": 42.0}, "ja"),
    ("${art != null}", {"art": None}, "nein"),
    ("${art < 'm'}", {"art": None}, "nein"),               # null is never ordered
    ("${anzahl + 1 > 5}", {"anzahl": "5"}, "ja"),          # EL + adds numbers
])
def test_juel_comparisons_coerce_like_camunda(engine, system, db, condition, data, branch):
    _deploy_gateway(engine, system, condition)
    assert _branch(engine, system, db, data) == branch


@pytest.mark.parametrize(("data", "branch"), [
    ({"person": {"adresse": {"ort": "Neuss"}}}, "ja"),
    ({"person": {"adresse": {"ort": "Dormagen"}}}, "nein"),
    ({"person": {}}, "nein"),                 # a missing key is null, not a KeyError
    ({"person": None}, "nein"),               # a property of null is null
    ({"person": {"adresse": None}}, "nein"),
])
def test_property_access_on_missing_keys_and_null_gives_null(engine, system, db, data, branch):
    _deploy_gateway(engine, system, "${person.adresse.ort == 'Neuss'}")
    assert _branch(engine, system, db, data) == branch


@pytest.mark.parametrize(("data", "branch"), [
    ({"nachweise": []}, "ja"),
    ({"nachweise": ["Pass"]}, "nein"),
    ({"nachweise": None}, "ja"),
    ({"nachweise": ""}, "ja"),
    ({"nachweise": 0}, "nein"),               # 0 is a value, not empty
])
def test_empty_is_true_for_null_blank_text_and_empty_lists(engine, system, db, data, branch):
    _deploy_gateway(engine, system, "${empty nachweise}")
    assert _branch(engine, system, db, data) == branch


def test_empty_on_a_missing_property_is_true(engine, system, db):
    _deploy_gateway(engine, system, "${empty antrag.anlagen}")
    assert _branch(engine, system, db, {"antrag": {"nummer": 1}}) == "ja"


def test_plain_python_conditions_keep_python_semantics(engine, system, db):
    _deploy_gateway(engine, system, "anzahl == 5")
    assert _branch(engine, system, db, {"anzahl": "5"}) == "nein"


def test_text_that_is_no_number_fails_as_an_incident_instead_of_routing(engine, system, db):
    _deploy_gateway(engine, system, "${anzahl > 4}")
    instance_id = engine.start("juel", actor=system)
    with db.reading() as session:
        [task] = queries.open_tasks(session, instance_id=instance_id)
    engine.complete(task.id, actor=system, data={"anzahl": "viele"})
    with db.reading() as session:
        row = session.scalars(select(ProcessInstance).where(ProcessInstance.id == instance_id)).one()
        assert row.status == "error"
