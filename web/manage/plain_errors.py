"""Say what went wrong in words a clerk or manager understands, never as a Python exception or repr."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask_babel import gettext as _

# "ZeroDivisionError: division by zero." as the engine records a failing script or expression.
_PYTHON_ERROR = re.compile(r"\b(?P<kind>[A-Z][A-Za-z]*(?:Error|Exception))\b:?\s*(?P<text>.*)", re.S)
_QUOTED = re.compile(r"'([^']{1,80})'")
_OBJECT = re.compile(r"<[^<>]* (?:object|at 0x)[^<>]*>")
_SERVICE_FAILED = re.compile(r"^Serviceaufgabe '(?P<element>[^']+)' fehlgeschlagen: (?P<rest>.*)$", re.S)
_NO_HANDLER = re.compile(
    r"^Für die Serviceaufgabe '(?P<element>[^']+)' ist kein Handler '(?P<topic>[^']*)' registriert")
_STALL = "stiller Stillstand"


def _first_quoted(text: str) -> str:
    found = _QUOTED.search(text)
    return found.group(1) if found else ""


def _name_error(text: str) -> str:
    return _("Der Wert „%(name)s“ fehlt in den Prozessdaten.", name=_first_quoted(text))


def _key_error(text: str) -> str:
    return _("Der Eintrag „%(name)s“ fehlt in den Daten.", name=_first_quoted(text))


def _value_error(text: str) -> str:
    if "invalid literal" in text or "could not convert" in text:
        return _("Der Wert „%(value)s“ ist keine gültige Zahl.", value=_first_quoted(text))
    return _("Ein Wert liegt außerhalb dessen, was dieser Schritt verarbeiten kann.")


def _type_error(_text: str) -> str:
    return _("Ein Wert hat die falsche Art, zum Beispiel Text, wo eine Zahl erwartet wird.")


def _zero_division(_text: str) -> str:
    return _("Eine Berechnung hat durch null geteilt; ein Wert, durch den geteilt wird, ist 0.")


def _attribute_error(_text: str) -> str:
    return _("Ein Wert hat nicht die erwartete Form (ein Feld darin fehlt).")


def _index_error(_text: str) -> str:
    return _("Eine Liste hat weniger Einträge, als dieser Schritt erwartet.")


_BY_KIND: dict[str, Callable[[str], str]] = {
    "NameError": _name_error, "KeyError": _key_error, "ValueError": _value_error, "TypeError": _type_error,
    "ZeroDivisionError": _zero_division, "AttributeError": _attribute_error, "IndexError": _index_error,
}


def _python_error(message: str) -> str | None:
    found = _PYTHON_ERROR.search(message)
    if found is None:
        return None
    explain = _BY_KIND.get(found.group("kind"))
    if explain is not None:
        return explain(found.group("text"))
    return _("Bei der Ausführung dieses Schritts ist ein technischer Fehler aufgetreten.")


def in_words(message: str | None) -> str:
    """Return the recorded error of an incident or job as a plain sentence in the user's language."""
    text = _OBJECT.sub("", message or "").strip()
    if not text:
        return _("Der Schritt ist ohne nähere Angabe fehlgeschlagen.")
    if _STALL in text:
        return _("Der Vorgang wartet auf nichts mehr, ist aber nicht beendet; er steht still.")
    handler = _NO_HANDLER.search(text)
    if handler:
        return _("Für den automatischen Schritt „%(element)s“ ist keine Anbindung „%(topic)s“ eingerichtet.",
                 element=handler.group("element"), topic=handler.group("topic"))
    service = _SERVICE_FAILED.search(text)
    if service:
        cause = _python_error(service.group("rest")) or _QUOTED.sub(r"„\1“", service.group("rest"))
        return _("Der automatische Schritt „%(element)s“ ist fehlgeschlagen: %(cause)s",
                 element=service.group("element"), cause=cause)
    explained = _python_error(text)
    if explained is not None:
        return explained
    return _QUOTED.sub(r"„\1“", text)
