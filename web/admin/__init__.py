"""Administration: users, units, memberships and deputies (role admin)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/verwaltung")

from web.admin import privacy, sign_in, views  # noqa: E402,F401  (views register on bp)
