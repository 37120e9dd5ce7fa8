"""Logs: one JSON line per record, the same for the web processes, the workers and the
commands (and gunicorn's own lines, app/gunicorn_conf.py), each with the request it
belongs to.

Every request gets an id (the proxy's `X-Request-ID` when it sends a sane one, else a new
one), sent back in `X-Request-ID` and put on every line logged while it runs; the jobs a
request sets off carry it in their outbox payload, and the lines a job logs carry it too
(with the job's id), so one id follows a submission from the page to its receipt and mails.

What is logged never holds what residents typed: the database driver's errors are logged
without their SQL parameters (`hide_parameters`, config.py), routes are logged by rule
where it matters (metrics), and tests/test_logs.py runs a whole journey and looks for the
answers in every line.

LOG_FORMAT `json` (production's default) or `text` (development's); LOG_LEVEL (INFO).
"""

from __future__ import annotations

import logging
import re
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import IO, Any

from flask import Flask, Response, request
from flask.logging import default_handler
from pythonjsonlogger.json import JsonFormatter as _Json

from app import __version__

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
job_id: ContextVar[int | None] = ContextVar("job_id", default=None)
_component = "cli"


class ContextFilter(logging.Filter):
    """Adds `component` (web, worker, cli), `request_id` and `job` to every record, and
    takes the secrets of sign-in out of the request lines of the access logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.component = _component
        record.request_id = request_id.get()
        record.job = job_id.get()
        if record.name in ACCESS_LOGGERS:
            _redact(record)
        return True


# the servers' own request lines (the dev server's, gunicorn's), which carry the query
ACCESS_LOGGERS = frozenset({"werkzeug", "gunicorn.access"})
# what an OpenID Connect callback's address carries (docs/identity.md): the authorization
# code and state, never to be written anywhere, and any token a provider might put there
_SECRET_PARAMS = re.compile(
    r"([?&](?:code|state|id_token|access_token|refresh_token|session_state)=)[^&\s\"']*"
)


def _redact(record: logging.LogRecord) -> None:
    message = record.getMessage()
    if "=" in message and _SECRET_PARAMS.search(message):
        record.msg, record.args = _SECRET_PARAMS.sub(r"\1[redacted]", message), ()


class JsonFormatter(_Json):
    """`{"time": "2026-12-03T06:39:59.929147+00:00", "level", "logger", "message",
    "component", "request_id", "job", …}`: times in UTC, as every server log."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fmt", ["levelname", "name", "message", "component", "request_id", "job"])
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", "time")
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__(*args, **kwargs)


TEXT_FORMAT = "%(asctime)s %(levelname)s [%(component)s %(request_id)s] %(name)s: %(message)s"


def handler(stream: IO[str] | None = None, fmt: str = "json") -> logging.Handler:
    out = logging.StreamHandler(stream or sys.stderr)
    out.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    out.addFilter(ContextFilter())
    return out


def set_component(component: str) -> None:
    """web, worker or cli: what this process is, on each of its lines."""
    global _component
    _component = component


def component() -> str:
    """What this process is now: web, worker or cli (metrics count statements by it)."""
    return _component


def configure(app: Flask, component: str) -> None:
    """The root logger writes our lines (once per process: gunicorn's configuration may
    have done it already); Flask's own handler goes, so nothing is written twice."""
    set_component(component)
    app.logger.removeHandler(default_handler)
    if app.config.get("TESTING"):
        return  # pytest captures the records itself (tests/test_logs.py adds a JSON handler)
    root = logging.getLogger()
    if not any(isinstance(f, ContextFilter) for h in root.handlers for f in h.filters):
        root.addHandler(handler(fmt=app.config["LOG_FORMAT"]))
    root.setLevel(app.config["LOG_LEVEL"])
    for chatty in ("alembic.runtime.plugins", "weasyprint.progress"):  # a line per plugin, per step
        logging.getLogger(chatty).setLevel(logging.WARNING)


def init_app(app: Flask) -> None:
    """A request id for every request, in its log lines and its answer."""
    app.before_request(_take_request_id)
    app.after_request(_send_request_id)
    app.teardown_request(_forget_request_id)


def _take_request_id() -> None:
    sent = request.headers.get(REQUEST_ID_HEADER, "")
    request_id.set(sent if _SANE_ID.fullmatch(sent) else secrets.token_hex(8))


def _send_request_id(response: Response) -> Response:
    rid = request_id.get()
    if rid:
        response.headers[REQUEST_ID_HEADER] = rid
    return response


def _forget_request_id(_exc: BaseException | None) -> None:
    request_id.set(None)


def stamped(payload: dict | None) -> dict:
    """A job's payload with the id of the request that set it off (if any)."""
    rid = request_id.get()
    return {**(payload or {}), "request_id": rid} if rid else dict(payload or {})


@contextmanager
def job_lines(job: Any) -> Iterator[None]:
    """Around each job run (jobs.registry.AROUND_RUN): its lines carry its id and the id of
    the request that set it off."""
    rid = (job.payload or {}).get("request_id") if isinstance(job.payload, dict) else None
    tokens = (job_id.set(job.id), request_id.set(rid))
    try:
        yield
    finally:
        request_id.reset(tokens[1])
        job_id.reset(tokens[0])


def report_errors(app: Flask) -> bool:
    """Unhandled errors to Sentry (or a compatible service) when SENTRY_DSN is set, with
    nothing personal. → whether reporting is on."""
    if not app.config.get("SENTRY_DSN"):
        return False
    # an optional extra (`pip install 'tetsuzuki[sentry]'`): imported only when configured
    import sentry_sdk

    sentry_sdk.init(**sentry_options(app))
    return True


def sentry_options(app: Flask) -> dict:
    """Sentry's settings: the release and environment, and no request bodies, cookies,
    user data or local variables (answers live in them). send_default_pii stays off (its
    default; newer SDKs deprecate setting it)."""
    # the optional extra again: only a process that reports errors reads these
    from sentry_sdk.consts import DEFAULT_OPTIONS
    from sentry_sdk.integrations.flask import FlaskIntegration
    from sentry_sdk.integrations.rq import RqIntegration

    options: dict = {
        "dsn": app.config["SENTRY_DSN"],
        "release": f"tetsuzuki@{__version__}",
        "environment": app.config.get("ENVIRONMENT"),
        "traces_sample_rate": 0,
        "integrations": [FlaskIntegration(), RqIntegration()],
        "max_request_body_size": "never",
        "include_local_variables": False,
    }
    if "data_collection" in DEFAULT_OPTIONS:  # newer SDKs: what is collected, spelt out
        options["data_collection"] = {
            "user_info": False,
            "http_bodies": [],
            "stack_frame_variables": False,
            "database_query_data": False,
        }
    return options
