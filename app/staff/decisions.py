"""/staff/submissions/<receipt_no>/decision: the decision area of a case page (決裁) —
assign, memo, send to the next step or back, decide, undo — over submissions.workflow.
Every action is in the audit log; a decision issues the form's result documents."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.extensions import db
from app.jobs import outbox
from app.submissions import deadlines, effects, results, workflow
from app.submissions.case_models import (
    ACTIONS,
    ASSIGN,
    BACK,
    DECIDE,
    FORWARD,
    MEMO,
    UNDO,
)
from app.submissions.models import Submission

from . import services
from .models import User
from .views import _idle_timeout, _staff_helpers, _submission, _submission_page

bp = Blueprint("decisions", __name__, url_prefix="/staff/submissions")
bp.before_request(_idle_timeout)  # the staff workspace's rules hold here too
bp.context_processor(_staff_helpers)


def _done(action: str) -> str:
    """What the flash message says after `action` (each text written out for extraction)."""
    return {
        ASSIGN: _("担当者を設定しました。"),
        MEMO: _("内部メモを記録しました。"),
        FORWARD: _("次の段階へ送りました。"),
        BACK: _("前の段階へ戻しました。"),
        DECIDE: _("決裁しました。申請者の照会画面に表示されます。"),
        UNDO: _("決裁を取り消しました。"),
    }[action]


@bp.app_context_processor
def _panel():
    return {"decision_panel": decision_panel, "due_state": deadlines.state}


def decision_panel(sub: Submission) -> dict:
    """What the decision area of a case page shows to the signed-in staff member."""
    flow = workflow.workflow_of(sub)
    user = current_user._get_current_object()
    dept = workflow.department_of(sub)
    staff = list(
        db.session.scalars(
            select(User)
            .where(User.role == "department", User.department_id == dept, User.active.is_(True))
            .order_by(User.name)
        )
    )
    names = {u.id: u.name for u in staff}
    return {
        "flow": flow,
        "step": sub.workflow_step,
        "allowed": {
            action: workflow.refusal(user, sub, action, "approved") is None
            for action in (ASSIGN, MEMO, FORWARD, BACK, DECIDE, UNDO)
        },
        "why_not": workflow.refusal(
            user, sub, DECIDE if sub.workflow_step == flow.last else FORWARD, "approved"
        ),
        "staff": staff,
        "assignee": names.get(sub.assignee_id) if sub.assignee_id else None,
        "actions": workflow.actions(sub),
        "labels": ACTIONS,
        "names": names,
        "undo_until": workflow.can_undo_until(sub),
        "due": deadlines.state(sub),
        "documents": results.issued(sub),
    }


@bp.post("/<receipt_no>/decision")
@login_required
def act(receipt_no: str):
    sub = _submission(receipt_no)
    user = current_user._get_current_object()
    if not services.may_process(user, sub):
        abort(403)
    action = request.form.get("action", "")
    memo = request.form.get("memo")
    jobs: list[int] = []
    detail: dict = {"action": action, "step": sub.workflow_step}
    try:
        if action == ASSIGN:
            assignee = _assignee(request.form.get("assignee", ""))
            workflow.assign(user, sub, assignee)
            detail["assignee"] = assignee.email if assignee else None
        elif action == MEMO:
            workflow.add_memo(user, sub, memo)
        elif action == FORWARD:
            workflow.forward(user, sub, memo)
        elif action == BACK:
            workflow.back(user, sub, memo)
        elif action == DECIDE:
            outcome = request.form.get("outcome", "")
            decided = workflow.decide(user, sub, outcome, request.form.get("message"), memo)
            jobs = results.issue(sub, outcome)
            if jobs:  # the resident's mail lists the documents to download (never the answers)
                titles = [r.title for r in results.issued(sub)]
                jobs += effects.announce_result(sub, titles, key=f"decision-{decided.id}")
            detail["outcome"] = outcome
        elif action == UNDO:
            outcome = sub.status
            workflow.undo(user, sub, memo)
            detail["outcome"] = outcome
            detail["withdrawn"] = results.revoke(sub, (memo or "").strip())
        else:
            abort(400)
    except workflow.WorkflowError as exc:
        db.session.rollback()
        services.audit(
            user, "submission.decision.refused", f"submission:{sub.receipt_no}", detail, 422
        )
        db.session.commit()
        return _submission_page(sub, str(exc), 422, anchor="decision")
    services.audit(user, f"submission.{action}", f"submission:{sub.receipt_no}", detail)
    db.session.commit()
    outbox.dispatch(jobs)
    effects.dispatch_notices(sub)  # the status mail of a decision (transitions.announce)
    flash(_done(action), "success")
    return redirect(url_for("staff.submission", receipt_no=sub.receipt_no) + "#decision")


def _assignee(value: str) -> User | None:
    if not value:
        return None
    user = db.session.get(User, int(value)) if value.isdigit() else None
    if user is None:
        raise workflow.WorkflowError(_("担当者には、この部局の職員を選んでください。"))
    return user
