"""Sign-in (local password, second factor, single sign-on), sign-out, password change and the language."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from web.auth import emergency, oidc, second_factor, views  # noqa: E402,F401  (views register themselves on bp)
