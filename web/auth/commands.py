"""Sign-in from the server's command line: `sign-in-link` (the emergency way in for an administrator) and
`sso-mapping` (the group mapping, e.g. the first administrators' group before anyone can sign in)."""

from __future__ import annotations

import argparse
import json
import sys

from engine import KimflowError, NotFound, ProcessEngine, org, sso
from web import config
from web.auth.emergency import make_token


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `sign-in-link` and `sso-mapping`."""
    p = subparsers.add_parser("sign-in-link", help="einmaligen Notfall-Anmeldelink für ein Administrationskonto "
                                                   "ausgeben (auch wenn Passwörter abgeschaltet sind)")
    p.add_argument("username", help="Benutzername eines aktiven Kontos mit der Rolle admin")
    p.set_defaults(func=cmd_sign_in_link)
    p = subparsers.add_parser("sso-mapping", help="Gruppen des Anmeldedienstes Rollen und Stellen zuordnen")
    p.add_argument("action", choices=("list", "add", "remove"))
    p.add_argument("group", nargs="?", help="Gruppe beim Anmeldedienst (add)")
    p.add_argument("--role", default=None, help="Rolle (add)")
    p.add_argument("--unit", default=None, help="Stelle (add)")
    p.add_argument("--id", type=int, default=None, help="Nummer der Zuordnung (remove)")
    p.set_defaults(func=cmd_sso_mapping)


def cmd_sso_mapping(args: argparse.Namespace, engine: ProcessEngine) -> int:
    """List, add or remove rows of the group mapping; print the mapping as JSON lines."""
    try:
        with engine.db.unit_of_work() as session:
            if args.action == "add":
                sso.add_mapping(session, args.group or "", role=args.role, unit_code=args.unit, actor="cli")
            elif args.action == "remove":
                if args.id is None:
                    raise KimflowError("Bitte --id der Zuordnung angeben (siehe `kimflow sso-mapping list`).")
                sso.remove_mapping(session, args.id, actor="cli")
            rows = [{"id": r.id, "group": r.idp_group, "role": r.role, "unit": r.unit_code}
                    for r in sso.list_mappings(session)]
    except KimflowError as err:
        print(f"kimflow sso-mapping: {err}", file=sys.stderr)
        return 2
    for row in rows:
        print(json.dumps(row, ensure_ascii=False))
    return 0


def cmd_sign_in_link(args: argparse.Namespace, engine: ProcessEngine) -> int:
    """Print a one-time sign-in URL (valid for ten minutes) for an administrator."""
    settings = config.from_environment()
    if not settings["SECRET_KEY"]:
        print("kimflow sign-in-link: KIMFLOW_SECRET_KEY ist nicht gesetzt; der Link muss mit dem Schlüssel des "
              "Servers signiert sein.", file=sys.stderr)
        return 2
    with engine.db.reading() as session:
        try:
            user = org.user_by_name(session, args.username)
        except NotFound:
            user = None
        if user is None or not user.active or user.role != "admin":
            print("kimflow sign-in-link: kein aktives Konto mit der Rolle admin unter diesem Namen.",
                  file=sys.stderr)
            return 2
        token = make_token(settings["SECRET_KEY"], user.username, user.session_version)
    print(f"{settings['BASE_URL'].rstrip('/')}/login/notfall/{token}")
    return 0
