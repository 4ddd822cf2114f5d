"""Case work in the browser: intake of a referral, the case list, person search, messages and process starts."""

from flask import Blueprint

bp = Blueprint("cases", __name__)


@bp.record_once
def _keep_person_keys(_state) -> None:
    """Keep the person search keys in step with the case rows (the web app is a composition root)."""
    from workflows import person_keys

    person_keys.install()


from web.cases import intake_views, list_views, message_views, start_views  # noqa: E402,F401  (views register on bp)


@bp.context_processor
def _helpers() -> dict:
    from web.staff import labels

    return {"area_name": labels.area_name, "office_name": labels.office_name}
