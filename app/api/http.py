"""HTTP plumbing of the API: conditional answers (ETag), JSON bodies, bearer tokens."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import current_app, g, make_response, request
from marshmallow import Schema, ValidationError

from app.extensions import db
from app.web import json_error

from . import tokens
from .services import ApiProblem

INVALID = "入力内容に誤りがあります / invalid request"


def problem_response(p: ApiProblem):
    """The JSON error of an ApiProblem (web.json_error's shape), with the challenge of a 401."""
    response = make_response(json_error(p.status, p.message, p.code, p.errors))
    if p.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="tetsuzuki"'
    return response


def conditional(body: Any, status: int = 200):
    """A JSON answer with a strong ETag of its bytes; 304 when If-None-Match has it.

    The tag is the hash of what would be sent, so it changes exactly when the answer
    does (a new status row, a new volume, or a new day for "status as of today").
    """
    response = current_app.json.response(body)
    response.status_code = status
    response.add_etag()
    response.headers["Cache-Control"] = "no-cache"  # keep it, but ask again (cheap with 304)
    return response.make_conditional(request)


def query(schema: type[Schema]) -> dict[str, Any]:
    """Query parameters through a schema (empty ones count as absent); 400 when they don't fit."""
    try:
        return schema().load({k: v for k, v in request.args.items() if v != ""})
    except ValidationError as exc:
        raise ApiProblem(
            400,
            "invalid_parameter",
            "パラメータが正しくありません / invalid query parameter",
            _flat(exc.messages),
        ) from exc


def json_body(schema: type[Schema]) -> dict[str, Any]:
    """The JSON object of the request through a schema: 415, 400 or 422 when it can't be."""
    if not request.is_json:
        raise ApiProblem(
            415,
            "unsupported_media_type",
            "application/json で送ってください / send application/json",
        )
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise ApiProblem(
            400, "bad_request", "JSON のオブジェクトを送ってください / send a JSON object"
        )
    try:
        return schema().load(payload)
    except ValidationError as exc:
        raise ApiProblem(422, "invalid", INVALID, _flat(exc.messages)) from exc


def _flat(messages: Any) -> dict[str, list[str]]:
    """Marshmallow's messages as field → list of strings (the shape the document promises)."""
    if not isinstance(messages, dict):
        return {
            "_schema": [str(m) for m in (messages if isinstance(messages, list) else [messages])]
        }
    out: dict[str, list[str]] = {}
    for key, value in messages.items():
        if isinstance(value, dict):
            for sub, msgs in _flat(value).items():
                out[f"{key}.{sub}"] = msgs
        elif isinstance(value, list):
            out[str(key)] = [str(v) for v in value]
        else:
            out[str(key)] = [str(value)]
    return out


def token_sent() -> bool:
    """Whether the request carries an active API token (a department's software: not
    subject to the limits for anonymous callers). Never raises: a token that cannot be
    checked counts as none."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return False
    try:
        return tokens.authenticate(value.strip()) is not None
    except Exception:  # noqa: BLE001 - the limiter must not fail; the view meets the error
        current_app.logger.warning("could not check an API token", exc_info=True)
        db.session.rollback()
        return False


def bearer_token(view: Callable) -> Callable:
    """Require `Authorization: Bearer <token>` of an active API token (401 otherwise)."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        if not header:
            raise ApiProblem(
                401,
                "unauthorized",
                "Authorization: Bearer <API トークン> が必要です"
                " / send Authorization: Bearer <API token>",
            )
        token = tokens.authenticate(value.strip()) if scheme.lower() == "bearer" else None
        if token is None:
            raise ApiProblem(
                401,
                "invalid_token",
                "API トークンが正しくないか、失効しています / the API token is wrong or revoked",
            )
        g.api_token = token
        return view(*args, **kwargs)

    return wrapped
