"""Confirmed fiscal years: the bureau's word that a year's figures are final.

Rows are only ever added. A confirmation keeps the figures as they were confirmed; a
later change to the records of that year shows on the dashboard as a correction (with the
date and the reason recorded with the change), and a new confirmation with its reason
makes the corrected figures the confirmed ones.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.catalogue.models import append_only
from app.clock import utcnow
from app.extensions import db


class YearConfirmation(db.Model):
    __tablename__ = "year_confirmations"

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer, index=True)
    # {"basis": "latest", "priority": [numerator, denominator], "all": [...]}
    figures: Mapped[dict] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)  # why, when it confirms again
    confirmed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    confirmed_by: Mapped[str] = mapped_column(String(254))


append_only(YearConfirmation)
