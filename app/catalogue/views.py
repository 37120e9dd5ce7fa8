"""Find a procedure (/) and read about it (/procedures/<code>)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for
from sqlalchemy import select

from app.clock import today
from app.extensions import db
from app.kpi import DIGITIZED, status_label, status_on
from app.web import current_lang

from . import guide
from .features import feature_label
from .models import Department, Procedure, StatusChange
from .queries import current_statuses, departments

bp = Blueprint("catalogue", __name__)


@bp.get("/")
def index():
    q = (request.args.get("q") or "").strip()
    dept = request.args.get("department") or ""
    stmt = select(Procedure).join(Department)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(
            Procedure.name_ja.like(like) | Procedure.name_en.ilike(like) | (Procedure.code == q)
        )
    if dept:
        stmt = stmt.where(Department.code == dept)
    procs = list(db.session.scalars(stmt.order_by(Procedure.code).limit(500)))
    statuses = current_statuses(procs, today())
    rows = [(p, statuses[p.id]) for p in procs]
    rows.sort(key=lambda r: (r[1] not in DIGITIZED, r[0].code))  # online ones first
    return render_template(
        "catalogue/index.html",
        rows=rows,
        q=q,
        department=dept,
        departments=departments(),
        status_label=_label,
        digitized=DIGITIZED,
    )


def _label(code: str) -> str:
    return status_label(code, current_lang())


@bp.get("/procedures/<code>")
def procedure(code: str):
    p = db.session.scalar(select(Procedure).where(Procedure.code == code))
    if p is None:
        abort(404)
    history = list(
        db.session.execute(
            select(StatusChange.effective_date, StatusChange.status, StatusChange.note)
            .where(StatusChange.procedure_id == p.id)
            .order_by(StatusChange.id)
        )
    )
    current = status_on([(d, s) for d, s, _ in history], today())
    lang = current_lang()
    features = [feature_label(f, lang) for f in (p.features or "").split(";") if f]
    # the online form link appears once the resident flow (app/submissions) serves it
    apply_url = f"/apply/{p.form}" if p.form and "submissions" in current_app.blueprints else None
    page_url = url_for("catalogue.procedure", code=p.code, _external=True)
    return render_template(
        "catalogue/procedure.html",
        p=p,
        current=current,
        history=history,
        features=features,
        status_label=_label,
        digitized=DIGITIZED,
        ways=guide.ways_to_apply(p, apply_url),
        audience=guide.audience_labels(p),
        documents=guide.items(p.documents),
        fee=guide.fee_text(p),
        phone=guide.phone(p),
        json_ld=guide.json_ld(
            p,
            page_url,
            apply_url and url_for("submissions.start", form_id=p.form, _external=True),
            lang,
        ),
    )
