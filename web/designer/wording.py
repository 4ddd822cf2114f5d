"""Put the engine's German verdicts and diff labels into the user's language on the designer pages."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Blueprint
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

# The engine's fixed words for element kinds and changed properties (engine/bpmn/version_diff.py), listed here
# so the catalogue carries them; the filters below look them up at render time.
DIFF_WORDS = (
    _l("Aufgabe"), _l("Automatischer Schritt"), _l("Skript"), _l("Entscheidung"), _l("Nachricht senden"),
    _l("Nachricht empfangen"), _l("Verzweigung"), _l("Parallelisierung"), _l("Verzweigung (mehrere Wege)"),
    _l("Warten auf ein Ereignis"), _l("Start"), _l("Ende"), _l("Zwischenereignis"),
    _l("Randereignis (Frist, Nachricht)"), _l("Teilprozess"), _l("Aufgerufener Prozess"), _l("Verbindung"),
    _l("Element"), _l("ausgehende Flüsse"), _l("eingehende Flüsse"), _l("Bedingungen"), _l("Standardfluss"),
    _l("Ereignis (Timer, Nachricht, Fehler)"), _l("Eigenschaften (Zuständigkeit, Fristen, Priorität, Formular)"),
    _l("Formular"), _l("Name"), _l("Lane / Stelle"), _l("ID"), _l("Elementtyp"), _l("Dokumentation"),
    _l("Bedingung"), _l("Quelle"), _l("Ziel"), _l("unterbrechend"),
)
MIGRATION_STATUSES = {"running": _l("läuft"), "suspended": _l("angehalten"), "error": _l("gestört")}
_GERMAN_STATUS = {"läuft": "running", "angehalten": "suspended", "gestört": "error"}

_REASONS: list[tuple[re.Pattern[str], Callable[..., str]]] = [
    (re.compile(r"^Der Teilprozess »(?P<name>.+)« läuft gerade und fehlt in der neuen Version\.$"),
     lambda name: _("Der Teilprozess »%(name)s« läuft gerade und fehlt in der neuen Version.", name=name)),
    (re.compile(r"^Der Teilprozess »(?P<name>.+)« läuft gerade und wurde geändert; "
                r"das lässt sich nicht sicher übertragen\.$"),
     lambda name: _("Der Teilprozess »%(name)s« läuft gerade und wurde geändert; das lässt sich nicht sicher "
                    "übertragen.", name=name)),
    (re.compile(r"^Der Vorgang steht an »(?P<name>.+)«; das gibt es in Version (?P<version>\d+) nicht mehr\.$"),
     lambda name, version: _("Der Vorgang steht an »%(name)s«; das gibt es in Version %(version)s nicht mehr.",
                             name=name, version=version)),
    (re.compile(r"^Der Vorgang hat »(?P<name>.+)« schon durchlaufen; das fehlt in Version (?P<version>\d+), "
                r"der Verlauf ließe sich nicht mehr lesen\.$"),
     lambda name, version: _("Der Vorgang hat »%(name)s« schon durchlaufen; das fehlt in Version %(version)s, der "
                             "Verlauf ließe sich nicht mehr lesen.", name=name, version=version)),
    (re.compile(r"^Der Vorgang hat »(?P<name>.+)« abgebrochen; das fehlt in Version (?P<version>\d+), "
                r"der Verlauf ließe sich nicht mehr lesen\.$"),
     lambda name, version: _("Der Vorgang hat »%(name)s« abgebrochen; das fehlt in Version %(version)s, der "
                             "Verlauf ließe sich nicht mehr lesen.", name=name, version=version)),
    (re.compile(r"^Der geplante Schritt »(?P<name>.+)« fehlt in Version (?P<version>\d+)\.$"),
     lambda name, version: _("Der geplante Schritt »%(name)s« fehlt in Version %(version)s.", name=name,
                             version=version)),
    (re.compile(r"^Nur laufende Vorgänge können umziehen; dieser ist (?P<status>.+)\.$"),
     lambda status: _("Nur laufende Vorgänge können umziehen; dieser ist %(status)s.",
                      status=MIGRATION_STATUSES.get(_GERMAN_STATUS.get(status, ""), status))),
]
_FLOW = re.compile(r"^Fluss von »(?P<source>.*)« nach »(?P<target>.*)«$")
_BEFORE = re.compile(r"^vorher »(?P<old>.*)«$")


def migration_reason(text: str) -> str:
    """Return the engine's German verdict on moving an instance in the user's language."""
    for pattern, say in _REASONS:
        found = pattern.match(text)
        if found:
            return say(**found.groupdict())
    return text


def diff_text(text: str, name: bool = False) -> str:
    """Return an element kind, a changed property or a generated flow name of the diff in the user's language."""
    flow = _FLOW.match(text)
    if flow:
        return _("Fluss von »%(source)s« nach »%(target)s«", **flow.groupdict())
    before = _BEFORE.match(text)
    if before:
        return _("vorher »%(old)s«", **before.groupdict())
    return text if name else _(text)


def diff_data(diff: dict) -> dict:
    """Return a version diff (as_dict) with its kinds, properties and flow names in the user's language."""
    return {key: [{**entry, "name": diff_text(entry["name"], name=True), "kind_label": diff_text(entry["kind_label"]),
                   "details": [diff_text(detail) for detail in entry["details"]]} for entry in entries]
            for key, entries in diff.items()}


def register(bp: Blueprint) -> None:
    """Register the filters the designer templates use."""
    bp.add_app_template_filter(migration_reason, "migration_reason")
    bp.add_app_template_filter(diff_text, "diff_text")
    bp.add_app_template_global(diff_data, "diff_data")
