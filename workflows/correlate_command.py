"""`kimflow correlate MESSAGE [--key K] [--case REF] [--data JSON]`: deliver a message from outside."""

from __future__ import annotations

import argparse
import json
import sys

from engine.core.actors import Actor
from engine.core.errors import CorrelationError
from engine.service.engine import ProcessEngine
from workflows import person_keys

EXIT_NOTHING_WAITS = 2


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `correlate` to the kimflow command line."""
    # The CLI is a composition root like the web app: cases it writes keep their search keys in step.
    person_keys.install()
    p = subparsers.add_parser("correlate", help="eine Nachricht von außen an wartende Vorgänge zustellen")
    p.add_argument("message", help="Name der Nachricht, z. B. agency_consent_response")
    p.add_argument("--key", help="Geschäftsschlüssel des Vorgangs")
    p.add_argument("--case", help="Fallnummer, z. B. K-2026-00017")
    p.add_argument("--data", help="Inhalt der Nachricht als JSON-Objekt")
    p.add_argument("--user", default="cli")
    p.set_defaults(func=cmd_correlate)


def cmd_correlate(args: argparse.Namespace, engine: ProcessEngine) -> int:
    """Deliver the message; exit 2 with a message when no instance and no start event waits for it."""
    payload = json.loads(args.data) if args.data else {}
    if not isinstance(payload, dict):
        raise ValueError("--data muss ein JSON-Objekt sein, z. B. '{\"consent\": \"granted\"}'")
    try:
        ids = engine.correlate(args.message, actor=Actor.system_actor(args.user), payload=payload,
                               business_key=args.key, case_ref=args.case)
    except CorrelationError as err:
        narrowed = " ".join(f"{label} {value}" for label, value in (("Fall", args.case), ("Schlüssel", args.key))
                            if value)
        print(f"{err}{' (' + narrowed + ')' if narrowed else ''}.", file=sys.stderr)
        return EXIT_NOTHING_WAITS
    print(json.dumps({"message": args.message, "instances": ids}))
    return 0
