"""At the terminal, a missing database or a weak secret key is one German line and an exit code, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from engine.cli import run
from web.app import create_app
from web.cli import plugin
from web.config import ConfigurationError

UNREACHABLE = "postgresql://kimflow:streng-geheim@127.0.0.1:1/kimflow"


def _kimflow(*argv: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from web.cli import main; main()", *argv], capture_output=True,
                          text=True, timeout=120, check=False, env=env or dict(os.environ))


def test_the_worker_says_in_one_line_that_the_database_is_unreachable():
    done = _kimflow("--db", UNREACHABLE, "worker", "--once")
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0 and "Traceback" not in done.stderr
    assert "ist nicht erreichbar" in done.stderr and "127.0.0.1:1" in done.stderr
    assert "streng-geheim" not in done.stderr  # the password stays hidden


@pytest.mark.parametrize("argv", [["init-db"], ["tasks"], ["show", "1"], ["worker", "--once"]])
def test_every_command_names_an_unreachable_database(argv, capsys, tmp_path):
    missing_folder = f"sqlite:///{tmp_path}/gibt-es-nicht/kimflow.db"
    for url in (UNREACHABLE, missing_folder):
        assert run(["--db", url, *argv], plugin=plugin()) == 1
        err = capsys.readouterr().err
        assert "ist nicht erreichbar" in err and err.strip().count("\n") == 0, err


def test_serve_with_a_one_character_key_is_refused_in_one_line(database_url):
    env = {k: v for k, v in os.environ.items() if k != "KIMFLOW_DEMO"} | {"KIMFLOW_SECRET_KEY": "x"}
    done = _kimflow("--db", database_url, "serve", "--port", "1", env=env)
    assert done.returncode == 2
    assert "KIMFLOW_SECRET_KEY ist zu kurz" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("key", ["x", "kurz-aber-nicht-32-zeichen"])
def test_the_app_refuses_a_short_key_from_the_environment_even_in_demo_mode(database_url, monkeypatch, key):
    monkeypatch.setenv("KIMFLOW_SECRET_KEY", key)
    for demo in ("0", "1"):
        monkeypatch.setenv("KIMFLOW_DEMO", demo)
        with pytest.raises(ConfigurationError, match="zu kurz"):
            create_app({"DATABASE_URL": database_url})
