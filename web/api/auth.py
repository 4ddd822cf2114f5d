"""Who calls the API: service-account tokens and OAuth2 client-credentials bearer tokens (JWT, RFC 9068).

Personal browser sessions are not used here: the API app has no session, no sign-in and no CSRF.
Either credential becomes an engine Actor with the units of its service account, so the task rule and the
case visibility rule decide exactly as they do in the browser; the verbs say which operations it may call.
"""

from __future__ import annotations

import functools
import json
import time
import urllib.request
from collections.abc import Callable
from typing import Any, cast

from apiflask import HTTPTokenAuth, abort
from authlib.integrations.flask_oauth2 import ResourceProtector
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc9068 import JWTBearerTokenValidator
from flask import current_app, g
from joserfc.jwk import KeySet

from engine import clock, service_accounts
from web.security import services

auth = HTTPTokenAuth(scheme="Bearer", description="API-Token eines Dienstkontos oder OAuth2-Zugriffstoken (JWT)")
SCOPE_PREFIX = "kimflow:"
JWKS_SECONDS = 300


class IssuerValidator(JWTBearerTokenValidator):
    """Validate JWT access tokens of the configured issuer against its published keys (cached)."""

    def __init__(self, issuer: str, audience: str):
        super().__init__(issuer=issuer, resource_server=audience)
        self._jwks: tuple[float, KeySet] | None = None

    def get_jwks(self) -> KeySet:
        if self._jwks is None or time.monotonic() - self._jwks[0] > JWKS_SECONDS:
            config = _get_json(self.issuer.rstrip("/") + "/.well-known/openid-configuration")
            self._jwks = (time.monotonic(), KeySet.import_key_set(cast(Any, _get_json(config["jwks_uri"]))))
        return self._jwks[1]


def _get_json(url: str) -> dict:
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"unexpected URL {url!r}")
    with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 - scheme checked above
        return json.load(answer)


def init_app(app) -> None:
    """Set up the OAuth2 resource protector when an issuer is configured."""
    issuer = app.config.get("API_OIDC_ISSUER")
    if issuer:
        protector = ResourceProtector()
        protector.register_token_validator(IssuerValidator(issuer, app.config.get("API_OIDC_AUDIENCE") or "kimflow"))
        app.extensions["kimflow_api_protector"] = protector


@auth.verify_token
def _verify(token: str) -> service_accounts.Caller | None:
    if not token:
        return None
    if token.startswith(service_accounts.TOKEN_PREFIX):
        return _service_token(token)
    protector = current_app.extensions.get("kimflow_api_protector")
    return _bearer_jwt(protector) if protector is not None else None


def _service_token(token: str) -> service_accounts.Caller | None:
    try:
        with services().db.unit_of_work() as session:
            return service_accounts.authenticate(session, token, clock.now())
    except service_accounts.TokenError:
        return None


def _bearer_jwt(protector: ResourceProtector) -> service_accounts.Caller | None:
    try:
        claims = protector.acquire_token()
    except (OAuth2Error, ValueError, OSError):
        return None
    scopes = {s.removeprefix(SCOPE_PREFIX) for s in str(claims.get("scope", "")).split() if s.startswith(SCOPE_PREFIX)}
    with services().db.reading() as session:
        account = service_accounts.account_by_name(session, str(claims["client_id"]))
        if account is None or not account.active:
            return None
        actor = service_accounts.account_actor(session, account.name, account.units)
    return service_accounts.Caller(actor, frozenset(account.verbs) & scopes, f"client:{claims['client_id']}")


def caller() -> service_accounts.Caller:
    """Return the authenticated caller of this request."""
    return cast(service_accounts.Caller, auth.current_user)


def needs(verb: str) -> Callable:
    """Refuse the operation (403) unless the caller's credential carries `verb`."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            if not caller().may(verb):
                abort(403, f"Dem Zugang fehlt die Berechtigung »{verb}«")
            g.kimflow_verb = verb
            return view(*args, **kwargs)

        return wrapper

    return decorate
