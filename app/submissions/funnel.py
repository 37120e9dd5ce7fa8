"""Cookie-free counts per form version: starts, each page reached, submissions."""

from __future__ import annotations

from sqlalchemy import (
    func,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from app.extensions import db

from .models import FunnelCount, Submission


def bump(form_version_id: int, step: str) -> None:
    """Count one more resident at this step (no cookie, no personal data)."""
    done = db.session.execute(
        update(FunnelCount)
        .where(FunnelCount.form_version_id == form_version_id, FunnelCount.step == step)
        .values(count=FunnelCount.count + 1)
    ).rowcount
    if done:
        return
    try:
        with db.session.begin_nested():
            db.session.add(FunnelCount(form_version_id=form_version_id, step=step, count=1))
    except IntegrityError:  # another request made the row first
        db.session.execute(
            update(FunnelCount)
            .where(FunnelCount.form_version_id == form_version_id, FunnelCount.step == step)
            .values(count=FunnelCount.count + 1)
        )


def funnel(form_version_id: int) -> dict[str, int]:
    """Counts by step; `submitted` is the submissions themselves (not a counter that every
    submission would have to lock)."""
    counts = dict(
        db.session.execute(
            select(FunnelCount.step, FunnelCount.count).where(
                FunnelCount.form_version_id == form_version_id
            )
        ).all()
    )
    counts["submitted"] = db.session.scalar(
        select(func.count(Submission.id)).where(Submission.form_version_id == form_version_id)
    )
    return counts
