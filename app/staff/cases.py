"""A case page's correction (補正) parts: returning a submission to the resident with a
message, marked questions and a deadline, and the submission's revisions (改訂履歴).
The rules are the submissions feature's (submissions/corrections.py); this is their page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import db
from app.formengine import render
from app.submissions import corrections, effects, revisions, transitions, validation, versions
from app.submissions.models import StoredFile, Submission
from app.web import current_lang

from . import services
from .views import _idle_timeout, _staff_helpers, _submission, _submission_page

bp = Blueprint("cases", __name__, url_prefix="/staff")
bp.before_request(_idle_timeout)  # the staff pages' session rules and helpers
bp.context_processor(_staff_helpers)


@bp.app_context_processor
def _case_helpers():
    return {"case_values": case_values}


def case_values(sub: Submission) -> dict:
    """What the case page shows of corrections: the questions staff may mark, the
    revisions, the current files."""
    defn = versions.definition(sub.form_version)
    lang = current_lang()
    return {
        "markable": [
            (f.id, f.label.get(lang) if f.label else f.id)
            for _page, f in defn.all_fields()
            if f.type not in ("heading", "paragraph")
        ],
        "revisions": revisions.revisions_of(sub),
        "correction": (req := corrections.open_request(sub)),
        "overdue": req is not None and corrections.is_overdue(req),
        "current_files": revisions.current_files(sub),
        "due_value": request.form.get("due_on", ""),
        "marked_now": set(request.form.getlist("marked")),
    }


def return_for_correction(sub: Submission):
    """差し戻し (補正を求める) from the case page's form: the message, the marked questions
    and the deadline, each checked by submissions/corrections.py."""
    try:
        due = corrections.parse_due(request.form.get("due_on"))
        corrections.request_correction(
            sub,
            request.form.get("message"),
            request.form.getlist("marked")[:500],
            due,
            by=current_user.email,
        )
    except transitions.TransitionError as exc:
        db.session.rollback()
        return _submission_page(sub, str(exc), 422)
    services.audit(
        current_user,
        "submission.status",
        f"submission:{sub.receipt_no}",
        {"to": "returned", "marked": len(request.form.getlist("marked")), "due": str(due or "")},
    )
    db.session.commit()
    effects.dispatch_notices(sub)
    flash(_("補正を求めて差し戻しました。申請者にメールで知らせます。"), "success")
    return redirect(url_for("staff.submission", receipt_no=sub.receipt_no))


@bp.post("/submissions/<receipt_no>/return")
@login_required
def return_submission(receipt_no: str):
    sub = _submission(receipt_no)
    if not services.may_process(current_user, sub):
        abort(403)
    return return_for_correction(sub)


@bp.get("/submissions/<receipt_no>/revisions/<int:number>")
@login_required
def revision(receipt_no: str, number: int):
    """One revision of the answers and files, as the resident sent it."""
    sub = _submission(receipt_no)
    row = next((r for r in revisions.revisions_of(sub) if r.number == number), None)
    if row is None:
        abort(404)
    services.audit(
        current_user, "submission.view", f"submission:{sub.receipt_no}", {"revision": number}
    )
    db.session.commit()
    defn = versions.definition(sub.form_version)
    lang = current_lang()
    files = [db.session.get(StoredFile, f["id"]) for f in row.files]
    return render_template(
        "staff/revision.html",
        sub=sub,
        defn=defn,
        lang=lang,
        row=row,
        sections=render(defn, row.answers or {}, lang, validation.context(lang)),
        files=[f for f in files if f is not None and f.submission_id == sub.id],
        count=len(revisions.revisions_of(sub)),
    )
