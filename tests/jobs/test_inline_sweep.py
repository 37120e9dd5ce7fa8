"""Inline jobs recover by themselves: the web process sweeps at start and now and then.

A server killed just after a submission leaves the resident's mail job `running` and the
rest `pending`; the app started next completes them without anyone running
`flask jobs sweep`.
"""

from __future__ import annotations

import time
from datetime import timedelta

import click
import pytest
from sqlalchemy import update

from app.clock import utcnow
from app.extensions import db
from app.jobs import outbox, sweeper
from app.jobs.models import OutboxJob

from .conftest import LOCAL_RECEIVER, SECRET, outbox_rows, submit


def wait_until(condition, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def restarted(make_app, crashed, **overrides):
    """The app started again on the crashed one's database and folders."""
    app = make_app(
        crashed.config["SQLALCHEMY_DATABASE_URI"],
        UPLOAD_DIR=crashed.config["UPLOAD_DIR"],
        WEBHOOK_SECRET=SECRET,
        JOB_PERIODIC=False,
        **LOCAL_RECEIVER,
        **overrides,
    )
    running = app.extensions.get(sweeper.EXTENSION)
    return app, running


@pytest.fixture
def stop_sweepers():
    started = []
    yield started
    for s in started:
        s.stop()


def test_work_left_by_a_crash_is_completed_by_the_next_start(
    jobs_app, make_app, receiver, monkeypatch, stop_sweepers
):
    # the process dies after the commit, before its jobs ran: nothing was handed out
    monkeypatch.setattr(outbox, "_run_inline", lambda ids: 0)
    body = submit(jobs_app)
    monkeypatch.undo()
    lease = timedelta(seconds=jobs_app.config["JOB_LEASE_SECONDS"] + 60)
    with jobs_app.app_context():
        # the resident's mail had been taken by the dead process, long enough ago
        db.session.execute(
            update(OutboxJob)
            .where(OutboxJob.kind == "mail_resident")
            .values(state="running", attempts=1, started_at=utcnow() - lease)
        )
        db.session.commit()
    before = {k: r.state for k, r in outbox_rows(jobs_app).items()}
    assert sorted(before.values()) == ["pending", "pending", "running"]

    app, running = restarted(make_app, jobs_app, JOB_INLINE_SWEEP=True)
    assert running is not None
    stop_sweepers.append(running)
    assert wait_until(lambda: {r.state for r in outbox_rows(app).values()} == {"done"}), (
        outbox_rows(app)
    )
    rows = outbox_rows(app)
    mail = next(r for k, r in rows.items() if k.startswith("mail_resident"))
    assert mail.attempts == 2  # the dead attempt, then this one
    assert len(receiver.requests) == 1
    assert receiver.requests[0]["body"].decode().count(body["receipt_no"]) == 1


def test_the_sweep_comes_round_again_every_job_sweep_seconds(
    jobs_app, make_app, monkeypatch, stop_sweepers
):
    app, running = restarted(make_app, jobs_app, JOB_INLINE_SWEEP=True, JOB_SWEEP_SECONDS=1)
    stop_sweepers.append(running)
    assert wait_until(lambda: running.rounds >= 1)  # the sweep at start is over
    monkeypatch.setattr(outbox, "_run_inline", lambda ids: 0)
    submit(app)  # its jobs are left for the next round
    monkeypatch.undo()
    assert wait_until(lambda: {r.state for r in outbox_rows(app).values()} == {"done"})


def test_no_sweeper_where_it_does_not_belong(make_app, stop_sweepers):
    app = make_app()  # the tests' settings: off unless asked for
    assert sweeper.EXTENSION not in app.extensions
    app = make_app(JOB_INLINE_SWEEP=True, REDIS_URL="redis://127.0.0.1:1/0")
    assert sweeper.EXTENSION not in app.extensions  # RQ workers sweep
    with click.Context(click.Command("upgrade"), info_name="upgrade"):
        app = make_app(JOB_INLINE_SWEEP=True)  # `flask db upgrade`, `flask forms load`, …
    assert sweeper.EXTENSION not in app.extensions


@pytest.mark.parametrize(
    ("reload", "debug", "reloader_child", "serves"),
    [
        (None, "0", False, True),  # `flask run`
        (False, "1", False, True),  # `flask --debug run --no-reload`
        (None, "1", False, False),  # `flask --debug run`: the parent watching the files
        (None, "1", True, True),  # … and the child that serves
        (True, "0", False, False),  # `flask run --reload`: the parent
        (True, "0", True, True),
    ],
)
def test_flask_run_sweeps_in_the_process_that_serves_only(
    monkeypatch, reload, debug, reloader_child, serves
):
    monkeypatch.setenv("FLASK_DEBUG", debug)
    if reloader_child:
        monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")
    else:
        monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    with click.Context(click.Command("run"), info_name="run") as ctx:
        ctx.params = {"reload": reload}
        assert sweeper.serving() is serves
    assert sweeper.serving() is True  # no command line: a WSGI server imported the app


def test_a_failing_sweep_does_not_stop_the_sweeper(jobs_app, monkeypatch, stop_sweepers):
    calls = []

    def sweep(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database restarting")
        return outbox.SweepReport()

    monkeypatch.setattr(outbox, "sweep", sweep)
    running = sweeper.InlineSweeper(jobs_app, 0.05).start()
    stop_sweepers.append(running)
    assert wait_until(lambda: len(calls) >= 3, timeout=10) and running.thread.is_alive()
