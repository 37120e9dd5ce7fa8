"""Sign-in and sign-out pages: /signin (which provider), /signin/<name> (off to the
provider), its callback and /signout. マイページ is the applications' (submissions/mypage.py)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from app.extensions import db, limiter
from app.formengine.profile import PROVIDER_KINDS
from app.links import absolute_url
from app.web import allow_form_targets

from . import accounts, oidc

bp = Blueprint("identity", __name__)
NEXT_KEY = "signin_next"
MAX_NEXT = 300


def safe_next(target: str | None) -> str | None:
    """A path of this site to return to after signing in, or None."""
    if not target or len(target) > MAX_NEXT or "\\" in target or not target.isprintable():
        return None  # a browser drops tabs and newlines: "/\t/evil" would be "//evil"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return None if " " in target else target


@bp.app_context_processor
def _who():
    return {"signed_in": accounts.current, "identity_providers": oidc.providers}


@bp.get("/signin")
def signin_page():
    kinds = [k for k in request.args.getlist("kind") if k in PROVIDER_KINDS] or list(PROVIDER_KINDS)
    shown = [p for p in oidc.providers().values() if p.kind in kinds]
    if not shown:
        abort(404)
    allow_form_targets(*(oidc.form_target(p, "authorization_endpoint") for p in shown))
    return render_template(
        "identity/signin.html",
        providers=shown,
        next=safe_next(request.args.get("next")) or "",
        error=None,
    )


@bp.post("/signin/<name>")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
def signin_start(name: str):
    p = oidc.provider(name)
    if p is None:
        abort(404)
    following = safe_next(request.form.get("next"))
    if following:
        session[NEXT_KEY] = following
    else:
        session.pop(NEXT_KEY, None)
    try:
        return oidc.start(p, absolute_url("identity.callback", name=name))
    except oidc.SignInRefused as exc:
        current_app.logger.warning("sign-in with %s could not start: %s", name, exc.reason)
        return _refused(p, exc.reason, 502)


@bp.get("/signin/<name>/callback")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
def callback(name: str):
    """The provider's answer. Whatever goes wrong is a 4xx page and a line in the history
    with its reason, never the token or the claims."""
    p = oidc.provider(name)
    if p is None:
        abort(404)
    try:
        claims = oidc.finish(p)
        resident = accounts.link(p, oidc.issuer_of(p), claims)
    except oidc.SignInRefused as exc:
        return _refused(p, exc.reason, 502 if exc.reason == "provider_unreachable" else 400)
    except ValueError:
        return _refused(p, "bad_subject", 400)
    following = session.get(NEXT_KEY)
    accounts.sign_in(resident)  # a new session
    accounts.record("signin", p.name, resident)
    db.session.commit()
    current_app.logger.info("resident %s signed in with %s", resident.id, p.name)
    return redirect(safe_next(following) or url_for("submissions.mypage"))


def _refused(p, reason: str, status: int):
    session.pop(NEXT_KEY, None)
    db.session.rollback()
    accounts.record("signin.refused", p.name, reason=reason)
    db.session.commit()
    current_app.logger.info("sign-in with %s refused: %s", p.name, reason)
    message = (
        _("ログインを取り消しました。")
        if reason == "cancelled"
        else _("ログインできませんでした。もう一度はじめからお試しください。")
    )
    allow_form_targets(oidc.form_target(p, "authorization_endpoint"))
    return render_template("identity/signin.html", providers=[p], next="", error=message), status


@bp.post("/signout")
def signout():
    resident = accounts.current()
    if resident is None:
        return redirect(url_for(".signed_out"))
    p = oidc.provider(resident.provider)
    accounts.record("signout", resident.provider, resident)
    accounts.sign_out(resident)
    db.session.commit()
    if p is not None:
        url = oidc.logout_url(p, absolute_url("identity.signed_out"))
        if url:
            return redirect(url)  # the provider's own session ends there too
    return redirect(url_for(".signed_out"))


@bp.get("/signout/done")
def signed_out():
    return render_template("identity/signed_out.html")
