"""Web subcommands of `kimflow`: serve (gunicorn), notify; `demo --serve` also runs the worker."""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import threading
from collections.abc import Callable

from engine import PeriodicTask, ProcessEngine, cli, clock, health

HEARTBEAT_SECONDS = 15.0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `serve` and `notify`; let `demo --serve` serve after the demo and the worker stamp heartbeats."""
    p = subparsers.add_parser("serve", help="Web-Arbeitsplatz starten (Anmeldung unter /login)")
    p.add_argument("--host", default=None, help="Adresse (Standard 127.0.0.1 bzw. KIMFLOW_BIND)")
    p.add_argument("--port", type=int, default=None, help="Port (Standard 5000 bzw. KIMFLOW_BIND)")
    p.add_argument("--workers", type=int, default=None, help="gunicorn-Prozesse (Standard KIMFLOW_WEB_WORKERS)")
    p.add_argument("--dev", action="store_true", help="Entwicklungsserver statt gunicorn (nur lokal)")
    p.set_defaults(func=cmd_serve)
    p = subparsers.add_parser("notify", help="E-Mail-Benachrichtigungen versenden (wenn KIMFLOW_MAIL_ENABLED)")
    p.add_argument("--now", help="ISO-Zeitpunkt, zu dem benachrichtigt wird (Tests, Nachholen)")
    p.set_defaults(func=cmd_notify)
    demo = subparsers.choices.get("demo")
    if demo is not None and demo.get_default("func") is not None:
        demo.set_defaults(func=_serving_after(demo.get_default("func")))
    worker = subparsers.choices.get("worker")
    if worker is not None and worker.get_default("func") is not None:
        worker.set_defaults(func=_with_heartbeat(worker.get_default("func")))


def heartbeat_task() -> PeriodicTask:
    """Return the periodic task by which a worker tells readiness checks that it is alive."""
    name = f"{socket.gethostname()}:{os.getpid()}"

    def stamp(engine: ProcessEngine, now) -> dict:
        health.beat(engine.db, name, now or clock.now())
        return {}

    return PeriodicTask("heartbeat", HEARTBEAT_SECONDS, stamp)


def _with_heartbeat(run_worker: Callable[[argparse.Namespace, ProcessEngine], int]):
    def worker_with_heartbeat(args: argparse.Namespace, engine: ProcessEngine) -> int:
        engine.extensions.periodic.append(heartbeat_task())
        return run_worker(args, engine)

    return worker_with_heartbeat


def _serving_after(run_demo: Callable[[argparse.Namespace, ProcessEngine], int]):
    def demo_then_serve(args: argparse.Namespace, engine: ProcessEngine) -> int:
        code = run_demo(args, engine)
        if code == 0 and getattr(args, "serve", False) and not getattr(args, "json", False):
            # The demo is one process: development server plus worker thread, a random key.
            args.dev = args.with_worker = args.demo_mode = True
            return cmd_serve(args, engine)
        return code

    return demo_then_serve


def start_worker_thread(engine: ProcessEngine) -> threading.Thread:
    """Run the worker in a daemon thread of this process, so timers fire while one explores the demo."""
    engine.extensions.periodic.append(heartbeat_task())
    args = argparse.Namespace(once=False, now=None)
    thread = threading.Thread(target=cli.cmd_worker, args=(args, engine), name="kimflow-worker", daemon=True)
    thread.start()
    print("Worker läuft im Hintergrund: Fristen und Zeitgeber lösen aus.", flush=True)
    return thread


def cmd_serve(args: argparse.Namespace, engine: ProcessEngine) -> int:
    """Create the schema if needed and serve the app (gunicorn; --dev: Werkzeug) until interrupted."""
    demo = getattr(args, "demo_mode", False)
    if not demo and not os.environ.get("KIMFLOW_SECRET_KEY"):
        print("kimflow serve: KIMFLOW_SECRET_KEY ist nicht gesetzt (mindestens 32 Zeichen); ohne festen "
              "Schlüssel meldet jeder Serverprozess die Benutzer ab. Für die Demo: kimflow demo --serve",
              file=sys.stderr)
        return 2
    engine.create_schema()
    url = engine.db.engine.url.render_as_string(hide_password=False)
    bind = os.environ.get("KIMFLOW_BIND", "127.0.0.1:5000")
    host, _, port = bind.rpartition(":")
    host, port = args.host or host, str(args.port or port)
    if getattr(args, "with_worker", False):
        start_worker_thread(engine)
    if getattr(args, "dev", False):
        return _serve_dev(url, host, int(port), demo)
    from web.gunicorn_app import Server

    print(f"kimflow (gunicorn) läuft auf http://{host}:{port}/login  (Beenden mit Strg+C)", flush=True)
    Server(url, f"{host}:{port}", getattr(args, "workers", None)).run()
    return 0


def _serve_dev(url: str, host: str, port: int, demo: bool = False) -> int:
    from werkzeug.serving import run_simple

    from web.app import create_app

    app = create_app({"DATABASE_URL": url, "DEMO_MODE": demo})
    print(f"kimflow läuft auf http://{host}:{port}/login  (Entwicklungsserver; Beenden mit Strg+C)", flush=True)
    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)
    return 0


def cmd_notify(args: argparse.Namespace, engine: ProcessEngine) -> int:
    """Send the due notifications once and print how many went out."""
    from web import config, notifications

    settings = notifications.MailSettings.from_config(config.from_environment())
    now = clock.parse_iso(args.now) if args.now else clock.now()
    print(json.dumps(notifications.send_due(engine.db, settings, now=now), ensure_ascii=False))
    return 0
