"""/staff/users (admins): the accounts, each account's page (role, department, name,
active, a one-time password reset link, its sign-in history); /staff/reset: the page the
link opens. A blueprint nested in the staff workspace's, so its sign-in, idle time-out
and page helpers apply here too."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.catalogue.models import Department
from app.extensions import db

from . import accounts, services, twofactor
from .models import User
from .views import role_required

bp = Blueprint("accounts", __name__)


def _departments() -> list[Department]:
    return list(db.session.scalars(select(Department).order_by(Department.code)))


def _account(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.get("/users")
@role_required("admin")
def users():
    return _users_page()


def _users_page(error: str | None = None, status: int = 200):
    return render_template(
        "staff/accounts/list.html",
        users=accounts.all_accounts(),
        departments=_departments(),
        error=error,
        form_data=request.form,
    ), status


@bp.post("/users")
@role_required("admin")
def create_user():
    try:
        user = services.create_user(
            request.form.get("email", ""),
            request.form.get("password", ""),
            request.form.get("role", ""),
            name=request.form.get("name") or None,
            department_code=request.form.get("department") or None,
        )
    except services.AccountError as exc:
        db.session.rollback()
        return _users_page(str(exc), 422)
    services.audit(current_user, "user.create", f"user:{user.email}", {"role": user.role})
    db.session.commit()
    flash(_("アカウントを作成しました。"), "success")
    return redirect(url_for(".account", user_id=user.id))


@bp.get("/users/<int:user_id>")
@role_required("admin")
def account(user_id: int):
    return _account_page(_account(user_id))


def _account_page(user: User, error: str | None = None, status: int = 200, reset_link=None):
    return render_template(
        "staff/accounts/account.html",
        user=user,
        departments=_departments(),
        history=accounts.history(user),
        factors=accounts.FACTORS,
        required=twofactor.required_for(user),
        error=error,
        form_data=request.form if error else {},
        reset_link=reset_link,
    ), status


@bp.post("/users/<int:user_id>")
@role_required("admin")
def change(user_id: int):
    user = _account(user_id)
    try:
        changes = accounts.change(
            user,
            role=request.form.get("role", ""),
            department_code=request.form.get("department") or None,
            name=request.form.get("name", ""),
            acting=current_user,
        )
    except services.AccountError as exc:
        db.session.rollback()
        return _account_page(_account(user_id), str(exc), 422)
    if changes:
        services.audit(current_user, "user.change", f"user:{user.email}", changes)
        flash(_("アカウントを変更しました。"), "success")
    db.session.commit()
    return redirect(url_for(".account", user_id=user.id))


@bp.post("/users/<int:user_id>/active")
@role_required("admin")
def set_active(user_id: int):
    user = _account(user_id)
    active = request.form.get("active") == "1"
    try:
        changed = accounts.set_active(user, active, acting=current_user)
    except services.AccountError as exc:
        db.session.rollback()
        return _account_page(user, str(exc), 422)
    if changed:
        services.audit(current_user, "user.active", f"user:{user.email}", {"active": active})
        flash(
            _("アカウントを再開しました。") if active else _("アカウントを停止しました。"),
            "success",
        )
    db.session.commit()
    return redirect(url_for(".account", user_id=user.id))


@bp.post("/users/<int:user_id>/reset")
@role_required("admin")
def issue_reset(user_id: int):
    user = _account(user_id)
    try:
        token, reset = accounts.issue_reset(user, acting=current_user)
    except services.AccountError as exc:
        db.session.rollback()
        return _account_page(user, str(exc), 422)
    services.audit(
        current_user,
        "user.reset_link",
        f"user:{user.email}",
        {"expires_at": reset.expires_at.isoformat()},
    )
    db.session.commit()
    return _account_page(user, reset_link=(accounts.reset_url(token), reset.expires_at))


@bp.post("/users/<int:user_id>/2fa/reset")
@role_required("admin")
def reset_two_factor(user_id: int):
    """For someone who lost the phone and the recovery codes: the account sets up its
    second factor again at its next sign-in (where its role needs one)."""
    user = _account(user_id)
    if twofactor.enrolled(user):
        twofactor.disable(user)
        services.end_sessions(user)
        services.audit(current_user, "user.2fa_reset", f"user:{user.email}")
        flash(_("2段階認証の設定を解除しました。次のログインで設定し直します。"), "success")
    db.session.commit()
    return redirect(url_for(".account", user_id=user.id))


# --- the page a reset link opens (anyone holding the link) -------------------------------

_RESET_KEY = "password_reset_token"


@bp.get("/reset/<token>")
def reset_from_link(token: str):
    """Keep the token in the session and go on to a page whose address does not hold it,
    so it stays out of access logs, the history and any Referer after this request."""
    session[_RESET_KEY] = token[:100]
    return redirect(url_for(".reset_page"))


@bp.get("/reset")
def reset_page():
    reset = accounts.valid_reset(session.get(_RESET_KEY))
    if reset is None:
        return _reset_refused()
    return render_template(
        "staff/accounts/reset.html", user=db.session.get(User, reset.user_id), error=None
    )


def _reset_refused():
    session.pop(_RESET_KEY, None)
    return render_template("staff/accounts/reset.html", user=None, error=None), 410


@bp.post("/reset")
def reset_submit():
    token = session.get(_RESET_KEY)
    reset = accounts.valid_reset(token)
    if reset is None:
        return _reset_refused()
    user = db.session.get(User, reset.user_id)
    password = request.form.get("password", "")
    if password != request.form.get("password_again", ""):
        return render_template(
            "staff/accounts/reset.html",
            user=user,
            error=_("確認のため入力したパスワードが一致しません。"),
        ), 422
    try:
        accounts.use_reset(token, password)
    except services.AccountError as exc:
        db.session.rollback()
        return render_template("staff/accounts/reset.html", user=user, error=str(exc)), 422
    accounts.record_sign_in(user, True, "reset")
    services.audit(user, "user.password_reset", f"user:{user.email}")
    db.session.commit()
    session.pop(_RESET_KEY, None)
    flash(_("パスワードを設定しました。新しいパスワードでログインしてください。"), "success")
    return redirect(url_for("staff.login_page"))
