"""Retention: personal data of closed submissions is deleted after the form's
`retention_days`, counted from the last status event; the anonymous counts stay. Drafts
never submitted are deleted with their files once their resume code has expired, or
DRAFT_IDLE_DAYS after their last change (app.submissions.services.purge_drafts)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, exists, func, or_, select

from app.clock import utcnow
from app.extensions import db

from .models import RetentionRecord

log = logging.getLogger(__name__)

DELETED_KEY = "_personal_data_deleted_at"  # the marker that replaces the answers


def is_deleted(sub) -> bool:
    return isinstance(sub.answers, dict) and DELETED_KEY in sub.answers


@dataclass
class RetentionReport:
    submissions: int = 0
    files: int = 0
    drafts: int = 0
    draft_files: int = 0
    emptied_drafts: int = 0

    def __str__(self) -> str:
        return (
            f"deleted personal data of {self.submissions} submission(s), {self.files} file(s);"
            f" {self.drafts} expired draft(s) with {self.draft_files} file(s);"
            f" emptied {self.emptied_drafts} submitted draft(s)"
        )


def purge_expired(now: datetime | None = None) -> RetentionReport:
    """Delete the personal data of every closed submission past its form's retention, and
    the drafts whose resume code expired or that were left unchanged (DRAFT_IDLE_DAYS)."""
    from app.submissions.models import CLOSED, FormVersion, Submission, SubmissionEvent
    from app.submissions.services import definition, purge_drafts

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
    if report.submissions or report.drafts or report.emptied_drafts:
        log.info("retention: %s", report)
    return report


def purge(sub, days: int, closed_at: datetime, now: datetime) -> int:
    """Delete one submission's personal data: files first (a crash then repeats the
    deletion, never leaves files without rows), then the rows. → files deleted."""
    from app.documents.receipts import receipt_path
    from app.notify.mail import eml_paths_for
    from app.submissions.models import Draft, StoredFile
    from app.submissions.services import file_path

    mine = [StoredFile.submission_id == sub.id]
    if sub.draft_id is not None:  # uploaded to the draft, then replaced before submitting
        mine.append(StoredFile.draft_id == sub.draft_id)
    files = list(db.session.scalars(select(StoredFile).where(or_(*mine))))
    for row in files:
        file_path(row).unlink(missing_ok=True)
    for path in [receipt_path(sub), *eml_paths_for(sub.id)]:
        Path(path).unlink(missing_ok=True)

    if files:
        db.session.execute(delete(StoredFile).where(StoredFile.id.in_([f.id for f in files])))
    sub.answers = {DELETED_KEY: now.isoformat(timespec="seconds")}
    for event in sub.events:
        event.message = None  # messages to the resident may name them
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
