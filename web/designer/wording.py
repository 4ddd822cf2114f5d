"""Word the engine's migration verdicts and diff codes in the user's language on the designer pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

# Element kinds of the diff (the engine's spec class names) and the codes of what changed in an element.
KINDS = {
    "UserTask": _l("Aufgabe"), "ManualTask": _l("Aufgabe"), "ServiceTask": _l("Automatischer Schritt"),
    "ScriptTask": _l("Skript"), "BusinessRuleTask": _l("Entscheidung"), "SendTask": _l("Nachricht senden"),
    "ReceiveTask": _l("Nachricht empfangen"), "ExclusiveGateway": _l("Verzweigung"),
    "ParallelGateway": _l("Parallelisierung"), "InclusiveGateway": _l("Verzweigung (mehrere Wege)"),
    "EventBasedGateway": _l("Warten auf ein Ereignis"), "StartEvent": _l("Start"), "EndEvent": _l("Ende"),
    "IntermediateCatchEvent": _l("Zwischenereignis"), "IntermediateThrowEvent": _l("Zwischenereignis"),
    "BoundaryEvent": _l("Randereignis (Frist, Nachricht)"), "SubWorkflowTask": _l("Teilprozess"),
    "CallActivity": _l("Aufgerufener Prozess"), "SequenceFlow": _l("Verbindung"),
}
CHANGES = {
    "outputs": _l("ausgehende Flüsse"), "inputs": _l("eingehende Flüsse"), "cond_task_specs": _l("Bedingungen"),
    "default_task_spec": _l("Standardfluss"), "event_definition": _l("Ereignis (Timer, Nachricht, Fehler)"),
    "extensions": _l("Eigenschaften (Zuständigkeit, Fristen, Priorität, Formular)"), "form": _l("Formular"),
    "script": _l("Skript"), "bpmn_name": _l("Name"), "lane": _l("Lane / Stelle"), "bpmn_id": _l("ID"),
    "typename": _l("Elementtyp"), "documentation": _l("Dokumentation"), "condition": _l("Bedingung"),
    "source": _l("Quelle"), "target": _l("Ziel"), "cancel_activity": _l("unterbrechend"),
}
MIGRATION_STATUSES = {"running": _l("läuft"), "suspended": _l("angehalten"), "error": _l("gestört")}

_REASONS: dict[str, Callable[..., str]] = {
    "subprocess_removed": lambda name: _("Der Teilprozess »%(name)s« läuft gerade und fehlt in der neuen Version.",
                                         name=name),
    "subprocess_changed": lambda name: _("Der Teilprozess »%(name)s« läuft gerade und wurde geändert; das lässt "
                                         "sich nicht sicher übertragen.", name=name),
    "current_step_removed": lambda name, version: _(
        "Der Vorgang steht an »%(name)s«; das gibt es in Version %(version)s nicht mehr.", name=name, version=version),
    "completed_step_removed": lambda name, version: _(
        "Der Vorgang hat »%(name)s« schon durchlaufen; das fehlt in Version %(version)s, der Verlauf ließe sich "
        "nicht mehr lesen.", name=name, version=version),
    "cancelled_step_removed": lambda name, version: _(
        "Der Vorgang hat »%(name)s« abgebrochen; das fehlt in Version %(version)s, der Verlauf ließe sich nicht "
        "mehr lesen.", name=name, version=version),
    "planned_step_removed": lambda name, version: _("Der geplante Schritt »%(name)s« fehlt in Version %(version)s.",
                                                    name=name, version=version),
    "not_running": lambda status: _("Nur laufende Vorgänge können umziehen; dieser ist %(status)s.",
                                    status=MIGRATION_STATUSES.get(status, status)),
    "unsafe": lambda: _("Die Engine kann den Verlauf dieses Vorgangs nicht sicher auf die neue Version übertragen."),
    "changed_meanwhile": lambda: _("Der Vorgang wurde gleichzeitig geändert; bitte erneut versuchen."),
    "other_process": lambda: _("Dieser Vorgang gehört nicht zu diesem Prozess."),
    "already_moved": lambda version: _("Der Vorgang ist schon auf Version %(version)s.", version=version),
    "refused": lambda message: message,  # an engine error's own text
}


def migration_reason(reason: Any) -> str:
    """Return the engine's verdict on moving an instance (a code with parameters) in the user's language."""
    say = _REASONS.get(reason.code)
    return say(**reason.values) if say else str(reason)


def entry_name(entry: dict) -> str:
    """Return a diff entry's name; an unnamed flow is named by its ends in the user's language."""
    ends = entry.get("flow_ends")
    if ends:
        return _("Fluss von »%(source)s« nach »%(target)s«", source=ends[0], target=ends[1])
    return str(entry["name"])


def entry_details(entry: dict) -> list[str]:
    """Return what changed in a diff entry, in the user's language."""
    words = [str(CHANGES.get(code, code)) for code in entry.get("changes", [])]
    if entry.get("renamed_from"):
        words.append(_("vorher »%(old)s«", old=entry["renamed_from"]))
    return words


def diff_data(diff: dict) -> dict:
    """Return a version diff (as_dict) with names, kinds and changes worded in the user's language."""
    return {key: [{**entry, "name": entry_name(entry), "kind_label": str(KINDS.get(entry["kind"], _("Element"))),
                   "details": entry_details(entry)} for entry in entries]
            for key, entries in diff.items()}


def register(bp: Blueprint) -> None:
    """Register the filters the designer templates use."""
    bp.add_app_template_filter(migration_reason, "migration_reason")
    bp.add_app_template_global(diff_data, "diff_data")
