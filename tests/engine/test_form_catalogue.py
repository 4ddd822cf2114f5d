"""Case data is shown in the designers' words: field labels, choice names, Ja/Nein, German dates."""

from engine.read.form_catalogue import display_value, field_catalogue
from tests.bpmn_builder import build, user


def test_the_catalogue_knows_labels_and_choices_of_deployed_forms(engine, system, db):
    diagram = build("p", [("start", "s"), user("t", "Erfassen", "abh", [
        ("work_status", "enum", "Erwerbsstatus", None, {"employed": "beschäftigt", "none": "ohne Arbeit"}),
        ("identity_clarified", "boolean", "Identität geklärt"),
        ("residence_expiry", "date", "Aufenthaltstitel gültig bis")]), ("end", "e")], [("s", "t"), ("t", "e")])
    engine.deploy({"p.bpmn": diagram}, actor=system)
    with db.reading() as session:
        catalogue = field_catalogue(session, engine.library)
    assert catalogue["work_status"].label == "Erwerbsstatus"
    assert display_value(catalogue["work_status"], "employed") == "beschäftigt"
    assert display_value(catalogue["identity_clarified"], False) == "Nein"
    assert display_value(catalogue["residence_expiry"], "2028-06-08") == "08.06.2028"
    assert display_value(None, None) == "–"
