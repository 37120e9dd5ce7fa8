"""Putting documents right after something went wrong: receipts missing from disk (a lost
volume, a restore without DOCUMENT_DIR, a template fixed) and mails that did not arrive.

Receipts are write-once: `regenerate` writes a receipt that is missing or unreadable and
leaves a good one alone, and one never asked for to be made when it is; with `replace` it writes a new one and keeps the old one beside
it (`<receipt>.pdf.replaced-<UTC time>`), never losing what a resident was given.
Mails go out again through their outbox jobs (the same keys, so the same Message-ID: a
repeat is recognisable); without MAIL_URL the .eml record is written anew."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import select, update

from app.clock import japan_days, utcnow
from app.documents.storage import write_once
from app.extensions import db
from app.jobs import outbox
from app.jobs.models import FAILED, PENDING, QUEUED, RUNNING, OutboxJob
from app.notify import mail

from .effects import MAIL_DEPARTMENT, MAIL_RESIDENT
from .models import Submission, is_deleted
from .receipts import ON_REQUEST, receipt_path, receipt_state, render_receipt
from .store import find_by_receipt

MAIL_KINDS = (MAIL_RESIDENT, MAIL_DEPARTMENT)


def submissions_between(first: date, last: date) -> list[Submission]:
    """Submissions received from `first` to `last` (days in Japan, both included)."""
    start, end = japan_days(first, last)
    return list(
        db.session.scalars(
            select(Submission)
            .where(Submission.created_at >= start, Submission.created_at < end)
            .order_by(Submission.id)
        )
    )


def by_receipt_numbers(numbers: Iterable[str]) -> tuple[list[Submission], list[str]]:
    """→ (the submissions found, the numbers not found)."""
    found, missing = [], []
    for number in numbers:
        sub = find_by_receipt(number.strip())
        (found if sub is not None else missing).append(sub if sub is not None else number)
    return found, missing


def _readable(path) -> bool:
    try:
        with path.open("rb") as f:
            head = f.read(5)
        return head == b"%PDF-" and path.stat().st_size > 100
    except OSError:
        return False


def regenerate(sub: Submission, *, replace: bool = False) -> str:
    """One receipt → what was done: kept, written, replaced, skipped (personal data
    deleted after its retention period: there is nothing to put in it) or on_request
    (never asked for: it is made when it is)."""
    if is_deleted(sub):
        return "skipped"
    path = receipt_path(sub)
    if not path.exists() and receipt_state(sub) == ON_REQUEST:
        return "on_request"
    if path.exists() and _readable(path) and not replace:
        return "kept"
    data = render_receipt(sub)
    if path.exists():
        stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
        os.replace(path, path.with_name(f"{path.name}.replaced-{stamp}"))
        write_once(path, data)
        return "replaced"
    write_once(path, data)
    return "written"


@dataclass
class ResendReport:
    queued: list[str] = field(default_factory=list)  # job keys handed out again
    busy: list[str] = field(default_factory=list)  # waiting or running already: left alone


def resend_for(subs: Iterable[Submission]) -> ResendReport:
    """The mails of these submissions, sent again."""
    ids = [s.id for s in subs]
    jobs = list(
        db.session.scalars(
            select(OutboxJob)
            .where(OutboxJob.submission_id.in_(ids), OutboxJob.kind.in_(MAIL_KINDS))
            .order_by(OutboxJob.id)
        )
    )
    return _resend(jobs)


def resend_failed() -> ResendReport:
    """Every mail whose job gave up."""
    jobs = list(
        db.session.scalars(
            select(OutboxJob)
            .where(OutboxJob.state == FAILED, OutboxJob.kind.in_(MAIL_KINDS))
            .order_by(OutboxJob.id)
        )
    )
    return _resend(jobs)


def _resend(jobs: list[OutboxJob]) -> ResendReport:
    report = ResendReport()
    again = []
    for job in jobs:
        if job.state in (PENDING, QUEUED, RUNNING):
            report.busy.append(job.key)
            continue
        if not current_app.config.get("MAIL_URL"):
            mail.forget(job.key)  # the record is written anew
        changed = db.session.execute(
            update(OutboxJob)
            .where(OutboxJob.id == job.id, OutboxJob.state == job.state)
            .values(state=PENDING, attempts=0, run_after=utcnow(), finished_at=None)
        ).rowcount
        if changed:
            again.append(job.id)
            report.queued.append(job.key)
    db.session.commit()
    outbox.dispatch(again)
    return report
