"""/staff/bureau: the DX bureau's screens — services ranked by where improvement helps
most, residents' comments (each department sees its own), the service-quality report,
confirmed fiscal years. Under the staff pages' rules (sign-in, idle time-out, helpers)."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app import xlsxfile
from app.catalogue.models import Procedure
from app.clock import today
from app.dashboard import confirmations
from app.extensions import db
from app.submissions import performance
from app.web import current_lang

from . import service_quality
from . import services as staff_services
from .views import _idle_timeout, _staff_helpers, role_required

bp = Blueprint("bureau", __name__, url_prefix="/staff/bureau")
bp.before_request(_idle_timeout)
bp.context_processor(_staff_helpers)


@bp.get("/")
@role_required("bureau", "admin")
def ranking():
    return render_template(
        "staff/bureau.html",
        services=service_quality.ranking(current_lang()),
        minimum=performance.minimum_answers(),
    )


@bp.get("/comments")
@login_required
def comments():
    """Residents' comments, phone numbers, e-mail addresses and postcodes masked; a
    department's staff see their own department's procedures only."""
    codes = None
    if not current_user.sees_all():
        codes = list(
            db.session.scalars(
                select(Procedure.code).where(Procedure.department_id == current_user.department_id)
            )
        )
    names = dict(db.session.execute(select(Procedure.code, Procedure.name_ja)).all())
    return render_template("staff/comments.html", comments=performance.comments(codes), names=names)


@bp.get("/quality.xlsx")
@role_required("bureau", "admin")
def quality_xlsx():
    """The service-quality report: the ranking with every figure, one row per service."""
    body = xlsxfile.workbook(service_quality.report_sheets(current_lang()))
    name = f"service-quality-{today().isoformat()}.xlsx"
    return Response(
        body,
        mimetype=xlsxfile.MIMETYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/years")
@role_required("bureau", "admin")
def years():
    return _years_page()


def _years_page(error: str | None = None, reason: str = "", status: int = 200):
    states = [confirmations.state(y) for y in confirmations.confirmable_years()]
    return render_template("staff/years.html", states=states, error=error, reason=reason), status


@bp.post("/years")
@role_required("bureau", "admin")
def confirm_year():
    text = (request.form.get("fiscal_year") or "").strip()
    reason = request.form.get("reason") or ""
    if text not in {str(y) for y in confirmations.confirmable_years()}:
        return _years_page(_("確定できる年度を選んでください。"), reason, 400)
    try:
        confirmations.confirm(int(text), current_user.email, reason)
    except confirmations.ConfirmError as exc:
        return _years_page(exc.en if current_lang() == "en" else exc.ja, reason, 422)
    staff_services.audit(current_user, "kpi.confirm_year", f"fiscal_year:{text}")
    db.session.commit()
    flash(_("%(year)s年度の数値を確定しました。", year=text), "info")
    return redirect(url_for(".years"))
