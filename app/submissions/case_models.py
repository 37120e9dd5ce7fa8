"""What staff do with a case besides its status: the decision's steps, assignments and
internal memos (`CaseAction`, append-only), and the result documents issued on a decision
(`ResultRecord`: what /verify looks a document up by)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.catalogue.models import append_only
from app.clock import utcnow
from app.extensions import db

# what a CaseAction records
ASSIGN, MEMO, FORWARD, BACK, DECIDE, UNDO = "assign", "memo", "forward", "back", "decide", "undo"
ACTIONS = {
    ASSIGN: ("担当者の割当て", "Assigned"),
    MEMO: ("内部メモ", "Internal memo"),
    FORWARD: ("次の段階へ", "Sent to the next step"),
    BACK: ("前の段階へ差戻し", "Sent back a step"),
    DECIDE: ("決裁", "Decided"),
    UNDO: ("決裁の取消し", "Decision undone"),
}


class CaseAction(db.Model):
    """One thing staff did on a case (append-only); the memo is internal: never shown to
    the resident, never in a mail."""

    __tablename__ = "case_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actor: Mapped[str] = mapped_column(String(254))  # the e-mail at the time
    action: Mapped[str] = mapped_column(String(20))
    step: Mapped[int] = mapped_column(Integer)  # the step the case was at
    to_step: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str | None] = mapped_column(String(20))  # approved | rejected (decide, undo)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    memo: Mapped[str | None] = mapped_column(Text)


class ResultRecord(db.Model):
    """A signed result document (電子交付) issued for a case."""

    __tablename__ = "result_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    result_id: Mapped[str] = mapped_column(String(100))  # the `results:` entry's id
    kind: Mapped[str] = mapped_column(String(20))  # notice | permit
    decision: Mapped[str] = mapped_column(String(20))  # approved | rejected
    document_no: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    lang: Mapped[str] = mapped_column(String(10))
    path: Mapped[str | None] = mapped_column(String(300))  # relative to the document folder
    sha256: Mapped[str | None] = mapped_column(String(64), unique=True)  # of the signed file
    made_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # a decision undone withdraws its documents: /verify then says so
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoke_reason: Mapped[str | None] = mapped_column(Text)


append_only(CaseAction)
