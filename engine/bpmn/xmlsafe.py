"""Parse untrusted BPMN/DMN XML without external entities, entity expansion or network access."""

from __future__ import annotations

import codecs
import re

from lxml import etree

from engine.core.errors import DefinitionError, Problem

MAX_BYTES = 5 * 1024 * 1024
DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']""")
BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


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


def declared_encoding(raw: bytes) -> str:
    """Return the encoding a byte order mark or the XML declaration names; UTF-8 when none does."""
    for bom, encoding in BOMS:
        if raw.startswith(bom):
            return encoding
    match = DECLARED.match(raw[:500])
    return match.group(1).decode("ascii").lower() if match else "utf-8"


def decode_xml(raw: bytes | str, filename: str | None = None) -> str:
    """Return the text of an XML file read in its declared encoding; refuse it naming the file otherwise."""
    if isinstance(raw, str):
        return raw
    encoding = declared_encoding(raw)
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise _refuse(filename, f"Die Datei deklariert die unbekannte Zeichenkodierung »{encoding}«; bitte als "
                                "UTF-8 speichern.", 1) from None
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise _refuse(filename, f"Die Datei ist nicht in der deklarierten Zeichenkodierung »{encoding}« gespeichert "
                                f"(Byte 0x{raw[exc.start]:02X} in Zeile {line}); bitte die Datei in dieser "
                                "Kodierung speichern oder die Kodierung in der XML-Deklaration korrigieren.",
                      line) from None


def parse_xml(data: bytes | str, filename: str | None = None, *,
              max_bytes: int = MAX_BYTES) -> etree._Element:
    """Parse one XML document safely and return its root; raise DefinitionError with a German message."""
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if len(raw) > max_bytes:
        raise _refuse(filename, f"Die Datei ist zu groß ({len(raw) / 1024 / 1024:.1f} MB); "
                                f"erlaubt sind höchstens {max_bytes / 1024 / 1024:.0f} MB.")
    if not raw.strip():
        raise _refuse(filename, "Die Datei ist leer.")
    # Decoding first names the file and line of a wrong byte instead of a bare codec message.
    raw = _declare_utf8(decode_xml(data, filename).encode("utf-8"))
    try:
        root = etree.fromstring(raw, _parser())
    except etree.XMLSyntaxError as exc:
        raise _refuse(filename, f"Die Datei ist kein gültiges XML: {exc.msg}", exc.lineno or None)
    _check_doctype(root, filename)
    return root
