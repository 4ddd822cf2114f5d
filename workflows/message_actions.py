"""What arrives from outside: the messages a case's instances wait for, each with its payload form, and delivery.

A catch event in BPMN has no form of its own, so the payload forms of the KIM messages are declared here, in the
words of the diagrams' tests and scenarios (work_permit reads agency_response.consent; kim_case status_event.event).
A message without a declared form is still offered, with a free note only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.bpmn.forms import Form, FormField
from engine.core.actors import Actor
from engine.core.errors import FormErrors, NotFound
from engine.store import audit
from engine.store.models import DefinitionVersion, MessageSubscription, ProcessInstance

if TYPE_CHECKING:
    from engine.service.engine import ProcessEngine

OFFICE_OPTIONS = [("abh", "Ausländerbehörde"), ("jobcenter", "Jobcenter"), ("sozialamt", "Sozialamt"),
                  ("ebh", "Einbürgerungsbehörde"), ("other", "andere Stelle")]


def _note(required: bool = False, label: str = "Vermerk") -> FormField:
    return FormField("note", label, "string", required=required, maxlength=2000)


@dataclass(frozen=True)
class MessageForm:
    """How people record one message: the action's name and the payload's fields."""

    action: str
    fields: tuple[FormField, ...]

    def form(self) -> Form:
        return Form(key=None, fields=list(self.fields))


MESSAGE_FORMS: dict[str, MessageForm] = {
    "agency_consent_response": MessageForm("Antwort der Bundesagentur erfassen", (
        FormField("consent", "Zustimmung der Bundesagentur", "enum", required=True,
                  options=[("granted", "erteilt"), ("refused", "versagt")]),
        FormField("reference", "Geschäftszeichen der Bundesagentur", "string", maxlength=60),
        FormField("received_on", "Eingegangen am", "date"))),
    "case_status_changed": MessageForm("Statusänderung melden", (
        FormField("event", "Was hat sich geändert?", "enum", required=True, options=[
            ("protection_granted", "Schutzstatus zuerkannt"), ("permit_expiring", "Aufenthaltstitel läuft ab"),
            ("job_found", "Arbeit gefunden"), ("job_lost", "Arbeit verloren"),
            ("moved_within_district", "Umzug im Kreis"), ("course_finished", "Kurs abgeschlossen"),
            ("other", "Sonstiges")]),
        FormField("changed_on", "Seit", "date"))),
    "structural_problem_reported": MessageForm("Strukturproblem melden", (
        FormField("problem_office", "Betroffene Stelle", "enum", required=True, options=OFFICE_OPTIONS),
        FormField("problem_category", "Kategorie", "enum", required=True, options=[
            ("waiting_time", "Wartezeiten"), ("interface", "Schnittstelle / Zuständigkeit"),
            ("benefit_gap", "Leistungslücke"), ("information", "Informationsfluss"),
            ("language", "Sprachmittlung"), ("legal", "Rechtslage"), ("other", "Sonstiges")]),
        FormField("text", "Beschreibung (ohne Namen)", "string", required=True, maxlength=2000))),
}


@dataclass(frozen=True)
class Waiting:
    """One message an instance waits for, as an action people can take."""

    instance_id: int
    process_id: str
    process_name: str
    case_ref: str | None
    business_key: str | None
    message: str
    element_id: str
    action: str
    form: Form


def message_form(message: str) -> MessageForm:
    """Return the payload form of a message (a free note when none is declared)."""
    return MESSAGE_FORMS.get(message) or MessageForm(f"Nachricht »{message}« erfassen", (_note(),))


def waiting(session: Session, *, case_ref: str | None = None, instance_id: int | None = None) -> list[Waiting]:
    """Return the messages the running instances of a case (or one instance) wait for."""
    query = (select(MessageSubscription.instance_id, MessageSubscription.message_name, MessageSubscription.element_id,
                    ProcessInstance.process_id, ProcessInstance.case_ref, ProcessInstance.business_key,
                    DefinitionVersion.name)
             .join(ProcessInstance, ProcessInstance.id == MessageSubscription.instance_id)
             .join(DefinitionVersion, DefinitionVersion.id == ProcessInstance.definition_version_id)
             .where(ProcessInstance.status == "running")
             .order_by(MessageSubscription.instance_id, MessageSubscription.id))
    if case_ref is not None:
        query = query.where(ProcessInstance.case_ref == case_ref)
    if instance_id is not None:
        query = query.where(ProcessInstance.id == instance_id)
    result = []
    for iid, message, element, process_id, ref, key, name in session.execute(query):
        form = message_form(message)
        result.append(Waiting(iid, process_id, name or process_id, ref, key, message, element, form.action,
                              form.form()))
    return result


def deliver(engine: ProcessEngine, instance_id: int, message: str, raw: Mapping[str, Any], *,
            actor: Actor) -> list[int]:
    """Validate the payload against the message's form and correlate it to the instance that waits for it."""
    clean, errors = message_form(message).form().validate(raw)
    if errors:
        raise FormErrors(errors=errors)
    with engine.db.unit_of_work() as session:
        target = next((w for w in waiting(session, instance_id=instance_id) if w.message == message), None)
        if target is None:
            raise NotFound(f"Vorgang {instance_id} wartet nicht auf »{message_form(message).action}«")
        payload = {k: v for k, v in clean.items() if v not in (None, "")}
        # The case narrows the receivers to this person's instances; without a case, the business key does.
        ids = engine.correlate(message, actor=actor, payload=payload, case_ref=target.case_ref,
                               business_key=None if target.case_ref else target.business_key)
        audit.record(session, actor.name, "message_recorded", instance_id=instance_id, case_ref=target.case_ref,
                     message=message, fields=sorted(payload))
        return ids
