"""Designer pages: library, editor, upload, download, discard, version diff and migration."""

from __future__ import annotations

from flask import Response, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine import DefinitionError, DraftInput, KimflowError, NotFound, defined_id, valid_id
from web.designer import bp, wording
from web.designer.common import checked_kind, designer, shipped_scenarios, suffix
from web.designer.templates_new import new_bpmn, new_dmn
from web.security import attachment, current_actor, roles_required

ROLES = ("designer", "admin")
MAX_UPLOAD = 2 * 1024 * 1024
BACKGROUND_FROM = 25  # from this many instances a migration runs in the background


@bp.route("/")
@roles_required(*ROLES)
def library():
    """List every process and decision with versions, instance counts and drafts."""
    return render_template("designer/library.html", entries=designer().library())


@bp.route("/neu", methods=["POST"])
@roles_required(*ROLES)
def create():
    """Start a draft of a new process or decision from an empty diagram."""
    kind = checked_kind(request.form.get("kind", "process"))
    process_id = (request.form.get("process_id") or "").strip()
    name = (request.form.get("name") or process_id).strip()
    xml = new_dmn(process_id, name) if kind == "decision" else new_bpmn(process_id, name)
    return _start_draft(kind, process_id, process_id + suffix(kind), xml)


@bp.route("/hochladen", methods=["POST"])
@roles_required(*ROLES)
def upload():
    """Turn an uploaded .bpmn/.dmn file (e.g. from Camunda Modeler) into a draft."""
    file = request.files.get("file")
    if file is None or not file.filename or not file.filename.lower().endswith((".bpmn", ".dmn")):
        flash(_("Bitte eine .bpmn- oder .dmn-Datei auswählen."), "error")
        return redirect(url_for("designer.library"))
    content = file.stream.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        flash(_("Die Datei ist größer als 2 MB."), "error")
        return redirect(url_for("designer.library"))
    try:
        xml = content.decode("utf-8")
    except UnicodeDecodeError:
        flash(_("Die Datei ist nicht UTF-8-kodiert."), "error")
        return redirect(url_for("designer.library"))
    try:
        kind, process_id = defined_id(file.filename, xml)
    except DefinitionError as err:
        flash(err.problems[0].message, "error")
        return redirect(url_for("designer.library"))
    return _start_draft(kind, process_id, process_id + suffix(kind), xml)


def _start_draft(kind: str, process_id: str, file_name: str, xml: str):
    if not valid_id(process_id):
        flash(_("Bitte eine ID aus Buchstaben, Ziffern und _ angeben, beginnend mit einem Buchstaben."), "error")
        return redirect(url_for("designer.library"))
    service = designer()
    try:
        current = service.open(process_id, kind)
        revision = current.revision
    except NotFound:
        revision = None
    try:
        service.save(DraftInput(process_id, file_name, xml, revision, kind=kind), actor=current_actor())
    except KimflowError as err:
        flash(str(err), "error")
        return redirect(url_for("designer.library"))
    flash(_("Entwurf »%(name)s« angelegt.", name=process_id), "success")
    return redirect(url_for("designer.edit", kind=kind, process_id=process_id))


@bp.route("/<kind>/<process_id>/")
@roles_required(*ROLES)
def edit(kind: str, process_id: str):
    """Show the BPMN modeler or DMN editor for a process or decision."""
    kind = checked_kind(kind)
    try:
        opened = designer().open(process_id, kind)
    except NotFound as err:
        flash(str(err), "error")
        return redirect(url_for("designer.library"))
    if kind == "process" and not opened.scenarios:
        opened.scenarios = shipped_scenarios(process_id, opened.file_name)
    return render_template("designer/edit.html", kind=kind, opened=opened)


@bp.route("/<kind>/<process_id>/herunterladen")
@roles_required(*ROLES)
def download(kind: str, process_id: str):
    """Download the draft, or a deployed version with ?version=N."""
    kind = checked_kind(kind)
    version = request.args.get("version", type=int)
    try:
        opened = designer().open(process_id, kind, version)
    except NotFound as err:
        flash(str(err), "error")
        return redirect(url_for("designer.library"))
    name = opened.file_name if version is None else f"{process_id}_v{version}{suffix(kind)}"
    return Response(opened.xml, mimetype="application/xml",
                    headers={"Content-Disposition": attachment(name)})


@bp.route("/<kind>/<process_id>/verwerfen", methods=["POST"])
@roles_required(*ROLES)
def discard(kind: str, process_id: str):
    """Throw the draft away."""
    kind = checked_kind(kind)
    if designer().discard(process_id, actor=current_actor(), kind=kind):
        flash(_("Entwurf »%(name)s« verworfen.", name=process_id), "success")
    return redirect(url_for("designer.library"))


@bp.route("/process/<process_id>/vergleich")
@roles_required(*ROLES)
def diff(process_id: str):
    """Show the differences between two deployed versions on the diagram."""
    old = request.args.get("von", type=int)
    new = request.args.get("nach", type=int)
    try:
        if old is None or new is None:
            raise NotFound(_("Bitte zwei Versionen wählen"))
        result = designer().diff(process_id, old, new)
    except (NotFound, DefinitionError) as err:
        flash(str(err), "error")
        return redirect(url_for("designer.library"))
    return render_template("designer/diff.html", process_id=process_id, old=old, new=new, diff=result)


@bp.route("/process/<process_id>/migration", methods=["GET", "POST"])
@roles_required(*ROLES)
def migration(process_id: str):
    """List instances on older versions with their step and verdict; move the chosen ones to the newest."""
    service = designer()
    if request.method == "POST":
        ids = [int(value) for value in request.form.getlist("instance_id") if value.isdigit()]
        if not ids:
            flash(_("Bitte mindestens einen Vorgang auswählen."), "warning")
        elif len(ids) >= current_app.config.get("MIGRATION_BACKGROUND_FROM", BACKGROUND_FROM):
            batch = service.start_migration(process_id, ids, actor=current_actor())
            return redirect(url_for("designer.migration", process_id=process_id, lauf=batch.batch_id))
        else:
            report = service.migrate(process_id, ids, actor=current_actor())
            moved = _("%(num)d Vorgänge auf Version %(version)d umgezogen", num=len(report.moved),
                      version=report.to_version)
            flash(moved + (_(", %(num)d nicht umgezogen.", num=len(report.refused)) if report.refused else "."),
                  "success" if not report.refused else "warning")
        return redirect(url_for("designer.migration", process_id=process_id))
    try:
        candidates = service.migration_plan(process_id)
    except NotFound as err:
        flash(str(err), "error")
        return redirect(url_for("designer.library"))
    return render_template("designer/migration.html", process_id=process_id, candidates=candidates,
                           statuses=wording.MIGRATION_STATUSES,
                           batch=request.args.get("lauf"), movable=sum(c.movable for c in candidates))


@bp.route("/api/migration/<batch_id>")
@roles_required(*ROLES)
def migration_progress(batch_id: str):
    """Return how far a background migration has got."""
    try:
        return jsonify(designer().migration_progress(batch_id).as_dict())
    except NotFound as err:
        return jsonify({"error": str(err)}), 404
