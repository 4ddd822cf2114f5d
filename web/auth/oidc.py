"""Sign-in through the municipality's OpenID Connect provider (authorization code with PKCE, via Authlib).

Authlib keeps state, nonce and the PKCE verifier in the session, checks the state on return and verifies the
ID token's signature against the provider's JWKS, its issuer, audience, expiry and nonce. Roles and units come
from the group mapping in the database (`engine.sso`).
"""

from __future__ import annotations

import logging
import os
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import Flask, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from joserfc.errors import JoseError

from engine import sso
from web.auth import bp
from web.auth.session import safe_next, start_session
from web.security import public, services

PROVIDER = "kommune"
DEFAULT_SCOPES = "openid profile email groups"
log = logging.getLogger(__name__)


def _env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() not in ("0", "off", "false", "no", "nein")


@bp.record_once
def configure(state: Any) -> None:
    """Read the sign-in settings (test overrides win) and register the provider when one is configured."""
    app: Flask = state.app
    config = app.config
    config.setdefault("OIDC_ISSUER", os.environ.get("KIMFLOW_OIDC_ISSUER") or None)
    config.setdefault("OIDC_CLIENT_ID", os.environ.get("KIMFLOW_OIDC_CLIENT_ID") or None)
    config.setdefault("OIDC_CLIENT_SECRET", os.environ.get("KIMFLOW_OIDC_CLIENT_SECRET") or None)
    config.setdefault("OIDC_SCOPES", os.environ.get("KIMFLOW_OIDC_SCOPES") or DEFAULT_SCOPES)
    config.setdefault("OIDC_GROUPS_CLAIM", os.environ.get("KIMFLOW_OIDC_GROUPS_CLAIM") or "groups")
    config.setdefault("LOCAL_PASSWORDS", _env_flag("KIMFLOW_LOCAL_PASSWORDS", True))
    if not (config["OIDC_ISSUER"] and config["OIDC_CLIENT_ID"]):
        return
    client_kwargs = {"scope": config["OIDC_SCOPES"], "code_challenge_method": "S256", "timeout": 10}
    if not config["OIDC_CLIENT_SECRET"]:
        client_kwargs["token_endpoint_auth_method"] = "none"  # noqa: S105  public client: PKCE binds the code
    oauth = OAuth(app)
    oauth.register(PROVIDER, client_id=config["OIDC_CLIENT_ID"], client_secret=config["OIDC_CLIENT_SECRET"],
                   server_metadata_url=config["OIDC_ISSUER"].rstrip("/") + "/.well-known/openid-configuration",
                   client_kwargs=client_kwargs)
    app.extensions["kimflow_oidc"] = oauth.create_client(PROVIDER)


def client() -> Any:
    """Return the registered provider client, or None when single sign-on is not configured."""
    return current_app.extensions.get("kimflow_oidc")


def _refuse(message: str, status: int):
    return render_template("auth/login.html", error=message, username="", sso=client() is not None), status


@bp.route("/login/sso")
@public
def sso_start():
    """Send the browser to the provider's sign-in page."""
    provider = client()
    if provider is None:
        abort(404)
    session["sso_next"] = request.args.get("next", "")[:500]  # checked by safe_next() when used
    try:
        return provider.authorize_redirect(url_for("auth.sso_callback", _external=True))
    except (AuthlibBaseError, requests.RequestException, ValueError) as err:
        log.warning("OpenID provider unreachable: %s", type(err).__name__)
        return _refuse(_("Der Anmeldedienst der Kommune ist gerade nicht erreichbar. Bitte später erneut "
                         "versuchen."), 503)


@bp.route("/login/sso/callback")
@public
def sso_callback():
    """Take the provider's answer: check state and ID token, provision the user, start the session."""
    provider = client()
    if provider is None:
        abort(404)
    try:
        token = provider.authorize_access_token()
        claims = _claims(provider, token)
    except (AuthlibBaseError, JoseError, requests.RequestException, KeyError, ValueError) as err:
        log.info("single sign-on refused: %s", type(err).__name__)  # never the token or the claims
        return _refuse(_("Die Anmeldung über den Anmeldedienst ist fehlgeschlagen oder abgelaufen. Bitte "
                         "versuchen Sie es erneut."), 400)
    groups = claims.get(current_app.config["OIDC_GROUPS_CLAIM"]) or []
    with services().db.unit_of_work() as db_session:
        result = sso.sign_in(db_session, issuer=str(claims["iss"]), subject=str(claims["sub"]), claims=claims,
                             groups=groups if isinstance(groups, list) else [groups])
        username = result.user.username if result.user is not None else None
    if username is None:
        return _refuse(result.message, 403)
    target = session.get("sso_next")
    if not start_session(username, oidc_id_token=token.get("id_token")):
        return _refuse(_("Das Konto ist deaktiviert."), 403)
    return redirect(safe_next(target, default="staff.home"))  # home sends each role to its start page


def _claims(provider: Any, token: dict) -> dict:
    """Return the verified ID token's claims, with the groups from the userinfo endpoint if the token lacks them."""
    claims = dict(token.get("userinfo") or {})
    if not claims.get("sub") or not claims.get("iss"):
        raise ValueError("no verified ID token")
    groups_claim = current_app.config["OIDC_GROUPS_CLAIM"]
    if groups_claim not in claims:
        info = provider.userinfo(token=token)
        if info.get("sub") == claims["sub"]:  # the userinfo answer must be about the same person
            claims = {**info, **claims, groups_claim: info.get(groups_claim, [])}
    return claims


def provider_logout_url(id_token: str | None) -> str | None:
    """Return the provider's end-session URL (back to our sign-in page), or None when it offers none."""
    provider = client()
    if provider is None or not id_token:
        return None
    try:
        metadata = provider.load_server_metadata()
        if not metadata.get("end_session_endpoint"):
            return None
        return provider.create_logout_url(post_logout_redirect_uri=url_for("auth.login", _external=True),
                                          id_token_hint=id_token, client_id=current_app.config["OIDC_CLIENT_ID"])["url"]
    except (AuthlibBaseError, requests.RequestException, ValueError, RuntimeError):
        return None  # our session has ended anyway
