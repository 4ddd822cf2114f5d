"""The staff workspace: inbox, task page and case file."""

from flask import Blueprint

bp = Blueprint("staff", __name__)

from web.staff import case_views, inbox_views, task_views  # noqa: E402,F401  (views register on bp)
