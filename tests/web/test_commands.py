"""`kimflow serve` serves the workspace; `demo --serve` serves after the demo; `notify` is off by default."""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

from engine.cli import Plugin, build_parser, run
from web import commands


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_answers_on_the_sign_in_page(database_url):
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-c", "from web.cli import main; main()", "--db", database_url,
                               "serve", "--host", "127.0.0.1", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, "KIMFLOW_SECRET_KEY": "s" * 32})
    try:
        deadline = time.monotonic() + 60  # gunicorn starts in seconds; a loaded CI machine needs longer
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as response:
                    body = response.read().decode()
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise AssertionError("server did not answer") from None
                time.sleep(0.2)
        assert response.status == 200 and "Anmelden" in body
    finally:
        server.terminate()  # gunicorn finishes its requests first; a stuck one is killed
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def test_serve_takes_host_and_port():
    args = build_parser(Plugin(commands=[commands.register])).parse_args(["serve", "--host", "0.0.0.0", "--port",
                                                                          "8080"])
    assert (args.host, args.port, args.func) == ("0.0.0.0", 8080, commands.cmd_serve)


def test_demo_with_serve_starts_the_server_after_the_demo(monkeypatch):
    calls = []
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    demo = sub.add_parser("demo")
    demo.add_argument("--serve", action="store_true")
    demo.set_defaults(func=lambda args, engine: calls.append("demo") or 0)
    monkeypatch.setattr(commands, "cmd_serve", lambda args, engine: calls.append("serve") or 0)
    commands.register(sub)
    args = parser.parse_args(["demo", "--serve"])
    assert args.func(args, None) == 0 and calls == ["demo", "serve"]


def test_notify_does_nothing_unless_mail_is_enabled(database_url, capsys, monkeypatch):
    monkeypatch.delenv("KIMFLOW_MAIL_ENABLED", raising=False)
    assert run(["--db", database_url, "notify"], plugin=Plugin(commands=[commands.register])) == 0
    assert json.loads(capsys.readouterr().out) == {"enabled": False, "sent": 0}
