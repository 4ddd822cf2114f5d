"""Steering report (page, print, CSV/XLSX exports) and the heatmap per process version."""

from __future__ import annotations

import datetime as dt

from flask import Response, abort, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _

from engine import NotFound, clock, heatmap
from web.manage import MANAGERS, bp
from web.security import record, roles_required, services
from workflows.steering import labels as report_labels
from workflows.steering import report as reports
from workflows.steering.exports import table_csv, tables_xlsx
from workflows.steering.model import Period

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period() -> Period:
    default = (clock.now().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    try:
        return Period.parse(request.args.get("period") or default)
    except ValueError:
        abort(404)


def _report() -> reports.SteeringReport:
    area = request.args.get("area") or None
    if area is not None and area not in report_labels.MUNICIPALITIES:
        abort(404)
    with services().db.reading() as session:
        return reports.steering_report(session, _period(), [area] if area else None, language=_language())


def _language() -> str:
    return str(get_locale())


def _definitions() -> list[str]:
    return report_labels.definitions(_language())


@bp.get("/report")
@roles_required(*MANAGERS)
def report():
    """Show the steering report of a month or quarter, with charts beside the tables."""
    steering = _report()
    return render_template("manage/report.html", report=steering, area=request.args.get("area", ""),
                           municipalities=report_labels.MUNICIPALITIES, definitions=_definitions(),
                           printing=request.args.get("print") == "1")


@bp.get("/report/<key>.csv")
@roles_required(*MANAGERS)
def report_csv(key: str):
    """Download one table of the steering report as CSV."""
    steering = _report()
    try:
        table = steering.table(key)
    except StopIteration:
        abort(404)
    record("report_exported", format="csv", table=key, period=steering.period.key, area=request.args.get("area"))
    name = f"steuerungsbericht_{steering.period.key}_{key}.csv"
    return Response(table_csv(table), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/report.xlsx")
@roles_required(*MANAGERS)
def report_xlsx():
    """Download every table of the steering report as one workbook."""
    steering = _report()
    area = request.args.get("area")
    record("report_exported", format="xlsx", period=steering.period.key, area=area)
    title = f"{_('Steuerungsbericht KIM (Baustein 1)')}: {steering.period.label_in(_language())}" + (
        f", {report_labels.area_name(area, _language())}" if area else "")
    body = tables_xlsx(steering.tables, title=title, notes=_definitions(), language=_language())
    return Response(body, mimetype=XLSX, headers={
        "Content-Disposition": f'attachment; filename="steuerungsbericht_{steering.period.key}.xlsx"'})


@bp.get("/heatmap")
@bp.get("/heatmap/<int:version_id>")
@roles_required(*MANAGERS)
def heatmap_view(version_id: int | None = None):
    """Show open tokens and durations per element of a process version on its diagram."""
    with services().db.reading() as session:
        versions = heatmap.process_versions(session)
        if version_id is None and versions:
            version_id = versions[0].id
        heat = None
        if version_id is not None:
            try:
                heat = heatmap.heatmap(session, version_id)
            except NotFound:
                abort(404)
    elements = sorted(heat.elements.values(), key=lambda e: (-(e.p90_hours or 0), -e.open_tokens)) if heat else []
    return render_template("manage/heatmap.html", versions=versions, heat=heat, elements=elements,
                           stats=[e.as_dict() for e in elements])


@bp.get("/heatmap/<int:version_id>/diagram.bpmn")
@roles_required(*MANAGERS)
def heatmap_diagram(version_id: int):
    """Return the BPMN source of a process version for the diagram viewer."""
    with services().db.reading() as session:
        versions = {v.id: v for v in heatmap.process_versions(session)}
    if version_id not in versions:
        abort(404)
    try:
        return Response(heatmap.diagram_source(versions[version_id]), mimetype="application/xml")
    except NotFound:
        abort(404)
