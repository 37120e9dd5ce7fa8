"""Read side of the submissions that other features ask for: how many arrived online,
per procedure and fiscal year (the KPI's take-up), and a stamp that moves when that does."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from app.clock import japan_days
from app.extensions import db

from .models import Submission


def submission_counts() -> dict[str, dict[int, int]]:
    """Procedure code → fiscal year → submissions received here (the KPI's take-up)."""
    out: dict[str, dict[int, int]] = {}
    for code, fy, count in db.session.execute(
        select(Submission.procedure_code, Submission.fiscal_year, func.count()).group_by(
            Submission.procedure_code, Submission.fiscal_year
        )
    ):
        out.setdefault(code, {})[fy] = count
    return out


def submissions_stamp():
    """Changes whenever a submission is stored (they are never deleted while counted)."""
    return db.session.scalar(select(func.max(Submission.id)))


def counts_between(first: date, last: date) -> dict[str, int]:
    """Procedure code → submissions received here from `first` to `last` (Japan's days,
    both inclusive): the current fiscal year's take-up, compared with the same period of
    the year before."""
    start, end = japan_days(first, last)
    return dict(
        db.session.execute(
            select(Submission.procedure_code, func.count())
            .where(Submission.created_at >= start, Submission.created_at < end)
            .group_by(Submission.procedure_code)
        ).all()
    )
