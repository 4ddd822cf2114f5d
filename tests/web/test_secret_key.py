"""Outside demo mode kimflow refuses to run without a fixed secret key of at least 32 characters."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from web.app import create_app
from web.config import ConfigurationError, from_environment


def test_the_app_refuses_to_start_without_a_secret_key(database_url, monkeypatch):
    monkeypatch.delenv("KIMFLOW_SECRET_KEY", raising=False)
    monkeypatch.delenv("KIMFLOW_DEMO", raising=False)
    with pytest.raises(ConfigurationError, match="KIMFLOW_SECRET_KEY ist nicht gesetzt"):
        create_app({"DATABASE_URL": database_url})


def test_a_short_secret_key_is_refused(monkeypatch):
    monkeypatch.setenv("KIMFLOW_SECRET_KEY", "x")
    with pytest.raises(ConfigurationError, match="zu kurz"):
        from_environment()


def test_demo_mode_runs_with_a_fresh_random_key(database_url, monkeypatch):
    monkeypatch.delenv("KIMFLOW_SECRET_KEY", raising=False)
    one = create_app({"DATABASE_URL": database_url, "DEMO_MODE": True})
    two = create_app({"DATABASE_URL": database_url, "DEMO_MODE": True})
    assert len(one.config["SECRET_KEY"]) >= 32 and one.config["SECRET_KEY"] != two.config["SECRET_KEY"]


def test_serve_without_a_key_says_so_in_one_line_and_exits_2(database_url):
    env = {k: v for k, v in os.environ.items() if k not in ("KIMFLOW_SECRET_KEY", "KIMFLOW_DEMO")}
    done = subprocess.run([sys.executable, "-c", "from web.cli import main; main()", "--db", database_url, "serve",
                           "--port", "1"], capture_output=True, text=True, env=env, timeout=60, check=False)
    assert done.returncode == 2
    assert "KIMFLOW_SECRET_KEY" in done.stderr and "Traceback" not in done.stderr
