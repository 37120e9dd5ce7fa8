"""Real Redis, real RQ workers (burst mode): Redis down mid-run, a worker killed mid-job,
a job delivered twice — nothing lost, nothing done twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.clock import utcnow
from app.extensions import db
from app.jobs import outbox
from app.jobs.models import OutboxJob
from tests.conftest import ROOT

from .conftest import LOCAL_RECEIVER, SECRET, load, outbox_rows, submit, work

pytestmark = pytest.mark.redis


def files(app, pattern: str) -> list[Path]:
    return sorted(Path(app.instance_path).rglob(pattern))


def settings(tmp_path, url: str, prefix: str, **extra) -> dict:
    return {
        "REDIS_URL": url,
        "REDIS_KEY_PREFIX": prefix,
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "WEBHOOK_SECRET": SECRET,
        "JOB_PERIODIC": False,
        **LOCAL_RECEIVER,
        **extra,
    }


@pytest.fixture
def shared_redis(redis_server):
    """The machine's Redis with a prefix of this test's own; RQ's keys under it removed after."""
    from redis import Redis

    url, prefix = redis_server
    prefix = f"{prefix}worker:"
    yield url, prefix
    client = Redis.from_url(url)
    needles = (prefix, prefix.replace(":", "_"))
    for key in client.scan_iter(match="rq:*"):
        name = key.decode()
        if any(n in name for n in needles):
            client.delete(key)
    for registry in ("rq:queues", "rq:workers"):
        for member in client.smembers(registry):
            if any(n in member.decode() for n in needles):
                client.srem(registry, member)
    client.close()


def test_a_real_worker_runs_a_submissions_jobs(make_app, tmp_path, receiver, shared_redis):
    url, prefix = shared_redis
    app = make_app(**settings(tmp_path, url, prefix))
    load(app, tmp_path, receiver.url)
    body = submit(app)
    rows = outbox_rows(app)
    assert {r.state for r in rows.values()} == {"queued"} and all(
        r.rq_job_id for r in rows.values()
    )
    assert work(app, name=prefix.replace(":", "_") + "w1")
    assert {r.state for r in outbox_rows(app).values()} == {"done"}
    assert len(files(app, "*.eml")) == 2 and len(receiver.requests) == 1
    # the receipt is made when the resident first asks for it: by the worker, meanwhile 202
    assert files(app, "*.pdf") == []
    client = app.test_client()
    url = f"/api/v1/submissions/{body['receipt_no']}/receipt.pdf"
    headers = {"X-Access-Code": body["access_code"]}
    r = client.get(url, headers=headers)
    assert r.status_code == 202 and r.headers["Retry-After"] == "5"
    assert client.get(url, headers=headers).status_code == 202  # asked again: still one job
    key = next(k for k in outbox_rows(app) if k.startswith("receipt_pdf"))
    assert outbox_rows(app)[key].state == "queued" and files(app, "*.pdf") == []
    assert work(app, name=prefix.replace(":", "_") + "w2")
    r = client.get(url, headers=headers)
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    assert [p.name for p in files(app, "*.pdf")] == [f"{body['receipt_no']}.pdf"]
    assert [k for k in outbox_rows(app) if k.startswith("receipt_pdf")] == [key]


def test_redis_stopped_mid_run_submissions_are_stored_and_their_jobs_done_once_it_is_back(
    make_app, tmp_path, receiver, private_redis
):
    app = make_app(**settings(tmp_path, private_redis.url, "t:", JOB_REQUEUE_AFTER_SECONDS=0))
    load(app, tmp_path, receiver.url)
    submit(app)  # queued in Redis …
    private_redis.stop()  # … which then goes away, and with it the queue (nothing on disk)
    started = time.monotonic()
    submit(app, key="while-down")
    assert time.monotonic() - started < 5  # accepted at once, not after waiting on Redis
    states = {k: r.state for k, r in outbox_rows(app).items()}
    assert sorted(set(states.values())) == ["pending", "queued"]
    assert app.test_client().get("/healthz").get_json()["queue"] == "down"

    private_redis.start()
    assert work(app)  # its sweep finds the lost and the pending jobs
    assert {r.state for r in outbox_rows(app).values()} == {"done"}
    assert len(files(app, "*.eml")) == 4 and len(receiver.requests) == 2


WORKER = textwrap.dedent("""
    import json, pathlib, sys, time
    from app import create_app
    from config import TestConfig
    from app.jobs import registry
    from app.jobs.worker import run_worker

    options = json.loads(sys.argv[1])
    marker = pathlib.Path(options.pop("marker"))
    app = create_app(TestConfig, **options)
    real = registry.HANDLERS["mail_resident"]

    def slow(job):
        marker.write_text("started")
        time.sleep(60)  # killed before this ends
        return real(job)

    registry.HANDLERS["mail_resident"] = slow
    run_worker(app, burst=True, logging_level="WARNING")
""")


def test_a_worker_killed_mid_job_the_sweep_completes_it(
    make_app, tmp_path, receiver, private_redis
):
    options = settings(tmp_path, private_redis.url, "k:")
    app = make_app(**options)
    load(app, tmp_path, receiver.url)
    submit(app)
    marker = tmp_path / "started"
    options.update(
        instance_path=app.instance_path,
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        marker=str(marker),
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", WORKER, json.dumps(options)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert proc.poll() is None, "the worker ended before taking the job"
            assert time.monotonic() < deadline, "the worker did not take the job"
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)  # mid-job, no chance to clean up
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

    key = next(k for k in outbox_rows(app) if k.startswith("mail_resident"))
    assert outbox_rows(app)[key].state == "running"
    assert files(app, "mail_resident-*.eml") == []
    with app.app_context():
        assert outbox.sweep(periodic=False).abandoned == 0  # its lease has not run out
        report = outbox.sweep(
            utcnow() + timedelta(seconds=app.config["JOB_LEASE_SECONDS"] + 1), periodic=False
        )
        assert (report.abandoned, report.lost, report.handed_out) == (
            1,
            0,
            1,
        )  # the mails were still queued
    assert work(app)
    rows = outbox_rows(app)
    assert {r.state for r in rows.values()} == {"done"} and rows[key].attempts == 2
    assert len(files(app, "mail_resident-*.eml")) == 1


def test_a_job_delivered_twice_makes_one_pdf_one_email_one_post(
    make_app, tmp_path, receiver, private_redis
):
    app = make_app(**settings(tmp_path, private_redis.url, "d:"))
    load(app, tmp_path, receiver.url)
    submit(app)
    with app.app_context():
        from app.jobs import queue

        q = queue.get_queue()
        for job_id in db.session.scalars(select(OutboxJob.id)):
            q.enqueue("app.jobs.tasks.run", job_id)  # a second delivery of every job
        q.connection.close()
    assert work(app)
    rows = outbox_rows(app)
    assert {(r.state, r.attempts) for r in rows.values()} == {("done", 1)}
    assert len(files(app, "mail_resident-*.eml")) == 1
    assert len(receiver.requests) == 1
