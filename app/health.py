"""Health for operators and load balancers.

- `/healthz/live`: the process answers (200 always).
- `/healthz/ready` (and `/healthz`): whether this deployment can do its work now — the
  database answers and is at the newest migration, Redis answers when it is configured,
  a worker has been heard from in the last minute while jobs wait, and the oldest job
  waiting is younger than HEALTH_MAX_JOB_AGE_SECONDS. 503 when any of these fails, with
  the failing checks named. The database (down, or not at the newest migration) makes
  it 503 `unavailable`: no page can work. Redis, the workers and old waiting jobs make
  it 200 `degraded`: residents can still apply (their jobs wait in the outbox), so a load
  balancer keeps the node, while monitoring sees the problem. Failed jobs are counted
  (they wait for an admin).
- `/metrics`: Prometheus metrics (app/metrics.py), for the allowed networks or token only,
  with the outbox's jobs by state and the queue's depth read at each scrape.
"""

from __future__ import annotations

from datetime import timedelta

from alembic.migration import MigrationContext
from flask import Blueprint, Response, abort, current_app, jsonify
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from app import __version__
from app.clock import as_utc, utcnow
from app.extensions import db
from app.jobs import outbox, queue
from app.jobs.models import DONE, FAILED, PENDING, QUEUED, RUNNING, OutboxJob
from app.metrics import exposition, may_scrape
from app.startup import schema_head

bp = Blueprint("health", __name__)

WORKER_SILENT_SECONDS = 60


@bp.get("/healthz/live")
def live():
    return jsonify({"status": "ok", "version": __version__})


@bp.get("/healthz")
@bp.get("/healthz/ready")
def ready():
    body: dict = {"status": "ok", "version": __version__}
    problems: list[str] = []
    try:
        conn = db.session.connection()
        revision = MigrationContext.configure(conn).get_current_revision()
        body["database"] = "ok"
        body["schema"] = revision
        if revision != schema_head():
            problems.append("schema")
            body["schema_expected"] = schema_head()
    except Exception:  # noqa: BLE001 - any failure means the database is not usable
        db.session.rollback()
        body["database"] = "down"
        problems.append("database")
    waiting = _outbox(body, problems) if not problems else 0
    _queue(body, problems, waiting)
    fatal = {"database", "schema"} & set(problems)
    body["status"] = "unavailable" if fatal else ("degraded" if problems else "ok")
    if problems:
        body["problems"] = problems
    return jsonify(body), (503 if fatal else 200)


def _outbox(body: dict, problems: list[str]) -> int:
    """What waits in the outbox, for how long, and what failed → how many wait."""
    counts = dict(
        db.session.execute(
            select(OutboxJob.state, func.count())
            .where(OutboxJob.state.in_((PENDING, QUEUED, FAILED)))
            .group_by(OutboxJob.state)
        ).all()
    )
    waiting = counts.get(PENDING, 0) + counts.get(QUEUED, 0)
    oldest = db.session.scalar(
        select(func.min(OutboxJob.run_after)).where(OutboxJob.state.in_((PENDING, QUEUED)))
    )
    age = (utcnow() - as_utc(oldest)).total_seconds() if oldest is not None else 0
    body["jobs"] = {
        "waiting": waiting,
        "oldest_waiting_seconds": max(0, int(age)),
        "failed": counts.get(FAILED, 0),
    }
    if age > current_app.config["HEALTH_MAX_JOB_AGE_SECONDS"]:
        problems.append("jobs")
    return waiting


def _queue(body: dict, problems: list[str], waiting: int) -> None:
    """Redis, and the workers heard from lately (with REDIS_URL)."""
    body["queue"] = queue.mode()
    if queue.mode() != "rq":
        return
    heard = queue.workers_heard_within(timedelta(seconds=WORKER_SILENT_SECONDS))
    if heard is None:
        body["queue"] = "down"
        problems.append("queue")
        return
    body["workers"] = heard
    if waiting and not heard:
        problems.append("workers")


@bp.get("/metrics")
def metrics_view():
    if not may_scrape():
        abort(404)
    body, content_type = exposition(_Backlog())
    return Response(body, content_type=content_type)


class _Backlog:
    """Read at each scrape: the outbox's jobs by state, the RQ queue's depth, and whether
    the database and Redis answered for them."""

    def collect(self):
        database = GaugeMetricFamily("tetsuzuki_database_up", "The database answered the scrape")
        try:
            counts = outbox.counts()
            database.add_metric([], 1)
        except Exception:  # noqa: BLE001 - a scrape reports the database down, it does not fail
            db.session.rollback()
            counts = None
            database.add_metric([], 0)
        yield database
        if counts is not None:
            states = GaugeMetricFamily("tetsuzuki_jobs", "Outbox jobs by state", labels=["state"])
            for state in (PENDING, QUEUED, RUNNING, DONE, FAILED):
                states.add_metric([state], counts.get(state, 0))
            yield states
        if queue.mode() != "rq":
            return
        up = GaugeMetricFamily("tetsuzuki_queue_up", "Redis answered the scrape")
        depth = queue.depth()
        up.add_metric([], 0 if depth is None else 1)
        yield up
        if depth is not None:
            yield GaugeMetricFamily(
                "tetsuzuki_queue_depth", "Jobs waiting in the RQ queue", value=depth
            )
