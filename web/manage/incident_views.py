"""One incident: the error in words, the data involved (admins), retry, retry with a corrected value, skip."""

from __future__ import annotations

import json

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine import SKIP_REASONS, KimflowError, NotFound, monitoring
from web.manage import MANAGERS, bp
from web.manage.plain_errors import in_words
from web.security import current_actor, record, roles_required, services

SKIP_LABELS = {"done_elsewhere": _l("Wurde außerhalb des Systems erledigt"),
               "not_needed": _l("Wird in diesem Fall nicht gebraucht"),
               "data_corrected_elsewhere": _l("Daten wurden an anderer Stelle berichtigt"),
               "other": _l("Anderer Grund (bitte erläutern)")}
assert set(SKIP_LABELS) == set(SKIP_REASONS), "every reason code the engine knows has a label"


def _load(instance_id: int, incident_id: int):
    try:
        with services().db.reading() as session:
            detail = monitoring.instance_detail(session, instance_id)
    except NotFound:
        abort(404)
    incident = next((i for i in detail.incidents if i.id == incident_id), None)
    if incident is None:
        abort(404)
    return detail, incident


def _is_admin() -> bool:
    return current_actor().is_admin


@bp.get("/instances/<int:instance_id>/incidents/<int:incident_id>")
@roles_required(*MANAGERS)
def incident(instance_id: int, incident_id: int):
    """Show one incident: what went wrong in words, since when, the data involved (admins) and what can be done."""
    detail, found = _load(instance_id, incident_id)
    data = dict(found.data or {}) if _is_admin() else None
    record("incident_viewed", instance_id=instance_id, case_ref=detail.instance.case_ref, incident=incident_id,
           data_shown=data is not None)
    names = services().engine.element_names(detail.instance.process_id, detail.instance.version)
    return render_template("manage/incident.html", d=detail, inc=found, message=in_words(found.message), data=data,
                           is_admin=_is_admin(), skip_labels=SKIP_LABELS, step=names.get(found.element_id or "", ""))


def _typed(text: str) -> object:
    """Read a corrected value as a number or true/false where it is one, else as text."""
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return value if isinstance(value, int | float | bool) else text


def report_outcome(instance_id: int, status: str, done: str) -> int | None:
    """Flash what really happened after a retry or skip; return the new incident's id when it failed again."""
    if status == "error":
        with services().db.reading() as session:
            detail = monitoring.instance_detail(session, instance_id)
        flash(_("%(done)s, aber der Vorgang ist wieder fehlgeschlagen: %(error)s", done=done,
                error=in_words(detail.error_message)), "error")
        return max((i.id for i in detail.incidents if i.resolved_at is None), default=None)
    elif status == "running":
        flash(_("%(done)s: der Vorgang läuft wieder.", done=done), "success")
    elif status == "completed":
        flash(_("%(done)s: der Vorgang ist damit beendet.", done=done), "success")
    else:
        flash(_("%(done)s: der Vorgang hat jetzt den Stand „%(status)s“.", done=done, status=status), "success")
    return None


def retry_with(instance_id: int, reason: str) -> int | None:
    """Retry, with a corrected value when the form carries one; report the outcome, return a new incident's id."""
    field = request.form.get("field", "").strip()
    data = {field: _typed(request.form.get("value", ""))} if field else None
    status = services().engine.retry(instance_id, actor=current_actor(), data=data, reason=reason)
    return report_outcome(instance_id, status, _("Erneut ausgeführt"))


@bp.post("/instances/<int:instance_id>/incidents/<int:incident_id>/retry")
@roles_required(*MANAGERS)
def incident_retry(instance_id: int, incident_id: int):
    """Run the failed step again, optionally with a corrected value."""
    _load(instance_id, incident_id)
    reason = request.form.get("reason", "").strip()
    if not reason:
        flash(_("Bitte eine Begründung angeben; sie wird protokolliert."), "error")
    else:
        try:
            incident_id = retry_with(instance_id, reason) or incident_id
        except KimflowError as err:
            flash(str(err) or _("Aktion nicht möglich."), "error")
    return redirect(url_for("manage.incident", instance_id=instance_id, incident_id=incident_id))


@bp.post("/instances/<int:instance_id>/incidents/<int:incident_id>/skip")
@roles_required("admin")
def incident_skip(instance_id: int, incident_id: int):
    """Complete the failing step without running it (administrators), with a reason code and a comment."""
    _load(instance_id, incident_id)
    code = request.form.get("reason_code", "")
    comment = request.form.get("reason", "").strip()
    if code not in SKIP_REASONS or (code == "other" and not comment):
        flash(_("Bitte einen Grund auswählen; bei „Anderer Grund“ auch eine Erläuterung."), "error")
        return redirect(url_for("manage.incident", instance_id=instance_id, incident_id=incident_id))
    try:
        status = services().engine.skip(instance_id, actor=current_actor(), reason_code=code, reason=comment)
    except KimflowError as err:
        flash(str(err) or _("Aktion nicht möglich."), "error")
    else:
        incident_id = report_outcome(instance_id, status, _("Schritt übersprungen")) or incident_id
    return redirect(url_for("manage.incident", instance_id=instance_id, incident_id=incident_id))
