"""Starting a kimflow session after a successful sign-in, and where to go next."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from flask import current_app, session, url_for
from flask_login import login_user

from web.accounts import session_user


def safe_next(target: str | None, default: str = "staff.inbox") -> str:
    """Return a same-site path to go to after sign-in (never another host); else the `default` endpoint."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc \
            and "\\" not in target:
        return target
    return url_for(default)


def fresh_session(**keep: object) -> None:
    """Empty the session (a new one: no fixation), keeping the language and the given entries."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session.update({key: value for key, value in keep.items() if value is not None})


def start_session(username: str, **keep: object) -> bool:
    """Sign the user in on a fresh session; False when the account cannot sign in."""
    user = session_user(username)
    if user is None:
        return False
    fresh_session(**keep)
    login_user(user)
    session.permanent = True
    session["seen"] = dt.datetime.now(dt.UTC).timestamp()
    return True


def local_passwords() -> bool:
    """Tell whether sign-in with a local password is allowed (KIMFLOW_LOCAL_PASSWORDS, default on)."""
    return bool(current_app.config.get("LOCAL_PASSWORDS", True))
