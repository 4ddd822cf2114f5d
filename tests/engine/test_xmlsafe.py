"""Untrusted XML is parsed without entities, DTDs or network, within a size limit."""

from __future__ import annotations

import pytest

from engine.bpmn.xmlsafe import parse_xml
from engine.core.errors import DefinitionError

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<definitions>&lol2;</definitions>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<definitions>&secret;</definitions>"""
PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY % remote SYSTEM "http://example.invalid/x.dtd"> %remote;]>
<definitions/>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE definitions SYSTEM "http://example.invalid/bpmn.dtd">
<definitions/>"""


def _refusal(data, name="a.bpmn", **kwargs):
    with pytest.raises(DefinitionError) as caught:
        parse_xml(data, name, **kwargs)
    [problem] = caught.value.problems
    return problem


def test_well_formed_bpmn_is_parsed():
    root = parse_xml(b'<definitions id="d"><process id="p"/></definitions>', "a.bpmn")
    assert root.get("id") == "d"


def test_text_with_an_encoding_declaration_is_parsed():
    root = parse_xml('<?xml version="1.0" encoding="ISO-8859-1"?><definitions name="Ä"/>', "a.bpmn")
    assert root.get("name") == "Ä"


@pytest.mark.parametrize("document", [BOMB, XXE, PARAMETER_ENTITY])
def test_entity_declarations_are_refused(document):
    problem = _refusal(document)
    assert "Entitäten" in problem.message or "DTD" in problem.message
    assert problem.file == "a.bpmn"


def test_external_dtd_is_refused():
    assert "externe DTD" in _refusal(EXTERNAL_DTD).message


def test_entity_bomb_is_refused_before_expansion():
    assert "ENTITY" in _refusal(BOMB).message


def test_oversized_file_is_refused():
    problem = _refusal(b"<definitions>" + b" " * 2000 + b"</definitions>", max_bytes=1000)
    assert "zu groß" in problem.message


def test_syntax_error_names_file_and_line():
    problem = _refusal(b"<definitions>\n<process>\n</definitions>", "kaputt.bpmn")
    assert problem.file == "kaputt.bpmn"
    assert problem.line == 3
    assert "kein gültiges XML" in problem.message


def test_empty_file_is_refused():
    assert "leer" in _refusal(b"  ").message
