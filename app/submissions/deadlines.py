"""Due dates of cases (標準処理期間): working days from receipt to decision.

A working day is what `app.kpi.quality.is_business_day` says (the one rule, also used by
the service-performance figures): a weekday that is not a Japanese public holiday (the
`jpholiday` package keeps the list, substitute and citizens' holidays included) and not in
the prefecture's year-end closure, 29 December to 3 January. The day of receipt is not
counted (初日不算入). Days the case waits for the resident's correction (補正) are not
counted either: from the day after it was returned to the day it came back.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from app.catalogue.models import Procedure
from app.clock import japan_time, today
from app.extensions import db
from app.kpi.quality import is_business_day

from .models import Submission
from .versions import definition

OPEN = ("received", "in_review")  # the statuses in which the prefecture's clock runs
MAX_DAYS = 3650  # no procedure takes longer than ten years; a bound for the loop


def is_closed_day(day: date) -> bool:
    """Whether the prefecture's offices are closed: weekend, public holiday, 12/29–1/3."""
    return not is_business_day(day)


def due_date(start: date, days: int, paused: Iterable[tuple[date, date]] = ()) -> date:
    """The day `days` working days after `start`, not counting the days in a pause
    (after its first day, up to and including its last)."""
    pauses = list(paused)
    day, counted = start, 0
    for _ in range(MAX_DAYS * 2):
        if counted >= min(days, MAX_DAYS):
            return day
        day += timedelta(days=1)
        if is_closed_day(day) or any(a < day <= b for a, b in pauses):
            continue
        counted += 1
    return day


def standard_days(procedure_code: str, defn) -> int | None:
    """The procedure's standard processing days (the catalogue's; 0: the same day), else
    the form's `processing_days`: what the start page, the receipt, the mail and the due
    date all use."""
    days = db.session.scalar(
        select(Procedure.standard_processing_days).where(Procedure.code == procedure_code)
    )
    return days if days is not None else defn.processing_days


def first_due_on(procedure_code: str, defn, received_at) -> date | None:
    """The due date of a case received now (store.py writes it with the submission)."""
    days = standard_days(procedure_code, defn)
    return None if days is None else due_date(japan_time(received_at).date(), days)


def pauses_of(events) -> tuple[list[tuple[date, date]], bool]:
    """The (returned, came back) days of a case's history, and whether it waits now."""
    pauses, since = [], None
    for e in events:
        day = japan_time(e.at).date()
        if e.status == "returned":
            since = since or day
        elif since is not None:
            pauses.append((since, day))
            since = None
    return pauses, since is not None


def refresh(sub: Submission) -> None:
    """Set the case's due date from its history (after every status change). A case
    waiting for the resident, or closed, keeps no due date."""
    days = standard_days(sub.procedure_code, definition(sub.form_version))
    if days is None or sub.status not in OPEN:
        sub.due_on = None
        return
    events = sorted(sub.events, key=lambda e: e.id or 0)
    pauses, waiting = pauses_of(events)
    start = japan_time(events[0].at if events else sub.created_at).date()
    sub.due_on = None if waiting else due_date(start, days, pauses)


def state(sub: Submission, on: date | None = None) -> str | None:
    """`overdue`, `due_soon` or None, for a case as staff see it on a day."""
    if sub.due_on is None or sub.status not in OPEN:
        return None
    on = on or today()
    if sub.due_on < on:
        return "overdue"
    if sub.due_on <= on + timedelta(days=current_app.config["DUE_SOON_DAYS"]):
        return "due_soon"
    return None


def counts(stmt, on: date | None = None) -> dict[str, int]:
    """How many of the cases `stmt` selects are overdue and due soon."""
    on = on or today()
    soon = on + timedelta(days=current_app.config["DUE_SOON_DAYS"])
    base = stmt.order_by(None).where(Submission.status.in_(OPEN), Submission.due_on.is_not(None))
    sub = base.subquery()
    overdue = db.session.scalar(select(db.func.count()).select_from(sub).where(sub.c.due_on < on))
    due_soon = db.session.scalar(
        select(db.func.count()).select_from(sub).where(sub.c.due_on >= on, sub.c.due_on <= soon)
    )
    return {"overdue": overdue or 0, "due_soon": due_soon or 0}


def overdue_cases(stmt, on: date | None = None, limit: int = 20) -> list[Submission]:
    on = on or today()
    return list(
        db.session.scalars(
            stmt.order_by(None)
            .where(Submission.status.in_(OPEN), Submission.due_on < on)
            .order_by(Submission.due_on)
            .limit(limit)
        )
    )
