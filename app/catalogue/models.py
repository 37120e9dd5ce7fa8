"""Departments, procedures, yearly volumes and status history.

Volumes and status rows are only ever appended: a correction is a new row, and the
current value is the latest row. Nothing in the code updates or deletes them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.extensions import db
from app.kpi.status import DIGITIZATION_STATUSES

_STATUS_CHECK = "status IN (" + ", ".join(f"'{s}'" for s in DIGITIZATION_STATUSES) + ")"


class Department(db.Model):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_ja: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    procedures: Mapped[list[Procedure]] = relationship(back_populates="department")


class Procedure(db.Model):
    """An administrative procedure (行政手続) of the prefecture."""

    __tablename__ = "procedures"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_ja: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    priority: Mapped[bool] = mapped_column(Boolean, default=False)  # 重点手続
    procedure_type: Mapped[str | None] = mapped_column(String(50))
    legal_basis: Mapped[str | None] = mapped_column(String(500))
    form: Mapped[str | None] = mapped_column(String(100))
    exclusion_reason: Mapped[str | None] = mapped_column(Text)
    features: Mapped[str | None] = mapped_column(String(200))  # ;-separated, canonical order
    # the days it exists (設置・廃止), both inclusive; empty: no bound. The KPI of a fiscal
    # year counts only the procedures valid on some day of it.
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    # the guide a resident reads (catalogue/guide.py); limits and forms in rules.read_guide
    name_kana: Mapped[str | None] = mapped_column(String(300))  # よみがな, for search
    summary: Mapped[str | None] = mapped_column(Text)
    audience: Mapped[str | None] = mapped_column(String(50))  # ;-separated: individual;business
    fee: Mapped[str | None] = mapped_column(String(200))  # "none", yen as digits, or words
    fee_payment: Mapped[str | None] = mapped_column(String(200))
    standard_processing_days: Mapped[int | None] = mapped_column(Integer)  # 標準処理期間
    documents: Mapped[str | None] = mapped_column(Text)  # ;-separated
    online_url: Mapped[str | None] = mapped_column(String(500))  # another service's form
    paper_form_url: Mapped[str | None] = mapped_column(String(500))
    section: Mapped[str | None] = mapped_column(String(200))  # 担当課
    section_phone: Mapped[str | None] = mapped_column(String(20))  # digits only
    section_email: Mapped[str | None] = mapped_column(String(254))
    egov_url: Mapped[str | None] = mapped_column(String(500))  # e-Gov 法令検索
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    department: Mapped[Department] = relationship(back_populates="procedures")


class VolumeRecord(db.Model):
    """Annual receipts (年間受付件数) of a procedure for one fiscal year, as recorded."""

    __tablename__ = "volume_records"
    __table_args__ = (
        Index("ix_volume_records_procedure_year", "procedure_id", "fiscal_year", "id"),
        CheckConstraint("receipts >= 0", name="receipts_not_negative"),
        CheckConstraint(
            "online_receipts IS NULL OR online_receipts >= 0", name="online_not_negative"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"))
    fiscal_year: Mapped[int] = mapped_column(Integer)
    receipts: Mapped[int] = mapped_column(Integer)
    online_receipts: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)  # why, e.g. when confirming a jump
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    recorded_by: Mapped[str | None] = mapped_column(String(200))


class StatusChange(db.Model):
    """One row of a procedure's status history (status from an effective date)."""

    __tablename__ = "status_changes"
    __table_args__ = (
        Index("ix_status_changes_procedure_date", "procedure_id", "effective_date"),
        CheckConstraint(_STATUS_CHECK, name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"))
    status: Mapped[str] = mapped_column(String(20))
    effective_date: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    recorded_by: Mapped[str | None] = mapped_column(String(200))


class AppendOnlyError(RuntimeError):
    pass


def _refuse(mapper, connection, target):  # noqa: ARG001 - SQLAlchemy event signature
    raise AppendOnlyError(f"{type(target).__name__} rows are append-only: record a new row instead")


def append_only(*models) -> None:
    """Refuse updates and deletes of these models' rows (history is only ever added to)."""
    for model in models:
        event.listen(model, "before_update", _refuse)
        event.listen(model, "before_delete", _refuse)


append_only(VolumeRecord, StatusChange)
