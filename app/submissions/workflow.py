"""The decision of a case in steps (決裁): a form's `workflow:` (formengine) says which
steps there are and which role takes each; this module says who may do what, and does it.

- `forward`: the current step is done, the case goes to the next step;
- `back`: the case goes back one step, with a memo saying why;
- `decide`: at the last step, approved or rejected (the message to the resident is the
  status change's, as for every status: transitions.py);
- `undo`: a decision taken back within the form's `undo_minutes`, with a reason;
- `assign`: the case given to a member of its department (or to nobody);
- `memo`: an internal note, never shown to the resident.

Who may: the department that owns the form's procedure. A step of role `department` is
taken by any of its staff (or an administrator stepping in), a step of role
`department_head` only by its heads (課長: `User.is_head`). A second pair of eyes: whoever
sent the case on from one step takes no later step of it. Each action is a `CaseAction`
(append-only); the staff views add the audit log entry.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol

from flask_babel import gettext as _
from sqlalchemy import select

from app.catalogue.models import Procedure
from app.clock import as_utc, utcnow
from app.extensions import db
from app.formengine.model import DECISIONS, Workflow

from . import transitions
from .case_models import ASSIGN, BACK, DECIDE, FORWARD, MEMO, UNDO, CaseAction
from .models import CLOSED, Submission, SubmissionEvent
from .versions import definition

MAX_MEMO = 2000


class Actor(Protocol):
    """A staff member, as this module needs one (app.staff.models.User)."""

    id: int
    email: str
    role: str
    department_id: int | None
    is_head: bool


class WorkflowError(ValueError):
    """Why an action cannot be taken; the message is for the person who tried."""


def workflow_of(sub: Submission) -> Workflow:
    return definition(sub.form_version).workflow


def department_of(sub: Submission) -> int | None:
    return db.session.scalar(
        select(Procedure.department_id).where(Procedure.code == sub.procedure_code)
    )


def actions(sub: Submission) -> list[CaseAction]:
    return list(
        db.session.scalars(
            select(CaseAction).where(CaseAction.submission_id == sub.id).order_by(CaseAction.id)
        )
    )


# --- who may ------------------------------------------------------------------------------------


def _processes(actor: Actor, sub: Submission) -> bool:
    if actor.role == "admin":
        return True
    return actor.role == "department" and actor.department_id == department_of(sub)


def _fits_step(actor: Actor, sub: Submission, step: int) -> bool:
    role = workflow_of(sub).steps[step].role
    if actor.role == "admin":
        return role == "department"
    return _processes(actor, sub) and (role == "department" or bool(actor.is_head))


def _took_earlier_step(actor: Actor, sub: Submission, step: int) -> bool:
    """Whether `actor` sent this case on from a step before `step` (a second person is
    needed for every later step)."""
    return (
        db.session.scalar(
            select(CaseAction.id).where(
                CaseAction.submission_id == sub.id,
                CaseAction.user_id == actor.id,
                CaseAction.action == FORWARD,
                CaseAction.step < step,
            )
        )
        is not None
    )


def refusal(actor: Actor, sub: Submission, action: str, outcome: str | None = None) -> str | None:
    """Why `actor` may not take `action` on this case now, or None when they may."""
    if not _processes(actor, sub):
        return _("この申請を処理する権限がありません。")
    flow, step = workflow_of(sub), sub.workflow_step
    if action == MEMO:
        return None
    if action == ASSIGN:
        return _("決裁済みの申請です。") if sub.status in CLOSED else None
    if action == UNDO:
        return _undo_refusal(actor, sub)
    if sub.status != "in_review":
        return _("審査中の申請だけが決裁の対象です。")
    if action == BACK:
        if step == 0:
            return _("最初の段階より前には戻せません。")
        return None if _fits_step(actor, sub, step) else _step_role_refusal(sub, step)
    if action == FORWARD and step >= flow.last:
        return _("最後の段階です。承認か不承認を決めてください。")
    if action == DECIDE:
        if step < flow.last:
            return _("決裁には、まだ先の段階があります。次の段階へ送ってください。")
        if outcome not in DECISIONS:
            return _("承認か不承認を選んでください。")
    if action not in (FORWARD, DECIDE):
        return _("この操作はできません。")
    if not _fits_step(actor, sub, step):
        return _step_role_refusal(sub, step)
    if _took_earlier_step(actor, sub, step):
        return _("前の段階を担当した職員は、この段階を担当できません（別の職員の確認が必要です）。")
    return None


def _step_role_refusal(sub: Submission, step: int) -> str:
    name = workflow_of(sub).steps[step].name
    return _("「%(step)s」の段階は、その役割の職員だけが担当できます。", step=name.get("ja"))


def _undo_refusal(actor: Actor, sub: Submission) -> str | None:
    if sub.status not in CLOSED or sub.decided_at is None:
        return _("取り消せる決裁がありません。")
    minutes = workflow_of(sub).undo_minutes
    if utcnow() - as_utc(sub.decided_at) > timedelta(minutes=minutes):
        return _("決裁から%(minutes)s分を過ぎたため、取り消せません。", minutes=minutes)
    if not _fits_step(actor, sub, workflow_of(sub).last):
        return _step_role_refusal(sub, workflow_of(sub).last)
    return None


def _check(actor: Actor, sub: Submission, action: str, outcome: str | None = None) -> None:
    reason = refusal(actor, sub, action, outcome)
    if reason:
        raise WorkflowError(reason)


def _memo(text: str | None, *, required: bool) -> str | None:
    text = (text or "").strip() or None
    if required and not text:
        raise WorkflowError(_("理由（内部メモ）を入力してください。"))
    if text and len(text) > MAX_MEMO:
        raise WorkflowError(_("メモは%(n)s文字以内で入力してください。", n=MAX_MEMO))
    return text


def _record(actor: Actor, sub: Submission, action: str, **values) -> CaseAction:
    row = CaseAction(
        submission_id=sub.id,
        user_id=actor.id,
        actor=actor.email,
        action=action,
        step=sub.workflow_step,
        **values,
    )
    db.session.add(row)
    db.session.flush()
    return row


# --- doing --------------------------------------------------------------------------------------


def add_memo(actor: Actor, sub: Submission, memo: str | None) -> CaseAction:
    _check(actor, sub, MEMO)
    return _record(actor, sub, MEMO, memo=_memo(memo, required=True))


def assign(actor: Actor, sub: Submission, assignee: Actor | None) -> CaseAction:
    """Give the case to `assignee` (active staff of its department), or to nobody."""
    _check(actor, sub, ASSIGN)
    if assignee is not None and not (
        assignee.role == "department"
        and assignee.department_id == department_of(sub)
        and getattr(assignee, "active", True)
    ):
        raise WorkflowError(_("担当者には、この部局の職員を選んでください。"))
    sub.assignee_id = assignee.id if assignee else None
    return _record(actor, sub, ASSIGN, assignee_id=sub.assignee_id)


def forward(actor: Actor, sub: Submission, memo: str | None = None) -> CaseAction:
    _check(actor, sub, FORWARD)
    row = _record(
        actor, sub, FORWARD, to_step=sub.workflow_step + 1, memo=_memo(memo, required=False)
    )
    sub.workflow_step += 1
    return row


def back(actor: Actor, sub: Submission, memo: str | None) -> CaseAction:
    _check(actor, sub, BACK)
    row = _record(actor, sub, BACK, to_step=sub.workflow_step - 1, memo=_memo(memo, required=True))
    sub.workflow_step -= 1
    return row


def decide(
    actor: Actor, sub: Submission, outcome: str, message: str | None, memo: str | None = None
) -> CaseAction:
    """The last step's decision: the case is approved or rejected (with the message to
    the resident the status needs). The result documents are issued by the caller
    (results.issue), in the same transaction."""
    _check(actor, sub, DECIDE, outcome)
    memo = _memo(memo, required=False)
    try:
        transitions.transition(sub, outcome, message, by=actor.email, decision=True)
    except transitions.TransitionError as exc:
        raise WorkflowError(str(exc)) from exc
    sub.decided_at = utcnow()
    return _record(actor, sub, DECIDE, outcome=outcome, memo=memo)


def undo(actor: Actor, sub: Submission, reason: str | None) -> CaseAction:
    """Take a decision back (within the form's undo_minutes): the case is in review at
    its last step again; its result documents are withdrawn by the caller (results.revoke)."""
    _check(actor, sub, UNDO)
    reason = _memo(reason, required=True)
    outcome = sub.status
    db.session.add(SubmissionEvent(submission_id=sub.id, status="in_review", by=actor.email))
    sub.status = "in_review"
    sub.decided_at = None
    db.session.flush()
    transitions.after_status_change(sub)
    return _record(actor, sub, UNDO, outcome=outcome, memo=reason)


def can_undo_until(sub: Submission):
    """Until when the decision of a closed case can be taken back, or None."""
    if sub.status not in CLOSED or sub.decided_at is None:
        return None
    return as_utc(sub.decided_at) + timedelta(minutes=workflow_of(sub).undo_minutes)
