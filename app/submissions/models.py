"""Form versions, drafts, submissions with their status history, files and funnel counts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.extensions import db

# what replaces a submission's answers once its personal data is deleted (retention.py)
DELETED_KEY = "_personal_data_deleted_at"


def is_deleted(sub: Submission) -> bool:
    """Whether the personal data of this submission was deleted after its retention."""
    return isinstance(sub.answers, dict) and DELETED_KEY in sub.answers


class FormVersion(db.Model):
    """A published version of a form definition: immutable once stored."""

    __tablename__ = "form_versions"
    __table_args__ = (UniqueConstraint("form_id", "version", name="uq_form_versions_form_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int] = mapped_column(Integer)
    procedure_code: Mapped[str] = mapped_column(String(32))
    title_ja: Mapped[str] = mapped_column(String(300))
    content_hash: Mapped[str] = mapped_column(String(64))
    yaml_text: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FormWithdrawal(db.Model):
    """A form taken off line: residents can no longer start it (drafts already started
    finish on their version). Publishing a new version of the form takes it back on line."""

    __tablename__ = "form_withdrawals"

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[str] = mapped_column(String(100), unique=True)
    withdrawn_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    withdrawn_by: Mapped[str | None] = mapped_column(String(254))


class Draft(db.Model):
    """Answers being entered (一時保存), kept server-side under a random token."""

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    form_version_id: Mapped[int] = mapped_column(ForeignKey("form_versions.id"), index=True)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)  # validated answers
    pending: Mapped[dict] = mapped_column(JSON, default=dict)  # page id → what was typed, unchecked
    pages_seen: Mapped[list] = mapped_column(JSON, default=list)
    lang: Mapped[str] = mapped_column(String(10), default="ja")
    resume_code: Mapped[str | None] = mapped_column(String(20), unique=True)
    resume_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    # the signed-in resident whose draft this is (forms with `identity`; docs/identity.md):
    # only their session opens it, and マイページ lists it; None for anonymous drafts
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"), index=True)
    # what the provider vouched for and the draft started from (prefill.py): {provider,
    # values: {field id: answer}}; dropped at submission like the answers
    prefilled: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))

    form_version: Mapped[FormVersion] = relationship()


class Submission(db.Model):
    """A stored application with its receipt number (到達番号) and access code."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_no: Mapped[str] = mapped_column(String(20), unique=True)  # 到達番号 YYYY-XXXXXXXX
    access_code: Mapped[str] = mapped_column(String(20))  # for 申請状況照会
    form_version_id: Mapped[int] = mapped_column(ForeignKey("form_versions.id"), index=True)
    procedure_code: Mapped[str] = mapped_column(String(32), index=True)
    fiscal_year: Mapped[int] = mapped_column(Integer, index=True)
    answers: Mapped[dict] = mapped_column(JSON)
    lang: Mapped[str] = mapped_column(String(10), default="ja")
    status: Mapped[str] = mapped_column(String(20), default="received")
    channel: Mapped[str] = mapped_column(String(10), default="web")  # web | api
    # an API client's Idempotency-Key, with a fingerprint of the request it came with: a
    # retry of the same request gets the same answer, any other request with the key a 422
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    request_fingerprint: Mapped[str | None] = mapped_column(String(64))
    # when the resident confirmed the form's declaration (宣誓), on the check page or in the API
    declared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # one submission per draft: a double tap or a resend finds the first one
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # the decision (決裁, workflow.py): the step the case is at (0 = the first of the form's
    # workflow), the staff member it is assigned to, when it was decided; its due date
    # (deadlines.py), kept up to date at every status change
    workflow_step: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    due_on: Mapped[date | None] = mapped_column(Date, index=True)
    # the answers submitted as the resident's identity provider vouched for them (staff
    # see them marked): {provider, fields: [field id, …]}; None when nothing was prefilled
    vouched: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))

    form_version: Mapped[FormVersion] = relationship()
    events: Mapped[list[SubmissionEvent]] = relationship(
        order_by="SubmissionEvent.id", back_populates="submission"
    )


class SubmissionEvent(db.Model):
    """One step of a submission's status history (append-only)."""

    __tablename__ = "submission_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    message: Mapped[str | None] = mapped_column(Text)  # to the resident
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    by: Mapped[str | None] = mapped_column(String(200))

    submission: Mapped[Submission] = relationship(back_populates="events")


class StoredFile(db.Model):
    """An uploaded attachment, stored outside the web root under a server-made name."""

    __tablename__ = "stored_files"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random hex, also the file name
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id"), index=True)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"), index=True)
    field_id: Mapped[str] = mapped_column(String(100))
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(300))  # relative to UPLOAD_DIR
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # a document the resident kept in マイページ and chose again (kept.py): when it was
    # first uploaded, which staff see
    reused_first_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class KeptDocument(db.Model):
    """A document a signed-in resident kept in マイページ to attach again (kept.py): its own
    copy of the file, deleted with the row when it expires (KEPT_DOCUMENT_DAYS) or the
    resident deletes it."""

    __tablename__ = "kept_documents"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random hex, the file name
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    label: Mapped[str] = mapped_column(String(200))  # the question it was first attached to
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(300))  # relative to UPLOAD_DIR
    first_uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kept_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class FunnelCount(db.Model):
    """Cookie-free counts per form version: starts, each page reached, submissions."""

    __tablename__ = "funnel_counts"
    __table_args__ = (
        UniqueConstraint("form_version_id", "step", name="uq_funnel_counts_version_step"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    form_version_id: Mapped[int] = mapped_column(ForeignKey("form_versions.id"))
    step: Mapped[str] = mapped_column(String(120))  # start | page:<id> | check | submitted
    count: Mapped[int] = mapped_column(Integer, default=0)


# a submission's status as staff process it (its case: 受付 … 承認・不承認), with its labels;
# not a procedure's digitization status (that is app.kpi.status.DIGITIZATION_STATUSES)
CASE_STATUSES = {
    "received": ("受付済み", "Received"),
    "in_review": ("審査中", "In review"),
    "returned": ("補正のため差し戻し", "Returned for correction"),
    "approved": ("承認", "Approved"),
    "rejected": ("不承認", "Rejected"),
}

# who may move a submission where; a message to the resident is required where True
CASE_TRANSITIONS = {
    "received": {"in_review": False, "returned": True, "rejected": True},
    "in_review": {"returned": True, "approved": False, "rejected": True},
    "returned": {"in_review": False, "rejected": True},
    "approved": {},
    "rejected": {},
}
CLOSED = frozenset({"approved", "rejected"})  # the case statuses that end a case


class RetentionRecord(db.Model):
    """A submission whose personal data and files were deleted after its retention period.

    The submission row stays with what the KPI counts (procedure, fiscal year, form
    version, status); its answers become a marker, its files are gone.
    """

    __tablename__ = "retention_records"

    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), primary_key=True)
    deleted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    retention_days: Mapped[int] = mapped_column(Integer)
    closed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # the last status event
    files_deleted: Mapped[int] = mapped_column(Integer, default=0)


class CorrectionRequest(db.Model):
    """Staff returned a submission for correction (補正): the event with the message, the
    questions they marked, the deadline, and the draft the resident corrects it in."""

    __tablename__ = "correction_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("submission_events.id"), unique=True)
    marked: Mapped[list] = mapped_column(JSON, default=list)  # field ids staff marked
    due_on: Mapped[date | None] = mapped_column(Date)  # the last day, in Japan
    # the draft the resident corrects in (made when they first open the correction)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id"), unique=True)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    event: Mapped[SubmissionEvent] = relationship()


class SubmissionRevision(db.Model):
    """One version of a submission's answers and files: 1 as first submitted, then one per
    resubmission after a correction. Never changed once written."""

    __tablename__ = "submission_revisions"
    __table_args__ = (
        UniqueConstraint("submission_id", "number", name="uq_submission_revisions_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    answers: Mapped[dict] = mapped_column(JSON)
    files: Mapped[list] = mapped_column(JSON, default=list)  # [{id, field, name, type, size}]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SatisfactionAnswer(db.Model):
    """A resident's answer to 「この手続の使いやすさはいかがでしたか」 on the done page: one
    per submission (the unique submission id), a score of 1–5 and an optional comment with
    the personal data it held masked. Nothing else about the resident is kept."""

    __tablename__ = "satisfaction_answers"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="score_1_to_5"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), unique=True)
    form_version_id: Mapped[int] = mapped_column(ForeignKey("form_versions.id"), index=True)
    procedure_code: Mapped[str] = mapped_column(String(32), index=True)
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
