"""The OpenID Connect client (Authlib): the authorization code flow with PKCE (S256),
`state` and `nonce` kept in the signed session of the browser that started it, and the
ID token checked — signature by the provider's published keys (fetched once, fetched
again when a token names a key not yet seen), issuer, audience, expiry, nonce.

Nothing here logs or returns a token: a refusal carries a short reason only."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app, request
from joserfc.errors import JoseError

from .providers import Provider, load

EXTENSION = "tetsuzuki.identity"
LEEWAY_SECONDS = 60  # clocks of the provider and of this server may differ this much
HOST = re.compile(r"[a-z0-9.:-]+")  # a name or an address (IPv6 without its brackets), no more


class SignInRefused(Exception):
    """A sign-in that cannot be completed; `reason` is a short code for the history and
    the log (never a token, a claim or the provider's description)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def init_app(app: Flask) -> None:
    """The configured providers, each registered with an Authlib client of this app's own
    (a client caches the provider's metadata and keys)."""
    providers = load(app.config.get("OIDC_PROVIDERS") or {}, app.config.get("ENVIRONMENT", ""))
    oauth = OAuth(app)
    timeout = app.config.get("OIDC_TIMEOUT_SECONDS", 10)
    for p in providers.values():
        oauth.register(
            p.name,
            client_id=p.client_id,
            client_secret=p.client_secret,
            server_metadata_url=p.metadata_url,
            client_kwargs={
                "scope": p.scope,
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": "client_secret_basic",
                "default_timeout": timeout,
            },
        )
    app.extensions[EXTENSION] = (providers, oauth)


def providers() -> dict[str, Provider]:
    return current_app.extensions[EXTENSION][0]


def provider(name: str) -> Provider | None:
    return providers().get(name)


def client(p: Provider):
    return current_app.extensions[EXTENSION][1].create_client(p.name)


def start(p: Provider, redirect_uri: str):
    """The redirect to the provider's sign-in; state, nonce and the PKCE verifier stay in
    this browser's session until the callback."""
    issuer_of(p)  # a provider whose metadata names another issuer is not one to go to
    try:
        return client(p).authorize_redirect(redirect_uri)
    except (requests.RequestException, ValueError, KeyError, RuntimeError) as exc:
        raise SignInRefused("provider_unreachable") from exc


def finish(p: Provider) -> dict[str, Any]:
    """The checked claims of the ID token the callback's code is exchanged for."""
    if request.args.get("error"):
        raise SignInRefused("cancelled" if request.args["error"] == "access_denied" else "error")
    if not request.args.get("code") or not request.args.get("state"):
        raise SignInRefused("no_code")
    iss = request.args.get("iss")
    if iss is not None and iss != issuer_of(p):  # RFC 9207: a mixed-up provider
        raise SignInRefused("wrong_issuer")
    app = client(p)
    issuer = issuer_of(p)
    # stated in full: Authlib checks the audience only when told to (its default is the
    # issuer alone, and an `azp` naming us would let another client's token through)
    options = {
        "iss": {"essential": True, "value": issuer},
        "aud": {"essential": True, "value": p.client_id},
        "sub": {"essential": True},
        "exp": {"essential": True},
        "iat": {"essential": True},
    }
    try:
        token = app.authorize_access_token(claims_options=options, leeway=LEEWAY_SECONDS)
    except OAuthError as exc:
        reason = "state" if exc.error == "mismatching_state" else "token_refused"
        raise SignInRefused(reason) from exc
    except JoseError as exc:
        raise SignInRefused(_jose_reason(exc)) from exc
    except requests.RequestException as exc:
        raise SignInRefused("provider_unreachable") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise SignInRefused("bad_token") from exc
    claims = token.get("userinfo")
    if not isinstance(claims, Mapping) or not claims.get("sub"):
        raise SignInRefused("no_id_token")
    return dict(claims)


def issuer_of(p: Provider) -> str:
    """The configured issuer, which the provider's metadata must name as its own (the ID
    token's `iss` is checked against the metadata's)."""
    try:
        named = client(p).load_server_metadata().get("issuer")
    except (requests.RequestException, ValueError) as exc:
        raise SignInRefused("provider_unreachable") from exc
    if not isinstance(named, str) or named != p.issuer:  # exactly (OpenID Discovery 4.3)
        raise SignInRefused("metadata_issuer")
    return p.issuer


def _jose_reason(exc: JoseError) -> str:
    """The ID token check that failed, by the error's name (expired_token, invalid_claim,
    bad_signature, …)."""
    code = getattr(exc, "error", "") or type(exc).__name__
    claim = getattr(exc, "claim", None)
    return (f"id_token:{code}:{claim}" if claim else f"id_token:{code}")[:60]


def logout_url(p: Provider, post_logout_redirect_uri: str) -> str | None:
    """The provider's end-session address (RP-initiated logout), if it has one: named by
    our client id, not by an ID token, so that no token travels in an address."""
    try:
        metadata = client(p).load_server_metadata()
    except (requests.RequestException, ValueError) as exc:
        current_app.logger.warning("OIDC %s: no metadata for sign-out: %s", p.name, type(exc))
        return None
    if not metadata.get("end_session_endpoint"):
        return None
    return client(p).create_logout_url(
        post_logout_redirect_uri=post_logout_redirect_uri, client_id=p.client_id
    )["url"]


def origin(url: str) -> str | None:
    """`scheme://host[:port]` of an http(s) address, as a CSP source; None for anything
    else (a host with characters that could end the policy's directive, for instance)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not HOST.fullmatch(host):
        return None
    host = f"[{host}]" if ":" in host else host  # urlsplit drops an IPv6 address's brackets
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


def form_target(p: Provider, endpoint: str) -> str | None:
    """The origin a button's answer sends the browser on to: the provider's
    `authorization_endpoint` (sign-in) or `end_session_endpoint` (sign-out), for the page's
    CSP (web.allow_form_targets). The issuer's when the metadata cannot be had now (the
    button then ends on our own page: provider_unreachable); None when the provider has no
    such endpoint."""
    try:
        url = client(p).load_server_metadata().get(endpoint)
    except (requests.RequestException, ValueError):
        url = p.issuer
    return origin(url) if isinstance(url, str) else None
