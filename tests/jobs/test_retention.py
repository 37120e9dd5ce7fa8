"""Retention: personal data and files of closed submissions go; the counts stay. Drafts
go with their files when left alone or when their resume code expires."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.clock import utcnow
from app.extensions import db
from app.jobs import outbox
from app.jobs.models import OutboxJob
from app.submissions import corrections, validation
from app.submissions.case_models import CaseAction
from app.submissions.models import (
    DELETED_KEY,
    Draft,
    RetentionRecord,
    StoredFile,
    Submission,
    SubmissionEvent,
    SubmissionRevision,
    is_deleted,
)
from app.submissions.queries import submission_counts
from app.submissions.receipts import receipt_for, receipt_path
from app.submissions.retention import purge_expired
from tests.faults.conftest import FORM_ID, WEB_APPLICANT, load_form, png
from tests.submissions.conftest import Resident

from .conftest import ask_receipt, submit


def close(app, receipt_no: str, status: str, days_ago: int, *, created_days_ago: int | None = None):
    with app.app_context():
        sub = db.session.scalar(select(Submission).where(Submission.receipt_no == receipt_no))
        at = utcnow() - timedelta(days=days_ago)
        sub.events[0].at = utcnow() - timedelta(days=created_days_ago or days_ago + 1)
        sub.status = status
        db.session.add(
            SubmissionEvent(
                submission_id=sub.id, status=status, message="山田様への連絡事項", at=at
            )
        )
        db.session.commit()


def state(receipt_no: str):
    """(submission, its files, receipt PDF there?, receipt state), in the caller's app context."""
    sub = db.session.scalar(select(Submission).where(Submission.receipt_no == receipt_no))
    files = list(db.session.scalars(select(StoredFile).where(StoredFile.submission_id == sub.id)))
    return sub, files, receipt_path(sub).exists(), receipt_for(sub)[1]


def test_closed_past_retention_loses_personal_data_and_files_but_keeps_the_counts(jobs_app):
    bodies = [submit(jobs_app, key=key) for key in (None, "recent", "open", "slow")]
    for body in bodies:  # each resident downloaded their receipt
        assert ask_receipt(jobs_app, body).status_code == 200
    old, recent, still_open, long_ago_decided_now = (b["receipt_no"] for b in bodies)
    close(jobs_app, old, "approved", days_ago=31)  # retention_days: 30
    close(jobs_app, recent, "rejected", days_ago=29)
    close(jobs_app, long_ago_decided_now, "approved", days_ago=1, created_days_ago=400)
    with jobs_app.app_context():
        _, files, _, _ = state(old)
        stored = [Path(jobs_app.config["UPLOAD_DIR"]) / f.path for f in files]
        stored += list(
            (Path(jobs_app.instance_path) / "documents" / "mail").glob(
                f"mail_*-{files[0].submission_id}*.eml"
            )
        )
        assert len(stored) == 3 and all(p.exists() for p in stored)  # the photo, two mails
        counts_before = submission_counts()
        report = purge_expired()
        assert (report.submissions, report.files) == (1, 1)
        assert submission_counts() == counts_before  # the KPI's take-up still counts it

        sub, files, pdf_exists, receipt = state(old)
        assert list(sub.answers) == [DELETED_KEY] and is_deleted(sub)
        assert (
            files == []
            and not any(p.exists() for p in stored)
            and not pdf_exists
            and receipt == "deleted"
        )
        assert (sub.procedure_code, sub.form_version.version, sub.status) == ("A", 1, "approved")
        assert all(e.message is None for e in sub.events)
        for kept in (recent, still_open, long_ago_decided_now):
            sub, files, pdf_exists, receipt = state(kept)
            assert (
                sub.answers["email"] == "hanako@example.jp"
                and files
                and pdf_exists
                and receipt == "ready"
            )

        assert purge_expired().submissions == 0  # once
        assert db.session.scalar(select(func.count()).select_from(RetentionRecord)) == 1


def test_the_status_page_still_answers_after_deletion(jobs_app):
    body = submit(jobs_app)
    close(jobs_app, body["receipt_no"], "approved", days_ago=60)
    with jobs_app.app_context():
        purge_expired()
    client = jobs_app.test_client()
    r = client.post(
        "/status",
        data={"receipt_no": body["receipt_no"], "access_code": body["access_code"]},
        follow_redirects=True,
    )
    assert r.status_code == 200 and "承認" in r.get_data(as_text=True)
    assert "削除されました" in r.get_data(as_text=True)
    assert client.get(f"/status/{body['receipt_no']}/receipt.pdf").status_code == 404


def test_jobs_of_a_deleted_submission_do_nothing(jobs_app, receiver):
    body = submit(jobs_app)
    close(jobs_app, body["receipt_no"], "rejected", days_ago=60)
    with jobs_app.app_context():
        purge_expired()
        for job in db.session.scalars(select(OutboxJob)).all():
            job.state = "pending"
        db.session.commit()
        outbox.sweep(periodic=False)
        results = set(db.session.scalars(select(OutboxJob.result)))
    assert results == {"skipped: personal data deleted"}
    assert len(receiver.requests) == 1  # only the first delivery


def test_the_retention_job_runs_from_the_outbox(jobs_app):
    body = submit(jobs_app)
    close(jobs_app, body["receipt_no"], "approved", days_ago=60)
    with jobs_app.app_context():
        outbox.add("retention", "retention:test", payload={"date": "2026-01-01"})
        db.session.commit()
        outbox.sweep(periodic=False)
        job = db.session.scalar(select(OutboxJob).where(OutboxJob.key == "retention:test"))
        assert job.state == "done" and job.result.startswith(
            "deleted personal data of 1 submission"
        )


# --- drafts ---------------------------------------------------------------------------------


@pytest.fixture
def drafts_app(backend_app, tmp_path):
    """The resident's test form on SQLite and on PostgreSQL; drafts left 7 days go."""
    backend_app.config.update(
        UPLOAD_DIR=str(tmp_path / "uploads"), DRAFT_IDLE_DAYS=7, JOB_PERIODIC=False
    )
    load_form(backend_app, tmp_path / "form")
    return backend_app


def photo(name: str):
    return {"photo": (io.BytesIO(png()), name)}


def on_disk(app) -> set[str]:
    return {p.name for p in Path(app.config["UPLOAD_DIR"]).rglob("*") if p.is_file()}


def drafts_and_files(app) -> tuple[set[int], dict[str, str]]:
    """(draft ids, file name → id) as stored now."""
    with app.app_context():
        drafts = set(db.session.scalars(select(Draft.id)))
        files = {f.original_name: f.id for f in db.session.scalars(select(StoredFile))}
        db.session.remove()
    return drafts, files


def test_drafts_go_with_their_files_when_left_or_when_their_code_expires(drafts_app):
    app = drafts_app
    left = Resident(app)  # fills two pages, attaches a photo, never saves, never returns
    left.start()
    left.page("applicant", WEB_APPLICANT)
    assert left.page("docs", photo("left.png")).request.path.endswith("/check")

    saved = Resident(app)  # saves for later: a resume code valid for 30 days
    saved.start()
    saved.page("applicant", WEB_APPLICANT)
    r = saved.post(
        f"/apply/{FORM_ID}/docs", {"action": "save", **photo("saved.png")},
        content_type="multipart/form-data",
    )  # fmt: skip
    code = re.search(r'class="receipt">([A-Z0-9-]{11})<', r.get_data(as_text=True)).group(1)

    sent = Resident(app)  # submits
    sent.start()
    sent.page("applicant", WEB_APPLICANT)
    sent.page("docs", photo("sent.png"))
    assert "/done/" in sent.post(f"/apply/{FORM_ID}/submit", {"declaration": "y"}).request.path

    drafts, files = drafts_and_files(app)
    assert len(drafts) == 3 and on_disk(app) == set(files.values())
    now = utcnow()

    # a week and a day later: the draft left alone is gone, rows and bytes
    with app.app_context():
        report = purge_expired(now + timedelta(days=8))
    assert (report.drafts, report.draft_files) == (1, 1)
    after, kept = drafts_and_files(app)
    assert len(after) == 2 and set(kept) == {"saved.png", "sent.png"}
    assert on_disk(app) == set(kept.values())
    assert left.get(f"/apply/{FORM_ID}/check").request.path == f"/apply/{FORM_ID}"

    # after 30 days the resume code has expired: that draft is gone too
    with app.app_context():
        report = purge_expired(now + timedelta(days=31))
        sub = db.session.scalar(select(Submission))
        sub_files = [f.id for f in db.session.scalars(select(StoredFile))]
        submitted_draft = db.session.get(Draft, sub.draft_id)
        assert submitted_draft is not None and submitted_draft.answers == {}
    assert (report.drafts, report.draft_files) == (1, 1)
    after, kept = drafts_and_files(app)
    assert set(kept) == {"sent.png"} and sub_files == [kept["sent.png"]]  # the submission's
    assert on_disk(app) == {kept["sent.png"]}
    r = Resident(app).post(f"/apply/{FORM_ID}/resume", {"code": code})
    assert r.status_code == 422


def test_a_saved_draft_still_in_use_stays_past_its_code(drafts_app):
    """Worked on after its code expired (the resident's browser still has it): deleted
    DRAFT_IDLE_DAYS after the last change, not from under the resident."""
    resident = Resident(drafts_app)
    resident.start()
    resident.post(f"/apply/{FORM_ID}/applicant", {"action": "save", "name-family": "山田"})
    with drafts_app.app_context():
        draft = db.session.scalar(select(Draft))
        draft.resume_expires_at = utcnow() - timedelta(days=1)
        draft.pending = {**draft.pending, "applicant": {"name": {"family": "山田"}}}
        db.session.commit()
        assert purge_expired().drafts == 0
        assert purge_expired(utcnow() + timedelta(days=8)).drafts == 1


def test_a_submitted_draft_keeps_no_copy_of_the_answers(drafts_app):
    resident = Resident(drafts_app)
    resident.start()
    resident.page("applicant", WEB_APPLICANT)
    resident.page("docs", photo("sent.png"))
    resident.post(f"/apply/{FORM_ID}/submit", {"declaration": "y"})
    with drafts_app.app_context():
        draft = db.session.scalar(select(Draft))
        assert (draft.answers, draft.pending, draft.resume_code) == ({}, {}, None)
        # a draft submitted before drafts were emptied at once: the daily run empties it
        draft.answers = {"name": {"family": "山田"}}
        draft.resume_code = "ABCDE-FGHJK"
        db.session.commit()
        assert purge_expired().emptied_drafts == 1
        db.session.expire_all()
        draft = db.session.scalar(select(Draft))
        assert (draft.answers, draft.pending, draft.resume_code) == ({}, {}, None)
        assert purge_expired().emptied_drafts == 0
        assert db.session.scalar(select(Submission)).answers["name"]["family"] == "山田"


def test_every_revision_of_a_corrected_submission_goes_with_its_personal_data(jobs_app):
    """A corrected submission's earlier answers and files, and the draft it was corrected
    in, are personal data too: deleted with the rest."""
    receipt_no = submit(jobs_app)["receipt_no"]
    with jobs_app.app_context():
        sub = db.session.scalar(select(Submission).where(Submission.receipt_no == receipt_no))
        corrections.request_correction(
            sub, "生年月日を確認してください。", ["birth_date"], None, by="t"
        )
        db.session.commit()
        draft = corrections.start(sub)
        draft.answers = {**draft.answers, "birth_date": "1991-05-02"}
        db.session.commit()
        done, result = corrections.resubmit(draft, validation.context("ja", draft), declared=True)
        assert done is not None, result.errors
        draft_id = draft.id
        for event in done.events:  # all of it long ago
            event.at = utcnow() - timedelta(days=40)
        db.session.commit()
    close(jobs_app, receipt_no, "approved", days_ago=31)
    with jobs_app.app_context():
        assert purge_expired().submissions == 1
        sub = db.session.scalar(select(Submission).where(Submission.receipt_no == receipt_no))
        revs = db.session.scalars(select(SubmissionRevision)).all()
        assert len(revs) == 2
        assert all(list(r.answers) == [DELETED_KEY] and r.files == [] for r in revs)
        assert db.session.get(Draft, draft_id).answers == {}
        assert db.session.scalar(select(func.count(StoredFile.id))) == 0
        assert not list((Path(jobs_app.instance_path) / "outbox").glob(f"notice-{receipt_no}-*"))


def test_an_idle_correction_draft_stays_with_its_case(jobs_app):
    receipt_no = submit(jobs_app)["receipt_no"]
    with jobs_app.app_context():
        sub = db.session.scalar(select(Submission).where(Submission.receipt_no == receipt_no))
        corrections.request_correction(sub, "確認してください。", [], None, by="t")
        db.session.commit()
        draft = corrections.start(sub)
        draft.updated_at = utcnow() - timedelta(days=400)
        db.session.commit()
        draft_id = draft.id
        purge_expired()
        assert db.session.get(Draft, draft_id) is not None
        assert corrections.start(sub).id == draft_id  # the resident continues where they were


def test_a_deleted_submission_keeps_its_score_without_its_comment(jobs_app):
    from app.submissions import satisfaction
    from app.submissions.models import SatisfactionAnswer

    old = submit(jobs_app)["receipt_no"]
    close(jobs_app, old, "approved", days_ago=31)
    with jobs_app.app_context():
        sub = db.session.scalar(select(Submission).where(Submission.receipt_no == old))
        assert satisfaction.record(sub, satisfaction.Answer(2, "山田です。手続が難しかった", {}))
        assert purge_expired().submissions == 1
        row = db.session.scalar(select(SatisfactionAnswer))
        assert (row.score, row.comment) == (2, None)


def test_staff_memos_on_the_case_go_too_and_who_did_what_stays(jobs_app):
    old = submit(jobs_app)["receipt_no"]
    with jobs_app.app_context():
        sub = db.session.scalar(select(Submission).where(Submission.receipt_no == old))
        db.session.add(
            CaseAction(
                submission_id=sub.id, actor="d01@example.jp", action="memo", step=0,
                memo="申請者の山田さんに電話で確認済み",
            )
        )  # fmt: skip
        db.session.commit()
    close(jobs_app, old, "approved", days_ago=31)
    with jobs_app.app_context():
        assert purge_expired().submissions == 1
        action = db.session.scalar(select(CaseAction))
        assert (action.actor, action.action, action.memo) == ("d01@example.jp", "memo", None)
