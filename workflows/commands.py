"""The `kimflow demo` subcommand: district seed data, demo users and synthetic cases."""

from __future__ import annotations

import argparse
import json
import sys
import time

from engine.core import clock
from engine.core.actors import Actor
from engine.service.engine import ProcessEngine
from workflows import retention
from workflows.demo.driver import run_demo
from workflows.demo.users import DEMO_PASSWORD


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `demo` and `retention` to the kimflow command line."""
    register_retention(subparsers)
    p = subparsers.add_parser("demo", help="Demodaten anlegen: Stellen, Benutzer und synthetische Fälle")
    p.add_argument("--json", action="store_true", help="Benutzer als JSON-Liste ausgeben")
    p.add_argument("--cases", type=int, default=300, help="Anzahl synthetischer Fälle (Standard 300)")
    p.add_argument("--seed", type=int, default=None, help="Zufallsstartwert für reproduzierbare Daten")
    p.add_argument("--serve", action="store_true", help="danach den Webserver starten")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=5000)
    p.set_defaults(func=cmd_demo)


def register_retention(subparsers: argparse._SubParsersAction) -> None:
    """Add `retention` to the kimflow command line."""
    p = subparsers.add_parser("retention", help="anonymise closed cases whose retention period has ended")
    p.add_argument("--now", help="ISO 8601 time to run as (tests, replays)")
    p.add_argument("--dry-run", action="store_true", help="only list the cases that are due")
    p.add_argument("--json", action="store_true")
    p.add_argument("--user", default="retention")
    p.set_defaults(func=cmd_retention)


def cmd_retention(args: argparse.Namespace, engine: ProcessEngine) -> int:
    """Anonymise (or with --dry-run list) the closed cases whose retention period has ended."""
    now = clock.parse_iso(args.now) if args.now else None
    report = retention.sweep(engine, now=now, actor=Actor.system_actor(args.user), dry_run=args.dry_run)
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, default=str))
        return 1 if report.failed else 0
    verb = "fällig (Probelauf)" if report.dry_run else "anonymisiert"
    print(f"{len(report.cases)} Fälle {verb}: {', '.join(report.cases) or '-'}")
    for case_ref, error in report.failed.items():
        print(f"  nicht anonymisiert: {case_ref} ({error})")
    return 1 if report.failed else 0


def cmd_demo(args: argparse.Namespace, engine: ProcessEngine) -> int:
    """Create the demo data and print the demo users (the server, if wanted, starts afterwards)."""
    engine.create_schema()
    started = time.perf_counter()

    def progress(done: int, planned: int, steps: int) -> None:
        # On stderr, so `--json` output stays one clean document on stdout.
        print(f"  {done}/{planned} Fälle angelegt, {steps} Schritte, {time.perf_counter() - started:.0f} s",
              file=sys.stderr, flush=True)

    result = run_demo(engine, cases=args.cases, seed=args.seed, progress=progress)
    if args.json:
        print(json.dumps([u.as_dict() for u in result.users], ensure_ascii=False))
        return 0
    if result.existing:
        print("Demodaten waren schon vorhanden; es wurden keine weiteren Fälle angelegt.")
    else:
        print(f"{result.cases_created} Demo-Fälle in {result.seconds:.1f} s angelegt "
              f"({result.steps} Schritte, {result.form_errors} abgewiesene Formulare).")
    for process_id, counts in sorted(result.processes.items()):
        print(f"  {process_id}: " + ", ".join(f"{status} {n}" for status, n in sorted(counts.items())))
    print(f"\nDemo-Benutzer (gemeinsames Passwort: {DEMO_PASSWORD}):")
    for user in result.users:
        units = ", ".join(user.units) or "-"
        print(f"  {user.username:24} {user.role:9} {units}")
    return 0
