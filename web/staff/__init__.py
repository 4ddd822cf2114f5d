"""The staff workspace: inbox, task page and case file."""

from flask import Blueprint

bp = Blueprint("staff", __name__)

from web.staff import case_views, inbox_views, labels, task_views  # noqa: E402,F401  (views register on bp)


@bp.context_processor
def _helpers() -> dict:
    from web.staff.case_access import basis_text, display_fields, status_text

    return {"case_fields": display_fields, "action_labels": labels.ACTIONS, "basis_text": basis_text,
            "status_text": status_text, "area_name": labels.area_name, "office_name": labels.office_name}
