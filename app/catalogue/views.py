"""Find a procedure (/) and read about it (/procedures/<code>)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from app.clock import today
from app.extensions import db
from app.kpi import DIGITIZED, status_label, status_on
from app.web import current_lang

from . import guide, search
from .features import feature_label
from .models import Department, Procedure, StatusChange
from .queries import current_statuses, departments
from .rules import AUDIENCES

bp = Blueprint("catalogue", __name__)


@bp.get("/")
def index():
    q = (request.args.get("q") or "").strip()[: search.MAX_QUERY]
    dept = request.args.get("department") or ""
    audience = request.args.get("audience") or ""
    online = request.args.get("online") == "1"
    stmt = select(Procedure).join(Department).options(contains_eager(Procedure.department))
    if dept:
        stmt = stmt.where(Department.code == dept)
    if audience in AUDIENCES:
        stmt = stmt.where(Procedure.audience.like(f"%{audience}%"))
    procs = list(db.session.scalars(stmt.order_by(Procedure.code)))
    statuses = current_statuses(procs, today())
    if online:
        procs = [p for p in procs if statuses[p.id] in DIGITIZED]
    procs.sort(key=lambda p: statuses[p.id] not in DIGITIZED)  # online ones first, by code
    groups = search.synonyms(current_app.config.get("SEARCH_SYNONYMS_FILE"))
    hits = search.search(procs, q, groups)[:500]
    mark = lambda text: search.highlight(text, q, groups)  # noqa: E731
    return render_template(
        "catalogue/index.html",
        rows=[(h.procedure, statuses[h.procedure.id]) for h in hits],
        q=q,
        department=dept,
        audience=audience,
        online=online,
        audiences=AUDIENCES,
        departments=departments(),
        status_label=_label,
        digitized=DIGITIZED,
        mark=mark,
        matched=lambda text: bool(q) and "<mark>" in str(mark(text)),
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
