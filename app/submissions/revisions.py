"""Every version of a submission's answers and files (改訂履歴): revision 1 as first
submitted, one more per resubmission after a correction (補正). Written once, never changed;
the submission row holds the newest."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db

from .models import StoredFile, Submission, SubmissionRevision
from .uploads import refs_in


def files_in(answers) -> list[dict]:
    """The files an answer set refers to: id, field, name, type and size of each."""
    out = []
    for field_id, value in (answers or {}).items():
        for ref in refs_in(value):
            out.append(
                {
                    "id": ref.get("id"),
                    "field": field_id,
                    "name": ref.get("name"),
                    "type": ref.get("type"),
                    "size": ref.get("size"),
                }
            )
    return out


def revisions_of(sub: Submission) -> list[SubmissionRevision]:
    """The submission's revisions, oldest first (none while it was never corrected)."""
    return list(
        db.session.scalars(
            select(SubmissionRevision)
            .where(SubmissionRevision.submission_id == sub.id)
            .order_by(SubmissionRevision.number)
        )
    )


def revision_count(sub: Submission) -> int:
    """How many versions of the answers there are: 1 until the first resubmission."""
    n = db.session.scalar(
        select(func.max(SubmissionRevision.number)).where(
            SubmissionRevision.submission_id == sub.id
        )
    )
    return n or 1


def add_revision(sub: Submission, answers: dict) -> SubmissionRevision:
    """Record `answers` as the submission's next revision; the first time, the answers as
    first submitted become revision 1. The caller commits (the unique number makes two
    resubmissions at the same moment meet: one of them fails)."""
    if not revisions_of(sub):
        db.session.add(
            SubmissionRevision(
                submission_id=sub.id,
                number=1,
                answers=sub.answers or {},
                files=files_in(sub.answers),
                created_at=sub.created_at,
            )
        )
        db.session.flush()
    row = SubmissionRevision(
        submission_id=sub.id,
        number=revision_count(sub) + 1,
        answers=answers,
        files=files_in(answers),
    )
    db.session.add(row)
    db.session.flush()
    return row


def current_files(sub: Submission) -> list[StoredFile]:
    """The files the submission's answers refer to now (earlier revisions' files are kept,
    for staff, but are not the application's any more)."""
    ids = {f["id"] for f in files_in(sub.answers)}
    if not ids:
        return []
    rows = db.session.scalars(
        select(StoredFile).where(StoredFile.submission_id == sub.id, StoredFile.id.in_(ids))
    )
    return sorted(rows, key=lambda r: r.created_at)


def forget(sub: Submission, marker: dict) -> None:
    """Personal data deleted after the retention period: every revision's answers too."""
    for row in revisions_of(sub):
        row.answers, row.files = marker, []
