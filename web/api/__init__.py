"""The REST API (/api/v1, its own APIFlask app) and the administration of its service accounts.

Registering `bp` on the staff app mounts the API app under /api/v1 and adds the account page.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api_admin", __name__, url_prefix="/admin/api")


@bp.record_once
def _mount(state) -> None:
    from web.api.app import mount

    mount(state.app)


from web.api import admin_views  # noqa: E402,F401 - routes register on bp
