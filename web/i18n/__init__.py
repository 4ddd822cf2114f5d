"""Languages: German by default, English on request; dates and numbers in the user's locale."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask, current_app, g, session
from flask_babel import Babel, format_date, format_datetime, format_decimal, get_locale, get_translations

from engine import LOCAL_TIME


def select_locale() -> str:
    """Return the language the user picked, else German."""
    chosen = session.get("lang")
    if chosen in current_app.config["LANGUAGES"]:
        return str(chosen)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def _local(value: dt.datetime) -> dt.datetime:
    """The time in the staff's time zone (naive values are UTC, as Flask-Babel reads them)."""
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(LOCAL_TIME)


def date_text(value: object, style: str = "medium") -> str:
    """Format a date or timestamp as a date ("25.11.2026" in German)."""
    if value is None or value == "":
        return ""
    day: object = value
    if isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if str(get_locale()) == "de" and isinstance(day, dt.date):  # strftime, not Babel's pattern engine
        return (_local(day) if isinstance(day, dt.datetime) else day).strftime("%d.%m.%Y")
    if isinstance(day, dt.datetime):
        return format_datetime(day, style)
    return format_date(day, style)  # type: ignore[arg-type]


def datetime_text(value: dt.datetime | None) -> str:
    """Format a timestamp in the user's time zone ("25.11.2026, 14:05")."""
    if value is None:
        return ""
    return _local(value).strftime("%d.%m.%Y, %H:%M" if str(get_locale()) == "de" else "%Y-%m-%d %H:%M")


def number_text(value: float | int | None) -> str:
    """Format a number in the user's locale ("1.234,5" in German)."""
    return "" if value is None else format_decimal(value)


def _translations() -> Any:
    """The request's translations, looked up once per request and locale (`force_locale` switches them).

    Flask-Babel's own lookup goes through about fifteen context-local proxies per call; a page with a table
    translates hundreds of labels, which cost more than its database queries.
    """
    babel_context = g.get("_flask_babel")
    locale = getattr(babel_context, "babel_locale", None)
    cached = g.get("_kimflow_translations")
    if cached is not None and locale is not None and cached[0] is locale:
        return cached[1]
    translations = get_translations()
    babel_context = g.get("_flask_babel")
    g._kimflow_translations = (getattr(babel_context, "babel_locale", None), translations)
    return translations


def _template_gettext(string: str) -> str:
    return str(_translations().ugettext(string))


def _template_ngettext(singular: str, plural: str, number: int) -> str:
    return str(_translations().ungettext(singular, plural, number))


def init_app(app: Flask) -> None:
    """Attach Flask-Babel and the date/number filters templates use."""
    Babel(app, locale_selector=select_locale, default_translation_directories="translations")
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        _template_gettext, _template_ngettext, newstyle=True)
    app.jinja_env.filters["date"] = date_text
    app.jinja_env.filters["datetime"] = datetime_text
    app.jinja_env.filters["number"] = number_text

    @app.context_processor
    def _language():
        return {"current_language": str(get_locale()), "languages": app.config["LANGUAGES"]}
