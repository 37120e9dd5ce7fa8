"""Running one job: the same function for an RQ worker and inline. A job is taken by
a conditional update (two runs never both take it), run by the handler its feature
registered, and recorded as done, or failed with backoff until its attempts run out.
Handlers take the outbox row, load what they need, and are idempotent: a second run has
the effect of one."""

from __future__ import annotations

import logging
from contextlib import ExitStack
from datetime import timedelta
from time import perf_counter

from flask import Flask, current_app, has_app_context
from sqlalchemy import update

from app.clock import utcnow
from app.extensions import db

from . import registry
from .models import DONE, FAILED, PENDING, QUEUED, RUNNING, OutboxJob

log = logging.getLogger(__name__)


def _app() -> Flask:
    """The app of the worker entry point (`flask worker` builds it and runs the jobs in its
    context) or of the caller (inline). A job never builds an app of its own."""
    if not has_app_context():
        raise RuntimeError("jobs run inside an app context: start workers with `flask worker`")
    return current_app._get_current_object()  # type: ignore[attr-defined]


def run(outbox_id: int) -> str:
    """The RQ entry point: run one outbox job in an app context of its own (a fresh
    database session). Failures are recorded in the outbox, not raised: RQ only carries."""
    with _app().app_context():
        return execute(outbox_id)


def execute(outbox_id: int) -> str:
    job = claim(outbox_id)
    if job is None:
        _measured("-", "skipped", perf_counter())
        return "skipped"  # done already, or another run has it
    with ExitStack() as around:  # e.g. the job's log lines carry its id (registry.AROUND_RUN)
        for context in registry.AROUND_RUN.values():
            around.enter_context(context(job))
        return _execute(job)


def _execute(job: OutboxJob) -> str:
    outbox_id, kind = job.id, job.kind
    started = perf_counter()
    handler = registry.HANDLERS.get(kind)
    try:
        if handler is None:
            raise LookupError(f"unknown job kind {kind!r}")
        result = handler(job)
    except Exception as exc:  # noqa: BLE001 - every failure is recorded and retried
        state = fail(
            outbox_id,
            f"{type(exc).__name__}: {exc}",
            permanent=bool(getattr(exc, "permanent", False)) or handler is None,
        )
        log.warning("job %s (%s) failed, now %s: %s", outbox_id, kind, state, exc)
        _measured(kind if handler else "unknown", state, started)
        return state
    succeed(outbox_id, result)
    _measured(kind, "done", started)
    log.info("job %s (%s) done", outbox_id, kind)
    return "done"


def _measured(kind: str, outcome: str, started: float) -> None:
    seconds = perf_counter() - started
    for heard in registry.AFTER_RUN.values():
        heard(kind, outcome, seconds)


# --- a job's states while it runs ----------------------------------------------------------


def claim(job_id: int) -> OutboxJob | None:
    """Take a pending or queued job for running; None when another run has it or it is done."""
    taken = db.session.execute(
        update(OutboxJob)
        .where(OutboxJob.id == job_id, OutboxJob.state.in_((PENDING, QUEUED)))
        .values(state=RUNNING, started_at=utcnow(), attempts=OutboxJob.attempts + 1)
    ).rowcount
    db.session.commit()
    return db.session.get(OutboxJob, job_id) if taken == 1 else None


def succeed(job_id: int, result: str | None) -> None:
    db.session.execute(
        update(OutboxJob)
        .where(OutboxJob.id == job_id, OutboxJob.state == RUNNING)
        .values(
            state=DONE, finished_at=utcnow(), result=(result or "")[:300] or None, last_error=None
        )
    )
    db.session.commit()


def backoff(attempts: int) -> timedelta:
    """30 s, 2 min, 8 min, 32 min, … (×4 per attempt), at most JOB_BACKOFF_MAX_SECONDS."""
    cfg = current_app.config
    seconds = cfg["JOB_BACKOFF_SECONDS"] * 4 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, cfg["JOB_BACKOFF_MAX_SECONDS"]))


def fail(job_id: int, error: str, *, permanent: bool = False) -> str:
    """Record a failed run: pending again after the backoff, or failed when the attempts
    are used up (or retrying cannot help). → the new state."""
    db.session.rollback()
    job = db.session.get(OutboxJob, job_id)
    if job is None:
        return FAILED
    now = utcnow()
    give_up = permanent or job.attempts >= current_app.config["JOB_MAX_ATTEMPTS"]
    state = FAILED if give_up else PENDING
    db.session.execute(
        update(OutboxJob)
        .where(OutboxJob.id == job_id, OutboxJob.state == RUNNING)
        .values(
            state=state,
            last_error=error[:4000],
            finished_at=now if give_up else None,
            run_after=now if give_up else now + backoff(job.attempts),
        )
    )
    db.session.commit()
    return state
