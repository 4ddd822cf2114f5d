"""Files are read in the encoding their XML declaration names; a wrong byte names file and line."""

from __future__ import annotations

import pytest

from engine.bpmn.validation import validate_bundle
from engine.bpmn.xmlsafe import decode_xml, parse_xml
from engine.core.errors import DefinitionError
from engine.read import lists as queries
from tests.bpmn_builder import build, user


def latin1_diagram() -> bytes:
    text = build("grenze", [("start", "s"), user("pruefen", "Prüfung der Übergänge", "abh"), ("end", "e")],
                 [("s", "pruefen"), ("pruefen", "e")])
    body = text.split("?>", 1)[1] if text.startswith("<?xml") else text
    return ('<?xml version="1.0" encoding="ISO-8859-1"?>' + body).encode("iso-8859-1")


def test_an_iso_8859_1_file_is_read_as_declared():
    root = parse_xml(latin1_diagram(), "grenze.bpmn")
    names = [node.get("name") for node in root.iter() if node.get("id") == "pruefen"]
    assert names == ["Prüfung der Übergänge"]


def test_an_iso_8859_1_file_passes_validation_with_its_umlauts():
    assert [p for p in validate_bundle({"grenze.bpmn": latin1_diagram()}) if p.severity == "error"] == []


def test_a_utf_16_file_with_byte_order_mark_is_read():
    text = '<?xml version="1.0" encoding="UTF-16"?><definitions name="Übergang"/>'
    assert parse_xml(text.encode("utf-16"), "a.bpmn").get("name") == "Übergang"


def test_a_latin_1_byte_in_a_utf_8_file_is_refused_naming_file_and_line():
    raw = '<?xml version="1.0" encoding="UTF-8"?>\n<definitions>\n<x name="Prüfung"/></definitions>'
    with pytest.raises(DefinitionError) as caught:
        decode_xml(raw.encode("iso-8859-1"), "kaputt.bpmn")
    [problem] = caught.value.problems
    assert (problem.file, problem.line) == ("kaputt.bpmn", 3)
    assert "»utf-8«" in problem.message and "0xFC" in problem.message


def test_an_unknown_declared_encoding_is_refused_naming_the_file():
    raw = b'<?xml version="1.0" encoding="KLINGONISCH-8"?><definitions/>'
    problems = validate_bundle({"fremd.bpmn": raw})
    assert [(p.file, "»klingonisch-8«" in p.message) for p in problems] == [("fremd.bpmn", True)]


def test_a_latin_1_file_deploys_and_its_task_keeps_the_umlauts(engine, system, db):
    engine.deploy({"grenze.bpmn": latin1_diagram()}, actor=system)
    instance_id = engine.start("grenze", actor=system)
    with db.reading() as session:
        assert [t.name for t in queries.open_tasks(session, instance_id=instance_id)] == ["Prüfung der Übergänge"]
