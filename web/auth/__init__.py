"""Sign-in, sign-out, password change and the language switch."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from web.auth import views  # noqa: E402,F401  (views register themselves on bp)
