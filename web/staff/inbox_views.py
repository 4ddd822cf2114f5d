"""The inbox: Meine Aufgaben, Gruppenaufgaben, Erledigt."""

from __future__ import annotations

from flask import redirect, render_template, url_for

from web.security import roles_required
from web.staff import bp

STAFF = ("staff", "admin")


@bp.route("/")
@roles_required(*STAFF, "manager", "designer")
def home():
    """Send each user to the start page of their role."""
    return redirect(url_for("staff.inbox"))


@bp.route("/aufgaben")
@roles_required(*STAFF)
def inbox():
    """Show the user's inbox."""
    return render_template("staff/inbox.html")
