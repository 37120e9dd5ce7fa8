"""A submission's status moves (受付 → 審査中 → …), each an appended event."""

from __future__ import annotations

from app.extensions import db

from . import deadlines
from .effects import announce
from .models import CASE_TRANSITIONS, CLOSED, CorrectionRequest, Submission, SubmissionEvent


class TransitionError(ValueError):
    """A status change that is not allowed; the message says why (日本語 / English)."""


def transition(
    sub: Submission, to: str, message: str | None, by: str, *, decision: bool = False
) -> SubmissionEvent:
    """Move a submission to its next status, with a message to the resident when needed.
    Approving or rejecting is a decision: only the last step of the form's workflow takes
    it (workflow.decide passes `decision=True`)."""
    allowed = CASE_TRANSITIONS.get(sub.status, {})
    if to in CLOSED and not decision and to in allowed:
        raise TransitionError(
            "承認・不承認は決裁の欄から行ってください / approve or reject in the decision section"
        )
    if to not in allowed:
        raise TransitionError(
            f"「{sub.status}」から「{to}」には変更できません / cannot move from {sub.status} to {to}"
        )
    message = (message or "").strip() or None
    if allowed[to] and not message:
        raise TransitionError(
            "申請者へのメッセージを入力してください / a message to the resident is required"
        )
    if message and len(message) > 2000:
        raise TransitionError(
            "メッセージは2000文字以内です / the message is longer than 2000 characters"
        )
    event = SubmissionEvent(submission_id=sub.id, status=to, message=message, by=by)
    sub.status = to
    if to == "returned":  # a corrected application starts its decision again (workflow.py)
        sub.workflow_step = 0
    db.session.add(event)
    db.session.flush()
    after_status_change(sub)
    if to == "returned":  # the resident may now correct it (corrections.py sets the rest)
        db.session.add(CorrectionRequest(submission_id=sub.id, event_id=event.id, marked=[]))
    announce(sub, event)  # the resident's mail, sent once the change is committed
    return event


def after_status_change(sub: Submission) -> None:
    """What every status change keeps up to date: the case's due date."""
    db.session.refresh(sub, ["events"])
    deadlines.refresh(sub)
