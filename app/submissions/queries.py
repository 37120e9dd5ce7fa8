"""Read side of the submissions that other features ask for: how many arrived online,
per procedure and fiscal year (the KPI's take-up), and a stamp that moves when that does."""

from __future__ import annotations

from sqlalchemy import func, select

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
