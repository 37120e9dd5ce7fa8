"""The outbox without Redis: jobs written with the submission, run inline, retried, swept."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from app.clock import utcnow
from app.extensions import db
from app.jobs import outbox, registry, tasks
from app.jobs.models import OutboxJob
from app.submissions import store
from app.submissions.models import Submission

from .conftest import ANSWERS, ask_receipt, outbox_rows, submit


def receipts(app):
    return sorted((Path(app.instance_path) / "documents" / "receipts").rglob("*.pdf"))


def emls(app):
    return sorted((Path(app.instance_path) / "documents" / "mail").glob("*.eml"))


def test_a_submission_writes_its_jobs_and_they_run_inline(jobs_app, receiver):
    body = submit(jobs_app)
    rows = outbox_rows(jobs_app)
    with jobs_app.app_context():
        sub_id = db.session.scalar(select(Submission.id))
    assert set(rows) == {  # the receipt PDF is not made until it is asked for
        f"mail_resident:{sub_id}",
        f"mail_department:{sub_id}:0",
        f"webhook:{sub_id}:1",
    }
    assert {r.state for r in rows.values()} == {"done"}, {
        k: (r.state, r.last_error) for k, r in rows.items()
    }
    assert receipts(jobs_app) == []
    assert ask_receipt(jobs_app, body).data.startswith(b"%PDF")
    assert outbox_rows(jobs_app)[f"receipt_pdf:{sub_id}"].state == "done"
    assert [p.name for p in receipts(jobs_app)] == [f"{body['receipt_no']}.pdf"]
    assert [p.name for p in emls(jobs_app)] == [
        f"mail_department-{sub_id}-0.eml",
        f"mail_resident-{sub_id}.eml",
    ]
    assert len(receiver.requests) == 1


def test_no_email_answer_no_resident_mail(jobs_app):
    submit(jobs_app, {k: v for k, v in ANSWERS.items() if k != "email"})
    assert not any(k.startswith("mail_resident") for k in outbox_rows(jobs_app))


def test_the_jobs_are_in_the_submissions_transaction(jobs_app, monkeypatch):
    """A submission that is not stored leaves no job behind, and the reverse."""

    def broken(defn, answers):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(store, "submission_jobs", broken)
    r = jobs_app.test_client().post(
        "/api/v1/forms/jobs-permit/submissions", json={"answers": ANSWERS, "declaration": True}
    )
    assert r.status_code == 500
    with jobs_app.app_context():
        db.session.rollback()
        assert db.session.scalar(select(Submission.id)) is None
        assert db.session.scalar(select(OutboxJob.id)) is None


def test_a_job_run_twice_makes_one_pdf_and_one_email(jobs_app):
    ask_receipt(jobs_app, submit(jobs_app))
    pdf_before = receipts(jobs_app)[0].stat().st_mtime_ns
    rows = outbox_rows(jobs_app)
    with jobs_app.app_context():
        for row in rows.values():  # done: a second delivery of the same job does nothing
            assert tasks.run(row.id) == "skipped"
        # as if a worker died after doing the work, before marking it done
        for row in db.session.scalars(select(OutboxJob).where(OutboxJob.kind != "webhook")):
            row.state = "queued"
        db.session.commit()
        for row in rows.values():
            tasks.run(row.id)
    assert len(receipts(jobs_app)) == 1 and receipts(jobs_app)[0].stat().st_mtime_ns == pdf_before
    assert len(emls(jobs_app)) == 2
    assert {r.state for r in outbox_rows(jobs_app).values()} == {"done"}
    assert (
        "exists" in outbox_rows(jobs_app)[next(k for k in rows if k.startswith("receipt"))].result
    )


def test_failures_back_off_then_fail_then_retry_from_the_admin_list(jobs_app, monkeypatch):
    real = registry.HANDLERS["mail_resident"]
    monkeypatch.setitem(registry.HANDLERS, "mail_resident", lambda job: 1 / 0)
    jobs_app.config["JOB_MAX_ATTEMPTS"] = 3
    submit(jobs_app)
    key = next(k for k in outbox_rows(jobs_app) if k.startswith("mail_resident"))
    row = outbox_rows(jobs_app)[key]
    assert (row.state, row.attempts) == ("pending", 1) and "ZeroDivisionError" in row.last_error
    with jobs_app.app_context():
        wait = row.run_after.replace(tzinfo=None) - utcnow().replace(tzinfo=None)
        assert timedelta(seconds=25) < wait <= timedelta(seconds=30)  # first backoff: 30 s
        assert outbox.sweep(periodic=False).handed_out == 0  # not due yet
        assert tasks.backoff(2) == timedelta(seconds=120) and tasks.backoff(3) == timedelta(
            seconds=480
        )
        later = utcnow() + timedelta(minutes=1)
        assert outbox.sweep(later, periodic=False).handed_out == 1
        assert outbox.sweep(later + timedelta(hours=1), periodic=False).handed_out == 1
        failed = outbox.failed_jobs()
        assert [j.key for j in failed] == [key] and failed[0].attempts == 3
        monkeypatch.setitem(registry.HANDLERS, "mail_resident", real)
        assert outbox.retry(failed[0].id).state == "done"
        assert outbox.retry(failed[0].id) is None  # only failed jobs are retried
    assert len([p for p in emls(jobs_app) if p.name.startswith("mail_resident")]) == 1


def test_a_permanent_error_fails_at_once(jobs_app, receiver):
    jobs_app.config["WEBHOOK_SECRET"] = None
    submit(jobs_app)
    hook = next(r for k, r in outbox_rows(jobs_app).items() if k.startswith("webhook"))
    assert hook.state == "failed" and hook.attempts == 1 and "WEBHOOK_SECRET" in hook.last_error
    assert receiver.requests == []


def test_the_sweep_takes_back_abandoned_jobs(jobs_app):
    submit(jobs_app)
    key = next(k for k in outbox_rows(jobs_app) if k.startswith("mail_resident"))
    with jobs_app.app_context():
        job = db.session.scalar(select(OutboxJob).where(OutboxJob.key == key))
        job.state, job.started_at = "running", utcnow()  # a worker took it, then died
        db.session.commit()
        assert outbox.sweep(periodic=False).abandoned == 0  # still within its lease
        lease = timedelta(seconds=jobs_app.config["JOB_LEASE_SECONDS"] + 1)
        report = outbox.sweep(utcnow() + lease, periodic=False)
        assert (report.abandoned, report.handed_out) == (1, 1)
        db.session.expire_all()
        job = db.session.scalar(select(OutboxJob).where(OutboxJob.key == key))
        assert job.state == "done" and job.attempts == 2


def test_periodic_jobs_are_written_once_and_run_in_the_same_sweep(jobs_app):
    with jobs_app.app_context():
        report = outbox.sweep(periodic=True)
        assert (report.scheduled, report.handed_out) == (2, 2)
        assert outbox.schedule_periodic(utcnow()) == 0
        jobs = {j.kind: j for j in db.session.scalars(select(OutboxJob))}
    assert {k: j.state for k, j in jobs.items()} == {"retention": "done", "kpi_report": "done"}
    month = jobs["kpi_report"].payload["month"]
    assert (
        Path(jobs_app.instance_path) / "documents" / "reports" / f"kpi-report-{month}.pdf"
    ).exists()


def test_cli_sweep_list_retry_and_worker_without_redis(jobs_app, monkeypatch):
    monkeypatch.setitem(registry.HANDLERS, "mail_resident", lambda job: 1 / 0)
    jobs_app.config["JOB_MAX_ATTEMPTS"] = 1
    submit(jobs_app)
    runner = jobs_app.test_cli_runner()
    listed = runner.invoke(args=["jobs", "list", "--state", "failed"])
    assert (
        listed.exit_code == 0
        and "failed=1" in listed.output
        and "ZeroDivisionError" in listed.output
    )
    job_id = next(r.id for r in outbox_rows(jobs_app).values() if r.state == "failed")
    monkeypatch.undo()
    retried = runner.invoke(args=["jobs", "retry", str(job_id)])
    assert retried.exit_code == 0 and "done" in retried.output
    assert runner.invoke(args=["jobs", "retry", str(job_id)]).exit_code == 1
    swept = runner.invoke(args=["jobs", "sweep", "--no-periodic"])
    assert swept.exit_code == 0 and swept.output.startswith("inline:")
    worker = runner.invoke(args=["worker", "--burst"])
    assert worker.exit_code == 2 and "REDIS_URL" in worker.output


def test_failed_jobs_partial_shows_a_retry_button(jobs_app, monkeypatch):
    from flask import render_template_string

    monkeypatch.setitem(registry.HANDLERS, "mail_resident", lambda job: 1 / 0)
    jobs_app.config["JOB_MAX_ATTEMPTS"] = 1
    submit(jobs_app)
    with jobs_app.test_request_context():
        html = render_template_string(
            '{% from "jobs/_failed_jobs.html" import failed_jobs_table %}{{ failed_jobs_table(jobs, "staff.retry_job") }}',
            jobs=outbox.failed_jobs(),
        )
    assert (
        "mail_resident:" in html
        and "再実行" in html
        and 'method="post"' in html
        and "ZeroDivisionError" in html
    )


def test_the_whole_cycle_on_each_database(backend_jobs_app, monkeypatch):
    """Submit, fail with backoff, sweep, abandon, retry, retention: the same on SQLite and PostgreSQL."""
    from app.submissions.models import SubmissionEvent
    from app.submissions.retention import purge_expired

    app = backend_jobs_app
    real = registry.HANDLERS["mail_resident"]
    monkeypatch.setitem(registry.HANDLERS, "mail_resident", lambda job: 1 / 0)
    body = submit(app)
    assert ask_receipt(app, body).status_code == 200
    key = next(k for k in outbox_rows(app) if k.startswith("mail_resident"))
    assert outbox_rows(app)[key].state == "pending"
    monkeypatch.setitem(registry.HANDLERS, "mail_resident", real)
    with app.app_context():
        assert outbox.sweep(periodic=False).handed_out == 0  # backoff
        assert outbox.sweep(utcnow() + timedelta(minutes=5), periodic=False).handed_out == 1
        job = db.session.scalar(select(OutboxJob).where(OutboxJob.key == key))
        assert (job.state, job.attempts) == ("done", 2)
        job.state, job.started_at = "running", utcnow() - timedelta(hours=1)
        db.session.commit()
        assert outbox.sweep(periodic=False).abandoned == 1
        assert len(emls(app)) == 2 and len(receipts(app)) == 1
        sub = db.session.scalar(
            select(Submission).where(Submission.receipt_no == body["receipt_no"])
        )
        sub.events[0].at = utcnow() - timedelta(days=41)
        sub.status = "approved"
        db.session.add(
            SubmissionEvent(
                submission_id=sub.id, status="approved", at=utcnow() - timedelta(days=40)
            )
        )
        db.session.commit()
        assert purge_expired().submissions == 1
    assert {r.state for r in outbox_rows(app).values()} == {"done"}
    assert emls(app) == [] and receipts(app) == []


def test_a_submission_writes_the_same_rows_on_each_database(backend_jobs_app):
    """PostgreSQL takes the submission, its first event and its jobs in one statement,
    SQLite in three: the rows are the same."""
    from app.submissions.models import SubmissionEvent

    app = backend_jobs_app
    body = submit(app, key="same-rows")
    with app.app_context():
        sub = db.session.scalar(
            select(Submission).where(Submission.receipt_no == body["receipt_no"])
        )
        assert (sub.status, sub.channel, sub.idempotency_key, sub.draft_id) == (
            "received",
            "api",
            "same-rows",
            None,
        )
        assert sub.answers["email"] == ANSWERS["email"]
        events = db.session.scalars(
            select(SubmissionEvent).where(SubmissionEvent.submission_id == sub.id)
        ).all()
        assert [(e.status, e.at) for e in events] == [("received", sub.created_at)]
    rows = outbox_rows(app)
    assert set(rows) == {
        f"mail_resident:{sub.id}",
        f"mail_department:{sub.id}:0",
        f"webhook:{sub.id}:1",
    }
    assert all(r.submission_id == sub.id and r.state == "done" for r in rows.values())
    assert rows[f"webhook:{sub.id}:1"].payload["url"].startswith("http://127.0.0.1")
    # the same key again: the same answer, nothing written twice
    assert submit(app, key="same-rows")["receipt_no"] == body["receipt_no"]
    assert len(outbox_rows(app)) == 3


QUIET_FORM = """\
id: quiet-permit
version: 1
procedure: A
title: {ja: 届出, en: Notice}
pages:
  - id: about
    title: {ja: 届出者, en: Who}
    fields:
      - {id: name, type: text, label: {ja: 氏名, en: Name}, required: true}
"""


def test_a_submission_that_sets_off_no_job_is_stored_on_each_database(backend_jobs_app, tmp_path):
    """No e-mail asked, no output: nothing for a worker until the receipt is asked for.
    PostgreSQL's one statement then writes the submission and its first event alone."""
    from app.submissions import versions
    from app.submissions.models import SubmissionEvent

    app = backend_jobs_app
    form = tmp_path / "quiet-permit.yaml"
    form.write_text(QUIET_FORM, encoding="utf-8")
    with app.app_context():
        assert not versions.load_forms([form]).problems
    r = app.test_client().post(
        "/api/v1/forms/quiet-permit/submissions", json={"answers": {"name": "伊勢花子"}}
    )
    assert r.status_code == 201, r.get_data(as_text=True)
    body = r.get_json()
    assert outbox_rows(app) == {}
    with app.app_context():
        sub = db.session.scalar(
            select(Submission).where(Submission.receipt_no == body["receipt_no"])
        )
        assert sub.answers == {"name": "伊勢花子"}
        events = db.session.scalars(
            select(SubmissionEvent.status).where(SubmissionEvent.submission_id == sub.id)
        ).all()
        assert events == ["received"]
    assert ask_receipt(app, body).data.startswith(b"%PDF")
    assert list(outbox_rows(app)) == [f"receipt_pdf:{sub.id}"]
