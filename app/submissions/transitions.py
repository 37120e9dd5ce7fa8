"""A submission's status moves (受付 → 審査中 → …), each an appended event."""

from __future__ import annotations

from app.extensions import db

from .effects import announce
from .models import CASE_TRANSITIONS, CorrectionRequest, Submission, SubmissionEvent


class TransitionError(ValueError):
    """A status change that is not allowed; the message says why (日本語 / English)."""


def transition(sub: Submission, to: str, message: str | None, by: str) -> SubmissionEvent:
    """Move a submission to its next status, with a message to the resident when needed."""
    allowed = CASE_TRANSITIONS.get(sub.status, {})
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
    db.session.add(event)
    db.session.flush()
    if to == "returned":  # the resident may now correct it (corrections.py sets the rest)
        db.session.add(CorrectionRequest(submission_id=sub.id, event_id=event.id, marked=[]))
    announce(sub, event)  # the resident's mail, sent once the change is committed
    return event
