"""The `kimflow demo` subcommand: district seed data, demo users and synthetic cases."""

from __future__ import annotations

import argparse
import json

from engine.runtime import ProcessEngine
from workflows.demo import run_demo
from workflows.demo_users import DEMO_PASSWORD


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `demo` to the kimflow command line."""
    p = subparsers.add_parser("demo", help="Demodaten anlegen: Stellen, Benutzer und synthetische Fälle")
    p.add_argument("--json", action="store_true", help="Benutzer als JSON-Liste ausgeben")
    p.add_argument("--cases", type=int, default=300, help="Anzahl synthetischer Fälle (Standard 300)")
    p.add_argument("--seed", type=int, default=None, help="Zufallsstartwert für reproduzierbare Daten")
    p.add_argument("--serve", action="store_true", help="danach den Webserver starten")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=5000)
    p.set_defaults(func=cmd_demo)


def cmd_demo(args: argparse.Namespace, engine: ProcessEngine) -> int:
    """Create the demo data and print the demo users (the server, if wanted, starts afterwards)."""
    engine.db.create_all()
    result = run_demo(engine, cases=args.cases, seed=args.seed)
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
