"""Web subcommands of `kimflow`: serve, notify; `demo --serve` starts the server after the demo."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable

from engine import ProcessEngine


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `serve` and `notify`, and let `demo --serve` start the server when the demo is done."""
    p = subparsers.add_parser("serve", help="Web-Arbeitsplatz starten (Anmeldung unter /login)")
    p.add_argument("--host", default="127.0.0.1", help="Adresse (Standard 127.0.0.1)")
    p.add_argument("--port", type=int, default=5000, help="Port (Standard 5000)")
    p.set_defaults(func=cmd_serve)
    p = subparsers.add_parser("notify", help="E-Mail-Benachrichtigungen versenden (wenn KIMFLOW_MAIL_ENABLED)")
    p.add_argument("--now", help="ISO-Zeitpunkt, zu dem benachrichtigt wird (Tests, Nachholen)")
    p.set_defaults(func=cmd_notify)
    demo = subparsers.choices.get("demo")
    if demo is not None and demo.get_default("func") is not None:
        demo.set_defaults(func=_serving_after(demo.get_default("func")))


def _serving_after(run_demo: Callable[[argparse.Namespace, ProcessEngine], int]):
    def demo_then_serve(args: argparse.Namespace, engine: ProcessEngine) -> int:
        code = run_demo(args, engine)
        if code == 0 and getattr(args, "serve", False) and not getattr(args, "json", False):
            return cmd_serve(args, engine)
        return code

    return demo_then_serve


def cmd_serve(args: argparse.Namespace, engine: ProcessEngine) -> int:
    """Create the schema if needed and serve the app until interrupted."""
    from werkzeug.serving import run_simple

    from web.app import create_app

    engine.create_schema()
    url = engine.db.engine.url.render_as_string(hide_password=False)
    app = create_app({"DATABASE_URL": url})
    print(f"kimflow läuft auf http://{args.host}:{args.port}/login  (Beenden mit Strg+C)", flush=True)
    run_simple(args.host, args.port, app, threaded=True, use_reloader=False, use_debugger=False)
    return 0


def cmd_notify(args: argparse.Namespace, engine: ProcessEngine) -> int:
    """Send the due notifications once and print how many went out."""
    from engine import clock
    from web import config, notifications

    settings = notifications.MailSettings.from_config(config.from_environment())
    now = clock.parse_iso(args.now) if args.now else clock.now()
    print(json.dumps(notifications.send_due(engine.db, settings, now=now), ensure_ascii=False))
    return 0
