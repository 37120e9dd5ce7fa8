"""/staff: sign-in, procedures (status, volumes, form), submissions inbox, audit (the
accounts: account_views.py)."""

from __future__ import annotations

import time
from datetime import date
from functools import wraps
from urllib.parse import urlparse

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select

from app.api import tokens as api_tokens
from app.api.models import ApiToken
from app.catalogue import rules
from app.catalogue import services as catalogue
from app.catalogue.models import Department, Procedure, StatusChange, VolumeRecord
from app.clock import YEARS, today, usable_day, utcnow
from app.extensions import db, limiter, login
from app.formengine import render
from app.formengine.normalise import parse_date
from app.jobs import outbox
from app.kpi import DIGITIZATION_STATUSES, fiscal_year_of, status_label, status_on
from app.submissions import deadlines, store, transitions, uploads, validation, versions
from app.submissions.models import (
    CASE_STATUSES,
    CASE_TRANSITIONS,
    CLOSED,
    StoredFile,
    Submission,
)
from app.web import checks_own_text, current_lang, note_bad_input

from . import accounts, bulk, catalogue_files, services, todo, twofactor
from . import inbox as inbox_list
from .models import ROLES, AuditEvent

bp = Blueprint("staff", __name__, url_prefix="/staff")
bp.register_blueprint(bulk.bp)  # /staff/procedures/status: many procedures at once
bp.register_blueprint(catalogue_files.bp)  # /staff/catalogue: upload, check, apply, download

login.login_view = "staff.login_page"
login.login_message = None


@login.user_loader
def _load(user_id: str):
    return services.load_user(user_id)


def role_required(*roles):
    def wrap(view):
        @wraps(view)
        @login_required
        def inner(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return inner

    return wrap


@bp.before_request
def _idle_timeout():
    """Sign out after STAFF_IDLE_MINUTES without a request (the page warns before)."""
    if not current_user.is_authenticated:
        return None
    now = time.time()
    idle = current_app.config["STAFF_IDLE_MINUTES"] * 60
    seen = session.get("staff_seen", now)
    if now - seen > idle:
        services.end_sessions(current_user)
        db.session.commit()
        logout_user()
        session.clear()
        flash(
            _("一定時間操作がなかったため、ログアウトしました。もう一度ログインしてください。"),
            "info",
        )
        return redirect(url_for("staff.login_page"))
    session["staff_seen"] = now
    return None


_BEFORE_SECOND_FACTOR = {"staff.logout", "staff.keepalive", "staff.login_page"}


@bp.before_request
def _second_factor_set_up():
    """A role that must sign in with two factors and has none set up yet sees nothing but
    the page that sets it up (and may sign out)."""
    if (
        current_user.is_authenticated
        and twofactor.must_enrol(current_user)
        and request.endpoint not in _BEFORE_SECOND_FACTOR
        and not (request.endpoint or "").startswith("staff.twofactor.")
    ):
        return redirect(url_for("staff.twofactor.setup_page"))
    return None


@bp.context_processor
def _staff_helpers():
    return {
        "roles": ROLES,
        "idle_seconds": current_app.config["STAFF_IDLE_MINUTES"] * 60,
        "submission_statuses": CASE_STATUSES,
        "procedure_status_label": lambda c: status_label(c, current_lang()),
    }


def _safe_next(target: str | None) -> str:
    if target and urlparse(target).netloc == "" and target.startswith("/staff"):
        return target
    return url_for(".home")


# --- sign in and out ----------------------------------------------------------------------------


@bp.get("/login")
def login_page():
    if current_user.is_authenticated:
        return redirect(url_for(".home"))
    return render_template("staff/login.html", error=None, email="")


@bp.post("/login")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])  # per client address
@limiter.limit(
    lambda: current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"],
    key_func=lambda: services.sign_in_key(request.form.get("email")),
)
def login_submit():
    email = request.form.get("email", "")
    user = services.authenticate(email, request.form.get("password", ""))
    if user is None:
        known = accounts.find(email) if "@" in email else None
        if known is not None:
            accounts.record_sign_in(known, False, "password")
        services.audit(None, "login.failed", f"user:{services.normalise_email(email)}")
        db.session.commit()
        return render_template(
            "staff/login.html",
            email=email,
            error=_("メールアドレスまたはパスワードが正しくありません。"),
        ), 401
    next_url = _safe_next(request.args.get("next"))
    if twofactor.enrolled(user):  # the second step: /staff/login/code
        db.session.commit()
        session.clear()  # a fresh session: no fixation
        session[PENDING_SIGN_IN] = {"user": user.get_id(), "at": time.time(), "next": next_url}
        return redirect(url_for(".twofactor.code_page"))
    return signed_in(user, "password", next_url)


PENDING_SIGN_IN = "staff_sign_in"  # the account whose password was right, until its code


def signed_in(user, factor: str, next_url: str):
    """The account is in (every factor it needs was right): a fresh session, the history,
    the audit log. Roles that need a second factor and have none go to set it up."""
    session.clear()  # a fresh session: no fixation
    login_user(user)
    session["staff_seen"] = time.time()
    user.last_login_at = utcnow()
    accounts.record_sign_in(user, True, factor)
    services.audit(user, "login", detail={"factor": factor})
    db.session.commit()
    if twofactor.must_enrol(user):
        return redirect(url_for(".twofactor.setup_page"))
    return redirect(next_url)


@bp.post("/logout")
@login_required
def logout():
    user = current_user._get_current_object()
    services.end_sessions(user)  # a copied cookie stops working too
    services.audit(user, "logout")
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("ログアウトしました。"), "info")
    return redirect(url_for(".login_page"))


@bp.post("/keepalive")
@login_required
def keepalive():
    return {"status": "ok", "idle_seconds": current_app.config["STAFF_IDLE_MINUTES"] * 60}


# --- home ----------------------------------------------------------------------------------------


@bp.get("/")
@login_required
def home():
    stmt = services.submissions_query(current_user)
    volume_year, todos = todo.todo_for(current_user)
    return render_template(
        "staff/home.html",
        counts=_status_counts(stmt),
        todos=todos,
        volume_year=volume_year,
        deadline_counts=deadlines.counts(stmt),
        overdue=deadlines.overdue_cases(stmt),
    )


def _status_counts(stmt) -> dict[str, int]:
    sub = stmt.order_by(None).subquery()
    return {
        status: n
        for status, n in db.session.execute(
            select(sub.c.status, func.count()).group_by(sub.c.status)
        ).all()
    }


# --- procedures ----------------------------------------------------------------------------------


@bp.get("/procedures")
@login_required
def procedures():
    return bulk.procedures_page()


def _procedure(code: str) -> Procedure:
    p = db.session.scalar(select(Procedure).where(Procedure.code == code))
    if p is None:
        abort(404)
    if not services.may_see_procedure(current_user, p):
        abort(403)
    return p


@bp.get("/procedures/<code>")
@login_required
def procedure(code: str):
    p = _procedure(code)
    return _procedure_page(p)


def _procedure_page(
    p: Procedure, errors: dict | None = None, status: int = 200, *, show_confirm: bool = False
):
    history = list(
        db.session.scalars(
            select(StatusChange)
            .where(StatusChange.procedure_id == p.id)
            .order_by(StatusChange.id.desc())
        )
    )
    volumes = list(
        db.session.scalars(
            select(VolumeRecord)
            .where(VolumeRecord.procedure_id == p.id)
            .order_by(VolumeRecord.fiscal_year.desc(), VolumeRecord.id.desc())
        )
    )
    current = status_on([(h.effective_date, h.status) for h in reversed(history)], today())
    forms = [fv.form_id for fv in versions.published_forms()]
    return render_template(
        "staff/procedure.html",
        p=p,
        history=history,
        volumes=volumes,
        current=current,
        statuses=DIGITIZATION_STATUSES,
        forms=forms,
        errors=errors or {},
        can_edit=current_user.can_edit(p.department_id),
        this_year=fiscal_year_of(today()),
        form_data=request.form,
        show_confirm=show_confirm or request.form.get("confirm") == "1",
    ), status


def editable_procedure(code: str) -> Procedure:
    p = _procedure(code)
    if not current_user.can_edit(p.department_id):
        abort(403)
    return p


def _refused(p: Procedure, exc: catalogue.CatalogueError, rename: dict[str, str] | None = None):
    """The procedure page again (422) with each problem at its field, in the page's language."""
    errors = rules.messages_by_field(exc.problems, current_lang(), rename)
    jump = any(problem.code == rules.JUMP_CODE for problem in exc.problems)
    return _procedure_page(p, errors, 422, show_confirm=jump)


@bp.post("/procedures/<code>/status")
@login_required
@checks_own_text  # the catalogue's rule names each field (rules.py)
def record_status(code: str):
    p = editable_procedure(code)
    status = request.form.get("status", "")
    note = rules.read_note(request.form.get("note"))
    try:
        row = catalogue.record_status(
            p,
            status,
            rules.read_day(request.form.get("effective_date")),
            note=note,
            by=current_user.email,
        )
    except catalogue.CatalogueError as exc:
        return _refused(p, exc)
    services.audit_status(current_user, p, row)
    db.session.commit()
    flash(_("状態を記録しました。"), "success")
    return redirect(url_for(".procedure", code=p.code))


@bp.post("/procedures/<code>/volumes")
@login_required
@checks_own_text  # the catalogue's rule names each field (rules.py)
def record_volume(code: str):
    p = editable_procedure(code)
    note = rules.read_note(request.form.get("volume_note"))
    confirmed = request.form.get("confirm") == "1"
    try:
        row = catalogue.record_volume(
            p,
            rules.read_fiscal_year(request.form.get("fiscal_year")),
            rules.read_count(request.form.get("receipts")),
            rules.read_count(request.form.get("online_receipts")),
            note=note,
            confirmed=confirmed,
            by=current_user.email,
        )
    except catalogue.CatalogueError as exc:
        return _refused(p, exc, {"note": "volume_note"})
    services.audit(
        current_user,
        "procedure.volume",
        f"procedure:{p.code}",
        {
            "fiscal_year": row.fiscal_year,
            "receipts": row.receipts,
            "online_receipts": row.online_receipts,
            "note": note,
            "confirmed": confirmed,
            "row": row.id,
        },
    )
    db.session.commit()
    flash(_("件数を記録しました。"), "success")
    return redirect(url_for(".procedure", code=p.code))


@bp.post("/procedures/<code>/validity")
@login_required
@checks_own_text  # the catalogue's rule names each field (rules.py)
def set_validity(code: str):
    p = editable_procedure(code)
    try:
        before = catalogue.set_validity(
            p,
            rules.read_day(request.form.get("valid_from")),
            rules.read_day(request.form.get("valid_until")),
        )
    except catalogue.CatalogueError as exc:
        return _refused(p, exc)
    after = (p.valid_from, p.valid_until)
    services.audit(
        current_user,
        "procedure.validity",
        f"procedure:{p.code}",
        {
            "from": [d.isoformat() if d else None for d in before],
            "to": [d.isoformat() if d else None for d in after],
        },
    )
    db.session.commit()
    flash(_("有効期間を保存しました。"), "success")
    return redirect(url_for(".procedure", code=p.code))


@bp.post("/procedures/<code>/form")
@login_required
def link_form(code: str):
    p = editable_procedure(code)
    form_id = (request.form.get("form") or "").strip() or None
    if form_id and form_id not in {fv.form_id for fv in versions.published_forms()}:
        return _procedure_page(p, {"form": _("公開済みの様式から選んでください。")}, 422)
    before = p.form
    p.form = form_id
    services.audit(
        current_user, "procedure.form", f"procedure:{p.code}", {"from": before, "to": form_id}
    )
    db.session.commit()
    flash(_("オンライン様式の設定を保存しました。"), "success")
    return redirect(url_for(".procedure", code=p.code))


def _date(text: str) -> date | None:
    return parse_date(text) if text else None


def _date_filter(name: str, errors: dict[str, str]) -> date | None:
    """The date of query parameter `name` (empty: no filter); a text that is not a date a
    search can use (`9999-12-31` has no next day to stop at) puts a message in `errors`."""
    text = (request.args.get(name) or "").strip()
    if not text:
        return None
    day = _date(text) if len(text) <= 40 else None
    if day is not None and usable_day(day):
        return day
    note_bad_input(f"unusable date in query parameter {name}")
    errors[name] = _(
        "日付は%(first)s年から%(last)s年までの日付（例: 2026-04-01）で入力してください。",
        first=YEARS[0],
        last=YEARS[1],
    )
    return None


# --- submissions inbox -----------------------------------------------------------------------


@bp.get("/submissions")
@login_required
def inbox():
    """The inbox (app/staff/inbox.py): search, filters, sort, pages, CSV and Excel."""
    errors: dict[str, str] = {}
    try:
        f = inbox_list.filters_from(request.args, lambda name: _date_filter(name, errors))
    except inbox_list.BadFilter as exc:
        note_bad_input(f"unusable inbox filter {exc.field}")
        f, errors[exc.field] = None, str(exc)
    fmt = inbox_list.wants_export()
    if f is not None and not errors and fmt:
        services.audit(current_user, "submission.export", fmt, {"q": bool(f.q)})
        db.session.commit()
        export = inbox_list.export_csv if fmt == "csv" else inbox_list.export_xlsx
        return export(current_user, f, current_lang())
    listing = inbox_list.page_of(current_user, f) if f is not None and not errors else None
    return render_template(
        "staff/inbox.html",
        listing=listing,
        f=f or inbox_list.Filters(),
        args=request.args,
        forms=inbox_list.forms_of(current_user),
        new_count=inbox_list.unread_count(current_user),
        here=inbox_list.here,
        errors=errors,
    ), (400 if errors else 200)


def _submission(receipt_no: str) -> Submission:
    sub = store.find_by_receipt(receipt_no)
    if sub is None:
        abort(404)
    if not services.may_see_submission(current_user, sub):
        services.audit(
            current_user, "submission.denied", f"submission:{receipt_no}", status_code=403
        )
        db.session.commit()
        abort(403)
    return sub


@bp.get("/submissions/<receipt_no>")
@login_required
def submission(receipt_no: str):
    sub = _submission(receipt_no)
    services.audit(current_user, "submission.view", f"submission:{sub.receipt_no}")
    inbox_list.mark_read(current_user, sub)
    db.session.commit()
    return _submission_page(sub)


def _submission_page(
    sub: Submission, error: str | None = None, status: int = 200, anchor: str = "message"
):
    defn = versions.definition(sub.form_version)
    lang = current_lang()
    sections = render(defn, sub.answers or {}, lang, validation.context(lang))
    return render_template(
        "staff/submission.html",
        sub=sub,
        defn=defn,
        sections=sections,
        lang=lang,
        files=uploads.files_of(sub),
        # approving and rejecting are the decision's (decisions.py), not a status move
        next_steps={
            to: needs
            for to, needs in CASE_TRANSITIONS.get(sub.status, {}).items()
            if to not in CLOSED and to != "returned"  # returning has its own form (cases.py)
        },
        # the return-for-correction form (staff/_correction.html) is offered by this, not
        # by next_steps, which leaves returning out
        can_return="returned" in CASE_TRANSITIONS.get(sub.status, {}),
        can_process=services.may_process(current_user, sub),
        error=error,
        error_anchor=anchor,
        message=request.form.get("message", ""),
    ), status


@bp.post("/submissions/<receipt_no>/status")
@login_required
def move(receipt_no: str):
    sub = _submission(receipt_no)
    if not services.may_process(current_user, sub):
        abort(403)
    to = request.form.get("to", "")
    try:
        transitions.transition(sub, to, request.form.get("message"), by=current_user.email)
    except transitions.TransitionError as exc:
        db.session.rollback()
        return _submission_page(sub, str(exc), 422)
    services.audit(current_user, "submission.status", f"submission:{sub.receipt_no}", {"to": to})
    db.session.commit()
    flash(_("状況を更新しました。申請者の照会画面に表示されます。"), "success")
    return redirect(url_for(".submission", receipt_no=sub.receipt_no))


@bp.get("/submissions/<receipt_no>/files/<file_id>")
@login_required
def submission_file(receipt_no: str, file_id: str):
    sub = _submission(receipt_no)
    row = db.session.get(StoredFile, file_id)
    if row is None or row.submission_id != sub.id:
        abort(404)
    services.audit(
        current_user, "submission.file", f"submission:{sub.receipt_no}", {"file": row.id}
    )
    db.session.commit()
    return uploads.file_download(row)


# --- administration -----------------------------------------------------------------------------


@bp.get("/audit")
@role_required("admin")
def audit_log():
    actor = (request.args.get("actor") or "").strip()
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc())
    if actor:
        stmt = stmt.where(AuditEvent.actor.like(f"%{actor}%"))
    return render_template(
        "staff/audit.html", events=list(db.session.scalars(stmt.limit(500))), actor=actor
    )


# --- API tokens for departmental systems ------------------------------------------------------


def _token_departments() -> list[Department]:
    if current_user.role == "admin":
        return list(db.session.scalars(select(Department).order_by(Department.code)))
    return [current_user.department] if current_user.department else []


@bp.get("/tokens")
@role_required("department", "admin")
def tokens():
    return _tokens_page()


def _tokens_page(error: str | None = None, plaintext: str | None = None, status: int = 200):
    rows = api_tokens.list_tokens(None if current_user.role == "admin" else current_user.department)
    return render_template(
        "staff/tokens.html",
        tokens=rows,
        departments=_token_departments(),
        error=error,
        plaintext=plaintext,
        form_data=request.form,
    ), status


@bp.post("/tokens")
@role_required("department", "admin")
def create_token():
    code = request.form.get("department") or ""
    if current_user.role != "admin":
        code = current_user.department.code if current_user.department else ""
    try:
        token, plaintext = api_tokens.create_token(
            code, request.form.get("name", ""), by=current_user.email
        )
    except api_tokens.TokenError as exc:
        db.session.rollback()
        return _tokens_page(str(exc), status=422)
    services.audit(
        current_user, "token.create", f"token:{token.id}", {"department": code, "name": token.name}
    )
    db.session.commit()
    return _tokens_page(plaintext=plaintext)  # shown once, never stored in plain


@bp.post("/tokens/<int:token_id>/revoke")
@role_required("department", "admin")
def revoke_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or not services.may_manage_token(current_user, token.department_id):
        # another department's token answers as one that does not exist: token ids are
        # not to be found out by trying them; the attempt is in the audit log
        services.audit(current_user, "token.revoke.denied", f"token:{token_id}", status_code=404)
        db.session.commit()
        abort(404)
    api_tokens.revoke_token(token_id, by=current_user.email)
    services.audit(current_user, "token.revoke", f"token:{token_id}")
    db.session.commit()
    flash(_("トークンを無効にしました。"), "success")
    return redirect(url_for(".tokens"))


# --- background jobs (admins) -------------------------------------------------------------------


@bp.get("/jobs")
@role_required("admin")
def jobs():
    return render_template("staff/jobs.html", failed=outbox.failed_jobs(), counts=outbox.counts())


@bp.post("/jobs/<int:job_id>/retry")
@role_required("admin")
def retry_job(job_id: int):
    job = outbox.retry(job_id)
    if job is None:
        abort(404)
    services.audit(current_user, "job.retry", f"job:{job_id}")
    db.session.commit()
    flash(_("再実行しました。"), "success")
    return redirect(url_for(".jobs"))
