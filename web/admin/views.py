"""Views of the administration blueprint."""

from __future__ import annotations

from flask import render_template

from web.admin import bp
from web.security import roles_required


@bp.route("/benutzer")
@roles_required("admin")
def users():
    """List users."""
    return render_template("admin/users.html")
