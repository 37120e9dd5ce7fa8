"""Service performance of each form version: the facts from the database, the arithmetic
in kpi.quality (completion, time to complete, where residents leave, corrections,
processing time against 標準処理期間, satisfaction)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from app.clock import as_utc, japan_time
from app.extensions import db
from app.kpi import quality

from . import deadlines, versions
from . import funnel as funnels
from .models import CLOSED, Draft, FormVersion, SatisfactionAnswer, Submission, SubmissionEvent


@dataclass
class VersionPerformance:
    form_version: FormVersion
    title: str
    started: int
    submitted: int
    completion: float | None
    median_minutes: float | None
    leave: quality.Leave | None  # the step where most residents leave (None: nobody left)
    leave_label: str | None
    returned: int
    corrections: float | None  # per 100 submissions
    processing: quality.Processing
    satisfaction: quality.Satisfaction


@dataclass
class Comment:
    form_version: int
    procedure_code: str
    score: int
    text: str
    at: datetime


def minimum_answers() -> int:
    return current_app.config["QUALITY_MIN_ANSWERS"]


def form_versions(procedure_code: str) -> list[FormVersion]:
    return list(
        db.session.scalars(
            select(FormVersion)
            .where(FormVersion.procedure_code == procedure_code)
            .order_by(FormVersion.form_id, FormVersion.version.desc())
        )
    )


def _step_label(defn, step: str, lang: str) -> str:
    if step in ("start", "check"):
        return step  # the template names these two
    page = defn.page(step.removeprefix("page:")) if step.startswith("page:") else None
    if page is None:
        return step
    return page.title.get(lang) or page.id


def version_performance(fv: FormVersion, lang: str = "ja") -> VersionPerformance:
    defn = versions.definition(fv)
    counts = funnels.funnel(fv.id)
    steps = ["start", *(f"page:{p.id}" for p in defn.pages), "check", "submitted"]
    leaves = [x for x in quality.where_residents_leave(steps, counts) if x.left > 0]
    durations = [
        (as_utc(done) - as_utc(began)).total_seconds() / 60
        for done, began in db.session.execute(
            select(Submission.created_at, Draft.created_at)
            .join(Draft, Draft.id == Submission.draft_id)
            .where(Submission.form_version_id == fv.id)
        )
    ]
    returned = db.session.scalar(
        select(func.count(SubmissionEvent.id))
        .join(Submission, Submission.id == SubmissionEvent.submission_id)
        .where(Submission.form_version_id == fv.id, SubmissionEvent.status == "returned")
    )
    decided: dict[int, tuple] = {}
    for sub_id, received, at in db.session.execute(
        select(Submission.id, Submission.created_at, SubmissionEvent.at)
        .join(SubmissionEvent, SubmissionEvent.submission_id == Submission.id)
        .where(Submission.form_version_id == fv.id, SubmissionEvent.status.in_(CLOSED))
        .order_by(SubmissionEvent.id)
    ):
        decided.setdefault(sub_id, (japan_time(received).date(), japan_time(at).date()))
    scores = db.session.scalars(
        select(SatisfactionAnswer.score).where(SatisfactionAnswer.form_version_id == fv.id)
    )
    submitted = counts.get("submitted", 0)
    leave = leaves[0] if leaves else None
    return VersionPerformance(
        form_version=fv,
        title=fv.title_ja,
        started=counts.get("start", 0),
        submitted=submitted,
        completion=quality.completion_rate(counts.get("start", 0), submitted),
        median_minutes=quality.median(durations),
        leave=leave,
        leave_label=_step_label(defn, leave.step, lang) if leave else None,
        returned=returned,
        corrections=quality.corrections_per_100(returned, submitted),
        processing=quality.processing(
            decided.values(), deadlines.standard_days(fv.procedure_code, defn)
        ),
        satisfaction=quality.satisfaction(scores, minimum_answers()),
    )


def procedure_performance(procedure_code: str, lang: str = "ja") -> list[VersionPerformance]:
    """Each form version of a procedure, newest first."""
    return [version_performance(fv, lang) for fv in form_versions(procedure_code)]


def comments(procedure_codes: list[str] | None = None, *, limit: int = 200) -> list[Comment]:
    """The residents' comments (masked when stored), newest first; None: every procedure."""
    stmt = (
        select(SatisfactionAnswer, FormVersion.version)
        .join(FormVersion, FormVersion.id == SatisfactionAnswer.form_version_id)
        .where(SatisfactionAnswer.comment.is_not(None))
        .order_by(SatisfactionAnswer.id.desc())
        .limit(limit)
    )
    if procedure_codes is not None:
        stmt = stmt.where(SatisfactionAnswer.procedure_code.in_(procedure_codes))
    return [
        Comment(version, a.procedure_code, a.score, a.comment, a.created_at)
        for a, version in db.session.execute(stmt)
    ]


def procedures_with_forms() -> list[str]:
    return list(db.session.scalars(select(FormVersion.procedure_code).distinct()))
