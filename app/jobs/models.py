"""The outbox: background work written in the same transaction as what caused it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import db

# pending → queued → running → done; a failure goes back to pending (later, with
# backoff) until the attempts run out, then failed (shown to admins, retry button).
PENDING, QUEUED, RUNNING, DONE, FAILED = "pending", "queued", "running", "done", "failed"
STATES = (PENDING, QUEUED, RUNNING, DONE, FAILED)


class OutboxJob(db.Model):
    """One piece of background work: what to do, its state, attempts and last error."""

    __tablename__ = "outbox_jobs"
    __table_args__ = (Index("ix_outbox_jobs_state_run_after", "state", "run_after"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # unique: the same work is written once (e.g. `receipt_pdf:42`, `kpi_report:2025-05`)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"), index=True)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)  # ids and targets, no personal data
    state: Mapped[str] = mapped_column(String(10), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    run_after: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    rq_job_id: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    queued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    result: Mapped[str | None] = mapped_column(String(300))  # e.g. the file written

    def __repr__(self) -> str:
        return f"<OutboxJob {self.id} {self.key} {self.state} attempts={self.attempts}>"
