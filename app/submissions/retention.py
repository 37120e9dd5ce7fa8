"""Retention: personal data of closed submissions is deleted after the form's
`retention_days`, counted from the last status event; the anonymous counts stay. Drafts
never submitted are deleted with their files once their resume code has expired, or
DRAFT_IDLE_DAYS after their last change (`purge_drafts`). The daily `retention` job runs
both (effects.py)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Text, cast, delete, exists, func, or_, select, update

from app.clock import utcnow
from app.extensions import db
from app.jobs.models import OutboxJob
from app.notify import mail

from . import kept, results, revisions
from .case_models import CaseAction
from .models import (
    CLOSED,
    DELETED_KEY,
    CorrectionRequest,
    Draft,
    FormVersion,
    RetentionRecord,
    SatisfactionAnswer,
    StoredFile,
    Submission,
    SubmissionEvent,
)
from .receipts import every_receipt
from .uploads import discard_files, file_path
from .versions import definition

log = logging.getLogger(__name__)


@dataclass
class RetentionReport:
    submissions: int = 0
    files: int = 0
    drafts: int = 0
    draft_files: int = 0
    emptied_drafts: int = 0
    kept_documents: int = 0

    def __str__(self) -> str:
        return (
            f"deleted personal data of {self.submissions} submission(s), {self.files} file(s);"
            f" {self.drafts} expired draft(s) with {self.draft_files} file(s);"
            f" emptied {self.emptied_drafts} submitted draft(s);"
            f" {self.kept_documents} expired kept document(s)"
        )


def purge_expired(now: datetime | None = None) -> RetentionReport:
    """Delete the personal data of every closed submission past its form's retention, and
    the drafts whose resume code expired or that were left unchanged (DRAFT_IDLE_DAYS)."""
    now = now or utcnow()
    report = RetentionReport()
    last_event = (
        select(SubmissionEvent.submission_id, func.max(SubmissionEvent.at).label("at"))
        .group_by(SubmissionEvent.submission_id)
        .subquery()
    )
    for fv in db.session.scalars(select(FormVersion)).all():
        days = definition(fv).retention_days
        if not days:
            continue  # no retention set: kept
        cutoff = now - timedelta(days=days)
        due = db.session.execute(
            select(Submission.id, last_event.c.at)
            .join(last_event, last_event.c.submission_id == Submission.id)
            .where(
                Submission.form_version_id == fv.id,
                Submission.status.in_(sorted(CLOSED)),
                last_event.c.at < cutoff,
                ~exists().where(RetentionRecord.submission_id == Submission.id),
            )
            .order_by(Submission.id)
        ).all()
        for sub_id, closed_at in due:
            report.files += purge(db.session.get(Submission, sub_id), days, closed_at, now)
            report.submissions += 1
    drafts = purge_drafts(now)
    report.drafts, report.draft_files = drafts.drafts, drafts.files
    report.emptied_drafts = drafts.emptied
    report.kept_documents = kept.purge_expired(now)
    if report.submissions or report.drafts or report.emptied_drafts or report.kept_documents:
        log.info("retention: %s", report)
    return report


def purge(sub, days: int, closed_at: datetime, now: datetime) -> int:
    """Delete one submission's personal data: files first (a crash then repeats the
    deletion, never leaves files without rows), then the rows. → files deleted."""
    mine = [StoredFile.submission_id == sub.id]
    if sub.draft_id is not None:  # uploaded to the draft, then replaced before submitting
        mine.append(StoredFile.draft_id == sub.draft_id)
    correcting = list(
        db.session.scalars(
            select(CorrectionRequest.draft_id).where(
                CorrectionRequest.submission_id == sub.id, CorrectionRequest.draft_id.is_not(None)
            )
        )
    )
    if correcting:  # uploaded to a correction (補正) never resubmitted
        mine.append(StoredFile.draft_id.in_(correcting))
    files = list(db.session.scalars(select(StoredFile).where(or_(*mine))))
    for row in files:
        file_path(row).unlink(missing_ok=True)
    for receipt in every_receipt(sub):  # one per revision of the answers
        receipt.unlink(missing_ok=True)
    results.forget(sub)  # the signed result documents name the resident too
    for key in db.session.scalars(select(OutboxJob.key).where(OutboxJob.submission_id == sub.id)):
        mail.forget(key)  # the .eml record of a mail, when mail is written to files

    if files:
        db.session.execute(delete(StoredFile).where(StoredFile.id.in_([f.id for f in files])))
    sub.answers = {DELETED_KEY: now.isoformat(timespec="seconds")}
    revisions.forget(sub, sub.answers)
    for draft_id in correcting:
        draft = db.session.get(Draft, draft_id)
        draft.answers, draft.pending = {}, {}
    for event in sub.events:
        event.message = None  # messages to the resident may name them
    # staff's internal memos on the case (決裁) may quote the answers; who did what stays
    db.session.execute(
        update(CaseAction).where(CaseAction.submission_id == sub.id).values(memo=None)
    )
    # the score stays (it counts in the service's figures); the comment may name them
    db.session.execute(
        update(SatisfactionAnswer)
        .where(SatisfactionAnswer.submission_id == sub.id)
        .values(comment=None)
    )
    if sub.draft_id is not None:
        draft = db.session.get(Draft, sub.draft_id)
        if draft is not None:
            draft.answers, draft.pending, draft.resume_code = {}, {}, None
    db.session.add(
        RetentionRecord(
            submission_id=sub.id,
            deleted_at=now,
            retention_days=days,
            closed_at=closed_at,
            files_deleted=len(files),
        )
    )
    db.session.commit()
    return len(files)


@dataclass
class DraftPurge:
    drafts: int = 0
    files: int = 0
    emptied: int = 0  # submitted drafts that still held a copy of the answers


def purge_drafts(now: datetime | None = None, *, batch: int = 500) -> DraftPurge:
    """Delete, with their files, the drafts never submitted (nor a correction's) whose
    resume code (if they have one) has expired and that have not changed for DRAFT_IDLE_DAYS; empty submitted
    drafts that still hold answers (the submission has them). Part of the daily retention
    run. Files go first: a run cut short repeats the deletion, never leaves a file behind."""
    now = now or utcnow()
    idle = timedelta(days=current_app.config["DRAFT_IDLE_DAYS"])
    submitted = exists().where(Submission.draft_id == Draft.id)
    # a correction's draft (補正) is part of its case: it goes with the case's personal data
    correcting = exists().where(CorrectionRequest.draft_id == Draft.id)
    stale = (
        select(Draft.id)
        .where(
            Draft.updated_at < now - idle,
            or_(Draft.resume_expires_at.is_(None), Draft.resume_expires_at < now),
            ~submitted,
            ~correcting,
        )
        .order_by(Draft.id)
        .limit(batch)
    )
    report = DraftPurge()
    while ids := list(db.session.scalars(stale)):
        files = list(
            db.session.scalars(
                select(StoredFile).where(
                    StoredFile.draft_id.in_(ids), StoredFile.submission_id.is_(None)
                )
            )
        )
        discard_files(files)
        db.session.execute(
            delete(StoredFile)
            .where(StoredFile.draft_id.in_(ids), StoredFile.submission_id.is_(None))
            .execution_options(synchronize_session=False)
        )
        db.session.execute(  # a submission's files are never deleted here
            update(StoredFile)
            .where(StoredFile.draft_id.in_(ids))
            .values(draft_id=None)
            .execution_options(synchronize_session=False)
        )
        db.session.execute(
            delete(Draft).where(Draft.id.in_(ids)).execution_options(synchronize_session=False)
        )
        db.session.commit()
        report.drafts += len(ids)
        report.files += len(files)
    report.emptied = db.session.execute(
        update(Draft)
        .where(
            submitted,
            or_(
                Draft.resume_code.is_not(None),
                cast(Draft.answers, Text) != "{}",
                cast(Draft.pending, Text) != "{}",
                Draft.prefilled.is_not(None),
            ),
        )
        .values(answers={}, pending={}, prefilled=None, resume_code=None, resume_expires_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return report
