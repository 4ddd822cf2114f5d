"""`kimflow sign-in-link`: the emergency way in for an administrator, from the server's command line."""

from __future__ import annotations

import argparse
import sys

from engine import NotFound, ProcessEngine, org
from web import config
from web.auth.emergency import make_token


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `sign-in-link`."""
    p = subparsers.add_parser("sign-in-link", help="einmaligen Notfall-Anmeldelink für ein Administrationskonto "
                                                   "ausgeben (auch wenn Passwörter abgeschaltet sind)")
    p.add_argument("username", help="Benutzername eines aktiven Kontos mit der Rolle admin")
    p.set_defaults(func=cmd_sign_in_link)


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
