"""Parse untrusted BPMN/DMN XML without external entities, entity expansion or network access."""

from __future__ import annotations

from lxml import etree

from engine.core.errors import DefinitionError, Problem

MAX_BYTES = 5 * 1024 * 1024


def _parser() -> etree.XMLParser:
    """Return a fresh lxml parser that never resolves entities, loads DTDs or touches the network."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False)


def _refuse(filename: str | None, message: str, line: int | None = None) -> DefinitionError:
    return DefinitionError([Problem(message, file=filename, line=line)])


def _check_doctype(root: etree._Element, filename: str | None) -> None:
    """Refuse documents that declare entities or point to an external DTD."""
    docinfo = root.getroottree().docinfo
    dtd = docinfo.internalDTD
    if dtd is not None and list(dtd.entities()):
        raise _refuse(filename, "Die Datei deklariert XML-Entitäten (DOCTYPE mit ENTITY). Das ist aus "
                                "Sicherheitsgründen nicht erlaubt; bitte die Datei ohne DOCTYPE speichern.")
    if docinfo.system_url or docinfo.public_id:
        raise _refuse(filename, "Die Datei verweist auf eine externe DTD. Das ist aus Sicherheitsgründen "
                                "nicht erlaubt; bitte die Datei ohne DOCTYPE speichern.")


def _declare_utf8(raw: bytes) -> bytes:
    """Replace the encoding named in an XML declaration by UTF-8 (str input was encoded as UTF-8)."""
    end = raw.find(b"?>")
    head = raw[:end] if end >= 0 else b""
    for quote in (b'"', b"'"):
        start = head.find(b"encoding=" + quote)
        if start >= 0:
            stop = head.find(quote, start + len(b"encoding=") + 1)
            return head[:start] + b"encoding=" + quote + b"UTF-8" + head[stop:] + raw[end:]
    return raw


def parse_xml(data: bytes | str, filename: str | None = None, *,
              max_bytes: int = MAX_BYTES) -> etree._Element:
    """Parse one XML document safely and return its root; raise DefinitionError with a German message."""
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if len(raw) > max_bytes:
        raise _refuse(filename, f"Die Datei ist zu groß ({len(raw) / 1024 / 1024:.1f} MB); "
                                f"erlaubt sind höchstens {max_bytes / 1024 / 1024:.0f} MB.")
    if not raw.strip():
        raise _refuse(filename, "Die Datei ist leer.")
    if isinstance(data, str):
        raw = _declare_utf8(raw)
    try:
        root = etree.fromstring(raw, _parser())
    except etree.XMLSyntaxError as exc:
        raise _refuse(filename, f"Die Datei ist kein gültiges XML: {exc.msg}", exc.lineno or None)
    _check_doctype(root, filename)
    return root
