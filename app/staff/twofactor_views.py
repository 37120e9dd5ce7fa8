"""The second sign-in step (/staff/login/code) and each account's own two-factor page
(/staff/2fa: set up with a QR code or the key typed in, new recovery codes, turn off
where the role allows). Nested in the staff workspace's blueprint."""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.documents.qr import qr_data_uri
from app.extensions import db, limiter

from . import accounts, services, twofactor
from .views import PENDING_SIGN_IN, signed_in

bp = Blueprint("twofactor", __name__)

PENDING_SECONDS = 300  # between the password and the code
_SETUP_KEY = "staff_totp_setup"  # the key being set up, until a code shows the app holds it


def _pending():
    """The account whose password was right in this session a moment ago, or None."""
    pending = session.get(PENDING_SIGN_IN)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    return services.load_user(str(pending.get("user", "")))


def _code_key() -> str:
    pending = session.get(PENDING_SIGN_IN)
    user = pending.get("user", "") if isinstance(pending, dict) else ""
    return "second-factor:" + str(user).partition(":")[0]


def _own_key() -> str:
    return f"second-factor-change:{getattr(current_user, 'id', '-')}"


@bp.get("/login/code")
def code_page():
    if _pending() is None:
        return _start_again()
    return render_template("staff/twofactor/code.html", error=None)


def _start_again():
    session.pop(PENDING_SIGN_IN, None)
    flash(_("もう一度メールアドレスとパスワードを入力してください。"), "info")
    return redirect(url_for("staff.login_page"))


@bp.post("/login/code")
@limiter.limit(lambda: current_app.config["TOTP_RATE_LIMIT"], key_func=_code_key)
def code_submit():
    user = _pending()
    if user is None:
        return _start_again()
    code = request.form.get("code", "")[:40]
    factor = twofactor.check(user, code)
    if factor is None:
        accounts.record_sign_in(user, False, "totp")
        services.audit(None, "login.failed_code", f"user:{user.email}")
        db.session.commit()
        return render_template(
            "staff/twofactor/code.html",
            error=_(
                "確認コードが正しくありません。認証アプリに表示されている6桁の数字か、リカバリーコードを入力してください。"
            ),
        ), 401
    return signed_in(user, factor, session[PENDING_SIGN_IN]["next"])


# --- the account's own page ----------------------------------------------------------------


@bp.get("/2fa")
@login_required
def own_page():
    return _own_page()


def _own_page(error: str | None = None, status: int = 200, codes: list[str] | None = None):
    return render_template(
        "staff/twofactor/own.html",
        enrolled=twofactor.enrolled(current_user),
        required=twofactor.required_for(current_user),
        left=twofactor.recovery_codes_left(current_user),
        error=error,
        codes=codes,
    ), status


@bp.get("/2fa/setup")
@login_required
def setup_page():
    if twofactor.enrolled(current_user):
        return redirect(url_for(".own_page"))
    secret = session.get(_SETUP_KEY) or twofactor.new_secret()
    session[_SETUP_KEY] = secret
    return _setup_page(secret)


def _setup_page(secret: str, error: str | None = None, status: int = 200):
    uri = twofactor.provisioning_uri(current_user, secret)
    return render_template(
        "staff/twofactor/setup.html",
        qr=qr_data_uri(uri),
        key=twofactor.grouped(secret),
        required=twofactor.required_for(current_user),
        error=error,
    ), status


@bp.post("/2fa/setup")
@login_required
@limiter.limit(lambda: current_app.config["TOTP_RATE_LIMIT"], key_func=_own_key)
def setup_submit():
    if twofactor.enrolled(current_user):
        return redirect(url_for(".own_page"))
    secret = session.get(_SETUP_KEY)
    if not secret:
        return redirect(url_for(".setup_page"))
    codes = twofactor.enable(current_user, secret, request.form.get("code", "")[:40])
    if codes is None:
        return _setup_page(
            secret,
            _(
                "確認コードが正しくありません。認証アプリに表示されている6桁の数字を入力してください。"
            ),
            422,
        )
    session.pop(_SETUP_KEY, None)
    services.audit(current_user, "user.2fa_enable", f"user:{current_user.email}")
    db.session.commit()
    return _own_page(codes=codes)


def _confirmed() -> bool:
    """The account's current authenticator code, asked again before a change."""
    return twofactor.verify(current_user, request.form.get("code", "")[:40])


@bp.post("/2fa/recovery")
@login_required
@limiter.limit(lambda: current_app.config["TOTP_RATE_LIMIT"], key_func=_own_key)
def new_recovery_codes():
    if not twofactor.enrolled(current_user):
        return redirect(url_for(".setup_page"))
    if not _confirmed():
        db.session.rollback()
        return _own_page(_("確認コードが正しくありません。"), 422)
    codes = twofactor.new_recovery_codes(current_user)
    services.audit(current_user, "user.2fa_recovery_codes", f"user:{current_user.email}")
    db.session.commit()
    return _own_page(codes=codes)


@bp.post("/2fa/disable")
@login_required
@limiter.limit(lambda: current_app.config["TOTP_RATE_LIMIT"], key_func=_own_key)
def disable():
    if not twofactor.enrolled(current_user):
        return redirect(url_for(".own_page"))
    if twofactor.required_for(current_user):
        return _own_page(_("この役割では2段階認証をやめることはできません。"), 422)
    if not _confirmed():
        db.session.rollback()
        return _own_page(_("確認コードが正しくありません。"), 422)
    twofactor.disable(current_user)
    services.audit(current_user, "user.2fa_disable", f"user:{current_user.email}")
    db.session.commit()
    flash(_("2段階認証をやめました。"), "success")
    return redirect(url_for(".own_page"))
