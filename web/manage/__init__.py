"""Management workspace at /manage/: monitoring, incidents, heatmap and the steering report."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("manage", __name__, url_prefix="/manage", template_folder="templates")
MANAGERS = ("manager", "admin")

from web.manage import incident_views, labels, monitor_views, report_views  # noqa: E402,F401  (routes register)
from web.manage.plain_errors import in_words  # noqa: E402

bp.add_app_template_filter(in_words, "in_words")
labels.register(bp)
