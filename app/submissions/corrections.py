"""Corrections (補正): staff return a submission with a message, the questions they marked
and a deadline; the resident corrects it in a draft of its own — the same pages, checks,
upload rules and check page (確認画面) as a first submission — and resubmits it under the
same receipt number. Each resubmission is a revision (revisions.py); the case goes back
to 受付済み.

The rules, in one place for every way in:
- only a submission that is `returned` can be corrected, and only until its deadline
  (the last day in Japan, `due_on`);
- with `corrections: marked_only` in the form, only the marked questions may change;
  otherwise every answer may;
- a correction is resubmitted once (its `answered_at`).
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update

from app.clock import today, utcnow
from app.extensions import db
from app.formengine import Context, Result, confirm_declaration, validate_all
from app.jobs.outbox import dispatch

from . import effects, revisions
from .models import (
    CorrectionRequest,
    Draft,
    StoredFile,
    Submission,
    SubmissionEvent,
)
from .transitions import TransitionError, transition
from .uploads import discard_files, refs_in
from .versions import definition

MAX_DAYS_AHEAD = 366  # a deadline further than a year away is a typing mistake
RESIDENT = "resident"  # who an event made by the resident is `by`


class CorrectionClosed(Exception):
    """The submission is not (or no longer) open for correction; the message says why."""


# --- staff: asking for a correction ---------------------------------------------------------


def parse_due(text: str | None) -> date | None:
    """A deadline as typed by staff (YYYY-MM-DD); empty is none. Raises TransitionError
    with the reason for a day that is not a date, is past, or is more than a year away."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        due = date.fromisoformat(text)
    except ValueError:
        raise TransitionError(
            _("補正の期限は 2026-12-31 の形式の日付で入力してください。")
        ) from None
    if due < today():
        raise TransitionError(_("補正の期限に過去の日付は指定できません。"))
    if due > today() + timedelta(days=MAX_DAYS_AHEAD):
        raise TransitionError(_("補正の期限は1年以内の日付にしてください。"))
    return due


def request_correction(
    sub: Submission, message: str | None, marked: list[str], due_on: date | None, by: str
) -> CorrectionRequest:
    """Return the submission for correction (差し戻し) with a message to the resident, the
    questions marked and a deadline. The caller commits, then `dispatch_notices`."""
    defn = definition(sub.form_version)
    known = {f.id for _page, f in defn.all_fields()}
    unknown = [m for m in marked if m not in known]
    if unknown:
        raise TransitionError(_("この様式にない項目が指定されています。"))
    event = transition(sub, "returned", message, by)
    db.session.flush()
    req = db.session.scalar(select(CorrectionRequest).where(CorrectionRequest.event_id == event.id))
    req.marked, req.due_on = list(dict.fromkeys(marked)), due_on
    db.session.flush()
    return req


# --- the resident: opening and reading a correction -------------------------------------------


def open_request(sub: Submission) -> CorrectionRequest | None:
    """The correction staff asked for, while the submission is returned for it."""
    if sub.status != "returned":
        return None
    return db.session.scalar(
        select(CorrectionRequest)
        .where(CorrectionRequest.submission_id == sub.id)
        .order_by(CorrectionRequest.id.desc())
        .limit(1)
    )


def is_overdue(req: CorrectionRequest) -> bool:
    return req.due_on is not None and today() > req.due_on


def closed_reason(sub: Submission, req: CorrectionRequest | None) -> str | None:
    """Why this submission cannot be corrected now, for the resident; None if it can."""
    if req is None or req.answered_at is not None:
        return _("この申請は現在、補正を受け付けていません。")
    if is_overdue(req):
        return _(
            "補正の期限（%(day)s）を過ぎたため、補正して再申請することはできません。担当課にお問い合わせください。",
            day=req.due_on.isoformat(),
        )
    return None


def start(sub: Submission) -> Draft:
    """The draft the resident corrects in: made on first opening with the submission's
    answers (its files stay the submission's: the draft refers to them), the same draft
    afterwards (from another device too)."""
    req = open_request(sub)
    reason = closed_reason(sub, req)
    if reason:
        raise CorrectionClosed(reason)
    if req.draft_id is not None:
        draft = db.session.get(Draft, req.draft_id)
        if draft is not None:
            return draft
    draft = Draft(
        token=secrets.token_urlsafe(32),
        form_version_id=sub.form_version_id,
        answers=dict(sub.answers or {}),
        pending={},
        pages_seen=[],
        lang=sub.lang or "ja",
    )
    db.session.add(draft)
    db.session.flush()
    req.draft_id = draft.id
    db.session.commit()
    return draft


def request_of_draft(draft_id: int) -> CorrectionRequest | None:
    """The correction a draft belongs to (None: a draft of a new application)."""
    return db.session.scalar(
        select(CorrectionRequest).where(CorrectionRequest.draft_id == draft_id)
    )


def editable(defn, req: CorrectionRequest, field_id: str) -> bool:
    """Whether the resident may change this answer in the correction."""
    return defn.corrections != "marked_only" or field_id in (req.marked or [])


def keep_unchangeable(defn, req: CorrectionRequest, sub: Submission, values: dict) -> dict:
    """`values` with every answer the resident may not change put back as submitted."""
    if defn.corrections != "marked_only":
        return values
    out = {k: v for k, v in values.items() if editable(defn, req, k)}
    out.update({k: v for k, v in (sub.answers or {}).items() if not editable(defn, req, k)})
    return out


def file_of_draft(draft: Draft, row: StoredFile | None) -> bool:
    """Whether the resident correcting in `draft` may open this file: one they uploaded to
    it, or one of the submission being corrected."""
    if row is None:
        return False
    if row.draft_id == draft.id:
        return True
    req = request_of_draft(draft.id)
    return req is not None and row.submission_id == req.submission_id


# --- the resident: resubmitting ----------------------------------------------------------------


def resubmit(draft: Draft, ctx: Context, *, declared: bool) -> tuple[Submission | None, Result]:
    """Check the corrected answers as a submission's are checked and store them as the
    submission's next revision, once. → (the submission, the result); raises
    CorrectionClosed after the deadline or when it was already resubmitted elsewhere."""
    req = request_of_draft(draft.id)
    if req is None:
        raise CorrectionClosed(_("この申請は現在、補正を受け付けていません。"))
    sub = db.session.get(Submission, req.submission_id)
    if req.answered_at is not None:
        return sub, Result()  # a double tap: already resubmitted
    reason = closed_reason(sub, open_request(sub))
    if reason or open_request(sub).id != req.id:
        raise CorrectionClosed(reason or _("この申請は現在、補正を受け付けていません。"))
    defn = definition(sub.form_version)
    result = validate_all(defn, draft.answers or {}, ctx, unknown_is_error=False)
    confirm_declaration(defn, declared, ctx, result)
    if not result.ok:
        return None, result
    answers = keep_unchangeable(defn, req, sub, dict(result.values))
    now = utcnow()
    won = db.session.execute(
        update(CorrectionRequest)
        .where(CorrectionRequest.id == req.id, CorrectionRequest.answered_at.is_(None))
        .values(answered_at=now)
    ).rowcount
    if not won:  # resubmitted at this same moment from elsewhere
        db.session.rollback()
        return sub, Result()
    revisions.add_revision(sub, answers)
    kept = {ref["id"] for v in answers.values() for ref in refs_in(v)}
    if kept:
        db.session.execute(
            update(StoredFile)
            .where(
                StoredFile.draft_id == draft.id,
                StoredFile.submission_id.is_(None),
                StoredFile.id.in_(kept),
            )
            .values(submission_id=sub.id)
        )
    unused = list(
        db.session.scalars(
            select(StoredFile).where(
                StoredFile.draft_id == draft.id, StoredFile.submission_id.is_(None)
            )
        )
    )
    for row in unused:
        db.session.delete(row)
    sub.answers = answers
    if defn.declaration:
        sub.declared_at = now
    sub.status = "received"
    event = SubmissionEvent(submission_id=sub.id, status="received", by=RESIDENT, at=now)
    db.session.add(event)
    db.session.flush()
    jobs = effects.announce(sub, event)  # its receipt (第n版) is made when asked for
    draft.answers, draft.pending = {}, {}
    db.session.commit()
    discard_files(unused)
    dispatch(jobs)
    return sub, result
