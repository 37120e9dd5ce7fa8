"""The outbox: jobs written with what caused them, handed to the queue after the commit.

A submission's jobs are rows of `outbox_jobs`, added in the submission's own
transaction. Only after the commit are they enqueued (RQ) or run (inline); if that
fails — Redis down, the process killed — the rows are still there, and `sweep()`
hands them out again. State changes are conditional updates, so two workers or two
sweeps never both take the same row.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import after_this_request, current_app, has_request_context
from redis.exceptions import RedisError
from rq import Queue
from rq.job import Job
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError

from app.clock import japan_time, utcnow
from app.extensions import db

from . import queue, registry, tasks
from .models import FAILED, PENDING, QUEUED, RUNNING, OutboxJob

log = logging.getLogger(__name__)

# RQ states after which a queued row's job will never run
_RQ_GONE = {"finished", "failed", "stopped", "canceled"}


# --- writing ---------------------------------------------------------------------------------


def add(
    kind: str,
    key: str,
    *,
    submission_id: int | None = None,
    payload: dict | None = None,
    unique_check: bool = False,
    run_after: datetime | None = None,
) -> OutboxJob | None:
    """Add a job to the current transaction. With `unique_check`, a key already there is
    left alone (→ None): scheduled work such as the monthly report is written once."""
    row = OutboxJob(
        key=key,
        kind=kind,
        submission_id=submission_id,
        payload=registry.stamp(payload),
        state=PENDING,
        attempts=0,
        run_after=run_after or utcnow(),
    )
    if not unique_check:
        db.session.add(row)
        return row
    if db.session.scalar(select(OutboxJob.id).where(OutboxJob.key == key)) is not None:
        return None
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:  # another process wrote it first
        return None
    return row


def new_job(now: datetime) -> dict:
    """The columns of a job that has not been handed out yet."""
    return {"state": PENDING, "attempts": 0, "run_after": now, "created_at": now}


# --- handing out -----------------------------------------------------------------------------


def dispatch(ids: Iterable[int]) -> int:
    """After the commit: enqueue (RQ) or run (inline) these jobs. Never raises: what is
    not handed out now stays pending for the sweep. → how many were handed out."""
    ids = list(ids)
    if not ids:
        return 0
    if queue.mode() == "inline" and has_request_context():
        return _after_response(ids)
    try:
        if queue.mode() == "rq":
            return _enqueue(ids)
        return _run_inline(ids)
    except Exception:  # noqa: BLE001 - the caller's work is stored; the sweep retries
        log.exception("dispatching jobs %s failed; the sweep will retry", ids)
        db.session.rollback()
        return 0


def _after_response(ids: list[int]) -> int:
    """Inline jobs of a web request run once its response is sent (when the server closes
    it): the resident does not wait for the PDF, as with a worker."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def run_later() -> None:
        with app.app_context():
            try:
                _run_inline(ids)
            except Exception:  # noqa: BLE001 - the rows stay pending for the sweep
                log.exception("inline jobs %s failed; the sweep will retry", ids)

    @after_this_request
    def _on_close(response):
        response.call_on_close(run_later)
        return response

    return len(ids)


def dispatch_now(ids: Iterable[int]) -> int:
    """Run inline jobs in this process now (a catch-up; see submissions/receipts.py)."""
    return _run_inline(list(ids))


def _run_inline(ids: list[int]) -> int:
    for job_id in ids:
        tasks.run(job_id)
    return len(ids)


def _enqueue(ids: list[int]) -> int:
    """Hand the pending rows among `ids` to RQ: one Redis round trip for all of them (on
    the process's shared connection), then one statement marking them queued."""
    cfg = current_app.config
    rows = db.session.execute(
        select(OutboxJob.id, OutboxJob.attempts).where(
            OutboxJob.id.in_(ids), OutboxJob.state == PENDING
        )
    ).all()
    if not rows:
        return 0
    prefix, token = queue.job_id_prefix(), secrets.token_hex(4)
    rq_ids = {job_id: f"{prefix}outbox-{job_id}-{token}" for job_id, _ in rows}
    try:
        queue.get_queue(queue.shared_connection()).enqueue_many(
            [
                Queue.prepare_data(
                    "app.jobs.tasks.run",
                    (job_id,),
                    job_id=rq_ids[job_id],
                    timeout=cfg["JOB_TIMEOUT_SECONDS"],
                    result_ttl=3600,
                    failure_ttl=7 * 86400,
                    description=f"outbox {job_id}",
                )
                for job_id, _ in rows
            ]
        )
    except (RedisError, OSError) as exc:
        log.warning(
            "Redis is not available (%s): %d job(s) stay pending for the sweep", exc, len(rows)
        )
        return 0
    # a worker may already have taken one: only a row still pending becomes queued
    table = OutboxJob.__table__
    db.session.execute(
        update(table)
        .where(
            table.c.id == bindparam("b_id"),
            table.c.state == PENDING,
            table.c.attempts == bindparam("b_attempts"),
        )
        .values(state=QUEUED, queued_at=utcnow(), rq_job_id=bindparam("b_rq")),
        [{"b_id": i, "b_attempts": a, "b_rq": rq_ids[i]} for i, a in rows],
    )
    db.session.commit()
    return len(rows)


# --- the sweep -------------------------------------------------------------------------------


@dataclass
class SweepReport:
    scheduled: int = 0  # periodic jobs written (monthly report, retention)
    abandoned: int = 0  # running past their lease: the worker died
    lost: int = 0  # queued, but the queue no longer has them (Redis restarted, flushed)
    handed_out: int = 0  # pending and due: enqueued or run

    def __str__(self) -> str:
        return (
            f"scheduled={self.scheduled} abandoned={self.abandoned} lost={self.lost} "
            f"handed_out={self.handed_out}"
        )


def sweep(
    now: datetime | None = None, *, periodic: bool | None = None, limit: int = 500
) -> SweepReport:
    """Re-hand out what is pending and due, abandoned, or lost from the queue; with
    `periodic` (default: JOB_PERIODIC), write the periodic jobs that are due first."""
    cfg = current_app.config
    now = now or utcnow()
    report = SweepReport()
    if cfg["JOB_PERIODIC"] if periodic is None else periodic:
        report.scheduled = schedule_periodic(now)

    lease = now - timedelta(seconds=cfg["JOB_LEASE_SECONDS"])
    for job in db.session.scalars(
        select(OutboxJob)
        .where(OutboxJob.state == RUNNING, OutboxJob.started_at < lease)
        .limit(limit)
    ).all():
        give_up = job.attempts >= cfg["JOB_MAX_ATTEMPTS"]
        report.abandoned += db.session.execute(
            update(OutboxJob)
            .where(
                OutboxJob.id == job.id,
                OutboxJob.state == RUNNING,
                OutboxJob.attempts == job.attempts,
            )
            .values(
                state=FAILED if give_up else PENDING,
                run_after=now,
                finished_at=now if give_up else None,
                last_error="中断されました（ワーカーが停止） / abandoned: the worker stopped before finishing",
            )
        ).rowcount
    db.session.commit()

    if queue.mode() == "rq":
        report.lost = _requeue_lost(
            now - timedelta(seconds=cfg["JOB_REQUEUE_AFTER_SECONDS"]), now, limit
        )

    due = list(
        db.session.scalars(
            select(OutboxJob.id)
            .where(OutboxJob.state == PENDING, OutboxJob.run_after <= now)
            .order_by(OutboxJob.id)
            .limit(limit)
        )
    )
    report.handed_out = dispatch(due)
    return report


def _requeue_lost(before: datetime, now: datetime, limit: int) -> int:
    """Queued rows whose RQ job is gone or ended without running ours → pending again."""

    rows = db.session.execute(
        select(OutboxJob.id, OutboxJob.rq_job_id)
        .where(OutboxJob.state == QUEUED, OutboxJob.queued_at < before)
        .limit(limit)
    ).all()
    if not rows:
        return 0
    conn = queue.connection()
    try:
        jobs = Job.fetch_many([r.rq_job_id or "none" for r in rows], connection=conn)
        statuses = [j.get_status(refresh=False) if j is not None else None for j in jobs]
    except (RedisError, OSError) as exc:
        log.warning("Redis is not available (%s): queued jobs not checked", exc)
        return 0
    finally:
        conn.close()
    lost = 0
    for (job_id, rq_id), status in zip(rows, statuses, strict=True):
        if status is None or str(getattr(status, "value", status)) in _RQ_GONE:
            lost += db.session.execute(
                update(OutboxJob)
                .where(
                    OutboxJob.id == job_id, OutboxJob.state == QUEUED, OutboxJob.rq_job_id == rq_id
                )
                .values(state=PENDING, run_after=now)
            ).rowcount
    db.session.commit()
    return lost


def schedule_periodic(now: datetime) -> int:
    """Write the periodic jobs the features registered that are due, once each (their
    keys are unique: a second sweep the same day writes nothing)."""
    local = japan_time(now)
    made = 0
    for factory in registry.PERIODIC.values():
        for kind, key, payload in factory(local):
            if add(kind, key, payload=payload, unique_check=True, run_after=now) is not None:
                made += 1
    db.session.commit()
    return made


# --- for admins ------------------------------------------------------------------------------


def jobs(state: str | None = None, limit: int = 50) -> list[OutboxJob]:
    q = select(OutboxJob).order_by(OutboxJob.id.desc()).limit(limit)
    if state:
        q = q.where(OutboxJob.state == state)
    return list(db.session.scalars(q))


def failed_jobs(limit: int = 100) -> list[OutboxJob]:
    """Jobs that gave up: what an admin sees, each with a retry button."""
    return jobs(FAILED, limit)


def counts() -> dict[str, int]:
    return dict(
        db.session.execute(select(OutboxJob.state, func.count()).group_by(OutboxJob.state)).all()
    )


def retry(job_id: int) -> OutboxJob | None:
    """Give a failed job a fresh set of attempts and hand it out now; None if it is not failed."""
    changed = db.session.execute(
        update(OutboxJob)
        .where(OutboxJob.id == job_id, OutboxJob.state == FAILED)
        .values(state=PENDING, attempts=0, run_after=utcnow(), finished_at=None)
    ).rowcount
    db.session.commit()
    if not changed:
        return None
    dispatch([job_id])
    return db.session.get(OutboxJob, job_id)
