"""Prometheus metrics: what is counted, and the `/metrics` answer's making.

Counted here, by the code that does the work: requests and their latency by route (the
URL rule, `/apply/<form_id>/<step>`, never the path a client sent: no personal data, a
bounded number of series), submissions by form and channel, drafts started by form, jobs
by kind and outcome with their durations, PDF render time, the KPI facts' cache hits, SQL
statements sent to the database by kind of process (web, worker, cli).
Queue depth and jobs by state are read when scraped (health.py adds them).

Under gunicorn, every worker process counts on its own: with PROMETHEUS_MULTIPROC_DIR set
(before the process starts: prometheus-client reads it when imported) each writes its
counts to files there and a scrape adds them up (app/gunicorn_conf.py removes a dead
worker's live values). Without it, each process answers for itself (development, tests).

Who may scrape: an address in METRICS_ALLOWED_NETWORKS (the client's address as the
trusted proxies report it, settings.trust_proxies), or a request with
`Authorization: Bearer <METRICS_TOKEN>`. Everyone else gets 404: the page is not there.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from functools import cache
from time import perf_counter

from flask import Flask, Response, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app import logs

# each process's own metrics (also what a multiprocess registry's files are written from)
REGISTRY = CollectorRegistry(auto_describe=True)

# request latencies: a page is 10-100 ms, a slow one seconds
_LATENCY = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter(
    "tetsuzuki_http_requests",
    "HTTP requests answered, by route (URL rule), method and status",
    ("route", "method", "status"),
    registry=REGISTRY,
)
LATENCY = Histogram(
    "tetsuzuki_http_request_duration_seconds",
    "Time to answer a request, by route (URL rule) and method",
    ("route", "method"),
    buckets=_LATENCY,
    registry=REGISTRY,
)
SUBMISSIONS = Counter(
    "tetsuzuki_submissions",
    "Applications submitted, by form and channel (web, api)",
    ("form", "channel"),
    registry=REGISTRY,
)
DRAFTS_STARTED = Counter(
    "tetsuzuki_drafts_started", "Drafts started on the web, by form", ("form",), registry=REGISTRY
)
JOBS = Counter(
    "tetsuzuki_jobs_run",
    "Background job runs, by kind and outcome (done, pending: will retry, failed, skipped)",
    ("kind", "outcome"),
    registry=REGISTRY,
)
JOB_DURATION = Histogram(
    "tetsuzuki_job_duration_seconds",
    "Time one background job run took, by kind",
    ("kind",),
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0),
    registry=REGISTRY,
)
PDF_RENDER = Histogram(
    "tetsuzuki_pdf_render_seconds",
    "Time to render one PDF (receipt, report)",
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=REGISTRY,
)
KPI_CACHE = Counter(
    "tetsuzuki_kpi_cache_lookups",
    "Look-ups of the KPI's facts, by result (hit: kept facts served; miss: reloaded)",
    ("result",),
    registry=REGISTRY,
)

STATEMENTS = Counter(
    "tetsuzuki_db_statements",
    "SQL statements sent to the database (each execute, as SQLAlchemy's"
    " before_cursor_execute sees it), by kind of process (web, worker, cli)",
    ("component",),
    registry=REGISTRY,
)

_UNMATCHED = "<unmatched>"  # no route: 404s, whatever path was asked for
_START = "tetsuzuki.started"


def init_app(app: Flask) -> None:
    """Time and count every request (register first: before any other before_request), and
    count the statements of every engine of the process (on the Engine class: the app's,
    a command's; once, however many apps a process makes)."""
    app.before_request(_started)
    app.after_request(_answered)
    if not event.contains(Engine, "before_cursor_execute", _statement):
        event.listen(Engine, "before_cursor_execute", _statement)


# component → its series (`labels()` per statement would cost more than counting)
_statement_series: dict[str, object] = {}


def _statement(*_args) -> None:
    """Every engine's before_cursor_execute: one more statement for this kind of process."""
    component = logs.component()
    series = _statement_series.get(component)
    if series is None:
        series = _statement_series[component] = STATEMENTS.labels(component)
    series.inc()  # type: ignore[attr-defined]


def job_ran(kind: str, outcome: str, seconds: float) -> None:
    """Heard from the jobs after each run (jobs.registry.AFTER_RUN)."""
    JOBS.labels(kind, outcome).inc()
    if outcome != "skipped":  # a skipped run did no work to time
        JOB_DURATION.labels(kind).observe(seconds)


def pdf_rendered(seconds: float) -> None:
    """Heard from the documents after each PDF (documents.pdf.AFTER_RENDER)."""
    PDF_RENDER.observe(seconds)


# each hook resolves the request proxy once (a context-local look-up costs about as much
# as counting): the per-request cost is what the project benchmarks
def _started() -> None:
    request._get_current_object().environ[_START] = perf_counter()  # type: ignore[attr-defined]


# (route, method, status) → (its request counter, its latency histogram): `labels()` checks
# and looks up its arguments on every call, most of this hook's cost; a route's series are
# made once per process
_series: dict[tuple[str, str, int], tuple] = {}


def _answered(response: Response) -> Response:
    req = request._get_current_object()  # type: ignore[attr-defined]
    started = req.environ.get(_START)
    rule = req.url_rule
    key = (rule.rule if rule is not None else _UNMATCHED, req.method, response.status_code)
    series = _series.get(key)
    if series is None:
        series = _series[key] = (
            REQUESTS.labels(key[0], key[1], str(key[2])),
            LATENCY.labels(key[0], key[1]),
        )
    series[0].inc()
    if started is not None:
        series[1].observe(perf_counter() - started)
    return response


def multiprocess_dir() -> str | None:
    """Read by prometheus-client itself at import, so an environment variable, not a setting."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR")


def exposition(*collectors) -> tuple[bytes, str]:
    """The text a scrape gets: every process's metrics (or this one's), plus `collectors`
    (objects with `collect()`, read now)."""
    registry = CollectorRegistry()
    if multiprocess_dir():
        MultiProcessCollector(registry)
    else:
        registry.register(_Own())
    for collector in collectors:
        registry.register(collector)
    return generate_latest(registry), CONTENT_TYPE_LATEST


class _Own:
    def collect(self):
        return REGISTRY.collect()


def may_scrape() -> bool:
    """METRICS_TOKEN as a bearer token, or an address in METRICS_ALLOWED_NETWORKS."""
    token = current_app.config.get("METRICS_TOKEN")
    sent = request.headers.get("Authorization", "")
    if token and sent.startswith("Bearer ") and hmac.compare_digest(sent[7:].strip(), token):
        return True
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(
        address in net for net in allowed_networks(current_app.config["METRICS_ALLOWED_NETWORKS"])
    )


@cache
def allowed_networks(setting: str) -> tuple:
    """`127.0.0.1/32, 10.0.0.0/8` → networks (a bad entry is refused at start-up)."""
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False)
        for part in setting.split(",")
        if part.strip()
    )
