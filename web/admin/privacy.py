"""Data protection for the administrators and the data-protection officer: alerts, erasures, access logs."""

from __future__ import annotations

import csv
import io

from flask import Response, render_template, request

from engine import audit
from web.admin import bp
from web.security import record, roles_required, services
from workflows import retention

ACCESS_LOG_COLUMNS = ("at", "actor", "action", "case_ref", "instance_id", "task_id", "legal_basis")


@bp.route("/datenschutz")
@roles_required("admin")
def privacy():
    """Show refusal alerts, the deletion records and the access-log export form."""
    with services().db.reading() as session:
        alerts = audit.refusal_bursts(session)
        records = retention.deletion_records(session)
    return render_template("admin/privacy.html", alerts=alerts, records=records)


@bp.route("/datenschutz/zugriffe.csv")
@roles_required("admin")
def access_log():
    """Export who read or changed what of one case and when (Art. 15 GDPR), as CSV; the export is audited."""
    case_ref = (request.args.get("fall") or "").strip()[:100]
    with services().db.reading() as session:
        events = audit.case_accesses(session, case_ref) if case_ref else []
        rows = [[str(getattr(e, c) or "") for c in ACCESS_LOG_COLUMNS] for e in events]
    record("access_log_exported", case_ref=case_ref or None, rows=len(rows))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(ACCESS_LOG_COLUMNS)
    writer.writerows(rows)
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = "attachment; filename=zugriffsprotokoll.csv"
    response.headers["Cache-Control"] = "no-store"
    return response
