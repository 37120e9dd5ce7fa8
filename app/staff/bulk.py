"""One status change for many procedures at once, from the procedures list.

Each chosen procedure gets its own history row, through the catalogue's one rule
(catalogue.services.record_status): the change is recorded for all of them or, when one
is refused, for none, and the list comes back with the choices and the message.
"""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.catalogue import rules
from app.catalogue import services as catalogue
from app.catalogue.models import Department, Procedure
from app.catalogue.queries import current_statuses
from app.clock import today
from app.extensions import db
from app.formengine.normalise import UNUSABLE
from app.kpi import DIGITIZATION_STATUSES
from app.web import checks_own_text, current_lang

from . import services

bp = Blueprint("bulk", __name__)  # inside the staff blueprint: /staff/procedures/…

MAX_CHOSEN = 1_000  # procedures in one change: more than any department has


@bp.post("/procedures/status")
@login_required
@checks_own_text  # the catalogue's rule names each field (rules.py)
def record_status():
    codes = list(dict.fromkeys(request.form.getlist("code")))[:MAX_CHOSEN]
    if not codes:
        return procedures_page({"code": _("状態を変える手続を選んでください。")}, 422)
    if any(UNUSABLE.search(c) for c in codes):  # no code holds one: never looked up
        abort(404)
    procs = list(db.session.scalars(select(Procedure).where(Procedure.code.in_(codes))))
    if len(procs) != len(codes):
        abort(404)  # a code no procedure has
    if not all(current_user.can_edit(p.department_id) for p in procs):
        abort(403)
    status = request.form.get("status", "")
    day = rules.read_day(request.form.get("effective_date"))
    note = rules.read_note(request.form.get("note"))
    lang, rows = current_lang(), []
    try:
        for p in sorted(procs, key=lambda p: p.code):
            rows.append(
                (p, catalogue.record_status(p, status, day, note=note, by=current_user.email))
            )
    except catalogue.CatalogueError as exc:
        db.session.rollback()
        problems = [
            # the reason this procedure lacks: named with its code
            replace(q, ja=f"{p.code}: {q.ja}", en=f"{p.code}: {q.en}")
            if q.field == "note" and status == "excluded"
            else q
            for q in exc.problems
        ]
        return procedures_page(rules.messages_by_field(problems, lang), 422)
    for p, row in rows:
        services.audit_status(current_user, p, row, bulk=len(rows))
    db.session.commit()
    flash(_("%(n)s 件の手続に状態を記録しました。", n=len(rows)), "success")
    return redirect(url_for("staff.procedures", **request.args))


def procedures_page(errors: dict[str, str] | None = None, status: int = 200):
    """The procedures list (with the bulk status form, staff/bulk.py); `errors` by field."""
    q = (request.args.get("q") or "").strip()
    dept = request.args.get("department") or ""
    procs = list(db.session.scalars(services.procedures_query(current_user, q=q, department=dept)))
    statuses = current_statuses(procs, today())
    wanted = request.args.get("status") or ""
    rows = [(p, statuses[p.id]) for p in procs]
    if wanted:
        rows = [r for r in rows if r[1] == wanted]
    departments = (
        list(db.session.scalars(select(Department).order_by(Department.code)))
        if current_user.sees_all()
        else []
    )
    return render_template(
        "staff/procedures.html",
        rows=rows,
        q=q,
        department=dept,
        status=wanted,
        departments=departments,
        statuses=DIGITIZATION_STATUSES,
        errors=errors or {},
        form_data=request.form,
        chosen=set(request.form.getlist("code")),
        can_bulk=any(current_user.can_edit(p.department_id) for p, _ in rows),
        today=today(),
    ), status
