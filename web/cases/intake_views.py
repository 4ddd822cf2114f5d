"""Intake "Neue Person / neuer Fall": the referral form, the duplicate check and opening the case."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine import KimflowError
from web.cases import bp
from web.security import current_actor, deny, roles_required, services
from web.staff.case_access import CATEGORY_LABELS
from workflows import intake, person_search
from workflows.cases.models import CATEGORIES, Case
from workflows.cases.visibility import visible_case_refs
from workflows.catalogue import CASE_MANAGEMENT, MUNICIPALITIES, OFFICES_ASKED

STAFF = ("staff", "admin")


def _case_management() -> None:
    """Let only case management (and administrators) take in referrals; others get an audited 404."""
    actor = current_actor()
    if not (actor.is_admin or CASE_MANAGEMENT in actor.offices):
        deny("intake_not_case_management")


def _may_open(case_ref: str) -> bool:
    with services().db.reading() as session:
        query = visible_case_refs(session, current_actor()).where(Case.case_ref == case_ref)
        return session.scalar(query) is not None


def _form(errors: dict | None = None, duplicates: list | None = None, status: int = 200):
    return render_template("cases/intake.html", values=request.form, errors=errors or {}, duplicates=duplicates,
                           municipalities=MUNICIPALITIES, sources=intake.SOURCES, offices=OFFICES_ASKED,
                           categories=[c for c in CATEGORIES if c != "gesundheit"], category_labels=CATEGORY_LABELS,
                           chosen=request.form.getlist("consent_offices"),
                           chosen_categories=request.form.getlist("consent_categories")
                           or list(intake.DEFAULT_CONSENT_CATEGORIES)), status


@bp.route("/faelle/neu", methods=["GET", "POST"])
@roles_required(*STAFF)
def intake_form():
    """Take in a referral: check for the same person, then open the case and start case management."""
    _case_management()
    if request.method == "GET":
        return _form()
    referral, errors = intake.parse_referral(request.form, {k: request.form.getlist(k) for k in
                                                            ("consent_offices", "consent_categories")})
    if referral is None:
        return _form(errors, status=400)
    actor = current_actor()
    if request.form.get("anlegen") != "neu":
        with services().db.unit_of_work() as session:
            duplicates = person_search.possible_duplicates(
                session, actor, given_name=referral.given_name, family_name=referral.family_name,
                birth_date=referral.birth_date)
        if duplicates:
            return _form(duplicates=duplicates, status=409)
    try:
        opened = intake.open_referral(services().engine, referral, actor=actor)
    except KimflowError as err:
        flash(_("Der Fall wurde nicht angelegt: %(reason)s", reason=str(err)), "error")
        return _form(status=409)
    flash(_("Fall %(ref)s ist angelegt; die Zuweisung wartet im Fallmanagement.", ref=opened.case_ref), "success")
    if _may_open(opened.case_ref):
        return redirect(url_for("staff.case_file", case_ref=opened.case_ref))
    return redirect(url_for("cases.case_list"))


@bp.route("/faelle/<case_ref>/fortfuehren", methods=["POST"])
@roles_required(*STAFF)
def continue_case(case_ref: str):
    """Continue an existing case instead of opening a second one for the same person."""
    _case_management()
    if not _may_open(case_ref):
        deny("case_not_visible", case_ref=case_ref)
    try:
        started = intake.continue_case(services().engine, case_ref, actor=current_actor())
    except KimflowError as err:
        flash(str(err), "error")
    else:
        if started is None:
            flash(_("Der Fall %(ref)s wird bereits im Fallmanagement begleitet.", ref=case_ref), "info")
        else:
            flash(_("Das Fallmanagement für Fall %(ref)s ist wieder aufgenommen.", ref=case_ref), "success")
    return redirect(url_for("staff.case_file", case_ref=case_ref))
