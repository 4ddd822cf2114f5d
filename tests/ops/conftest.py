"""Ops fixtures: the web fixtures (app on the test database, users, signed-in clients)."""

from tests.web.conftest import app, login, make_user, services  # noqa: F401
