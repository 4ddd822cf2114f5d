"""JSON endpoints the modeler page calls: source, save, validate, deploy, dry run, scenarios, diff."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request, url_for
from flask_babel import gettext as _

from engine import (
    DefinitionError,
    DraftConflict,
    DraftInput,
    KimflowError,
    NotFound,
    Problem,
    ScenarioFileError,
    scenario_from,
)
from web.designer import bp
from web.designer.common import checked_kind, designer, suffix
from web.designer.wording import diff_data as worded_diff
from web.i18n import datetime_text
from web.manage.labels import person_name
from web.security import current_actor, roles_required

ROLES = ("designer", "admin")
MAX_XML = 2 * 1024 * 1024


def _problems(problems: list[Problem]) -> list[dict]:
    return [problem.as_dict() for problem in problems]


def _payload() -> tuple[dict, str, str]:
    """Return the JSON body, the file name and the XML it carries; answer 400 on nonsense."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("xml"), str) or len(body["xml"]) > MAX_XML:
        raise _BadRequest(_("Die Anfrage enthält kein Diagramm (oder eines über 2 MB)."))
    return body, str(body.get("file_name") or ""), body["xml"]


class _BadRequest(KimflowError):
    """The request body is not what the modeler sends."""


@bp.errorhandler(_BadRequest)
def _bad_request(err):
    return jsonify({"error": str(err)}), 400


@bp.route("/api/<kind>/<process_id>/quelle")
@roles_required(*ROLES)
def source(kind: str, process_id: str):
    """Return the draft (or the latest or given deployed version) for the modeler."""
    kind = checked_kind(kind)
    try:
        opened = designer().open(process_id, kind, request.args.get("version", type=int))
    except NotFound as err:
        return jsonify({"error": str(err)}), 404
    return jsonify({"file_name": opened.file_name, "xml": opened.xml, "revision": opened.revision,
                    "base_version": opened.base_version, "scenarios": opened.scenarios})


@bp.route("/api/<kind>/<process_id>/entwurf", methods=["POST"])
@roles_required(*ROLES)
def save_draft(kind: str, process_id: str):
    """Save the draft; 409 with the other designer's name when someone saved in between."""
    kind = checked_kind(kind)
    body, file_name, xml = _payload()
    revision = body.get("revision")
    draft = DraftInput(process_id, file_name or process_id + suffix(kind), xml,
                       revision if isinstance(revision, int) else None, kind=kind,
                       scenarios=body.get("scenarios") if isinstance(body.get("scenarios"), str) else None,
                       base_version=body.get("base_version") if isinstance(body.get("base_version"), int) else None)
    try:
        saved, problems = designer().save(draft, actor=current_actor())
    except DraftConflict as err:
        return jsonify({"error": _conflict_text(err), "current": _draft(err.current)}), 409
    except KimflowError as err:
        return jsonify({"error": str(err)}), 409
    return jsonify({"draft": _draft(saved), "problems": _problems(problems)})


def _draft(draft) -> dict:
    """Return a draft as JSON with the display name of whoever saved it beside the account name."""
    return {**draft.as_dict(), "updated_by_name": person_name(draft.updated_by)}


def _conflict_text(err: DraftConflict) -> str:
    current = err.current
    return _("Der Entwurf wurde inzwischen von %(name)s am %(when)s gespeichert (Stand %(revision)d). Ihre "
             "Änderungen wurden nicht überschrieben und sind noch im Editor: laden Sie Ihre Fassung herunter oder "
             "übernehmen Sie sie bewusst.", name=person_name(current.updated_by),
             when=datetime_text(current.updated_at) if current.updated_at else "–", revision=current.revision)


@bp.route("/api/<kind>/<process_id>/pruefen", methods=["POST"])
@roles_required(*ROLES)
def validate_draft(kind: str, process_id: str):
    """Validate the diagram in the editor without saving it."""
    kind = checked_kind(kind)
    _body, file_name, xml = _payload()
    return jsonify({"problems": _problems(designer().validate(file_name or process_id + suffix(kind), xml))})


@bp.route("/api/<kind>/<process_id>/bereitstellen", methods=["POST"])
@roles_required(*ROLES)
def deploy_draft(kind: str, process_id: str):
    """Deploy the saved draft as a new version; ask first when instances run; 422 with problems on errors."""
    kind = checked_kind(kind)
    body = request.get_json(silent=True)
    confirmed = isinstance(body, dict) and body.get("confirmed") is True
    running = designer().running_by_version(process_id) if kind == "process" else {}
    if running and not confirmed:
        return jsonify(_running_notice(process_id, running, ask=True)), 409
    try:
        deployed = designer().deploy(process_id, actor=current_actor(), kind=kind)
    except DefinitionError as err:
        return jsonify({"error": _("Der Entwurf hat Fehler und wurde nicht bereitgestellt."),
                        "problems": _problems(err.problems)}), 422
    except NotFound as err:
        return jsonify({"error": str(err)}), 404
    return jsonify({"deployed": [item.as_dict() for item in deployed],
                    **(_running_notice(process_id, running, ask=False) if running else {})})


def _running_notice(process_id: str, running: dict[int, int], *, ask: bool) -> dict:
    total = sum(running.values())
    versions = ", ".join(_("%(num)d auf Version %(version)d", num=count, version=version)
                         for version, count in sorted(running.items()))
    text = _("%(num)d Vorgänge laufen auf älteren Versionen (%(versions)s). Sie bleiben dort, bis Sie sie "
             "migrieren.", num=total, versions=versions) + (" " + _("Trotzdem bereitstellen?") if ask else "")
    return {"needs_confirmation": ask, "running": total,
            "by_version": [{"version": v, "count": n} for v, n in sorted(running.items())],
            "message": text, "migration_url": url_for("designer.migration", process_id=process_id)}


@bp.route("/api/process/<process_id>/probelauf", methods=["POST"])
@roles_required(*ROLES)
def dry_run(process_id: str):
    """Run the diagram in memory with the designer's inputs; nothing is stored."""
    body, file_name, xml = _payload()
    raw = body.get("scenario")
    scenario: dict[str, Any] = raw if isinstance(raw, dict) else {}
    result = designer().dry_run(file_name or process_id + ".bpmn", xml, scenario_from(scenario, process_id))
    return jsonify(result.as_dict())


@bp.route("/api/process/<process_id>/szenarien", methods=["POST"])
@roles_required(*ROLES)
def run_scenarios(process_id: str):
    """Run the scenario file text against the diagram in the editor."""
    body, file_name, xml = _payload()
    try:
        results = designer().run_scenarios(file_name or process_id + ".bpmn", xml, str(body.get("text") or ""))
    except ScenarioFileError as err:
        return jsonify({"error": str(err)}), 400
    return jsonify({"results": [result.as_dict() for result in results],
                    "passed": sum(result.passed for result in results), "total": len(results)})


@bp.route("/api/process/<process_id>/vergleich")
@roles_required(*ROLES)
def diff_data(process_id: str):
    """Return the differences between two deployed versions as JSON (codes and labels in the user's language)."""
    old, new = request.args.get("von", type=int), request.args.get("nach", type=int)
    if old is None or new is None:
        return jsonify({"error": _("Bitte zwei Versionen angeben (von, nach).")}), 400
    try:
        return jsonify(worded_diff(designer().diff(process_id, old, new).as_dict()))
    except (NotFound, DefinitionError) as err:
        return jsonify({"error": str(err)}), 404
