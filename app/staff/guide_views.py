"""/staff/procedures/<code>/guide: the department keeps the guide residents read on the
procedure's page (what it is, who may apply, fee, documents, where to apply, contact),
field by field, by the same rule as the catalogue's CSV files (rules.read_guide)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.catalogue import rules
from app.catalogue import services as catalogue
from app.catalogue.guide import audience_codes, items
from app.catalogue.models import Procedure
from app.extensions import db
from app.web import checks_own_text, current_lang

from . import services
from .views import editable_procedure

bp = Blueprint("guide", __name__)


def typed(p: Procedure) -> dict[str, str]:
    """The guide as its fields show it: lists one item per line, unknown as empty."""
    out = {
        key: "" if getattr(p, key) is None else str(getattr(p, key)) for key in rules.GUIDE_COLUMNS
    }
    out["documents"] = "\n".join(items(p.documents))
    out["audience"] = ";".join(audience_codes(p))
    return out


def _page(p: Procedure, values: dict[str, str], errors: dict[str, str] | None = None, status=200):
    return render_template(
        "staff/guide.html",
        p=p,
        values=values,
        errors=errors or {},
        audiences=rules.AUDIENCES,
        limits={key: limit for key, (limit, _name) in rules.GUIDE_TEXTS.items()},
        url_max=rules.URL_MAX,
        fee_max=rules.FEE_MAX,
    ), status


@bp.get("/procedures/<code>/guide")
@login_required
def guide_page(code: str):
    p = editable_procedure(code)
    return _page(p, typed(p))


@bp.post("/procedures/<code>/guide")
@login_required
@checks_own_text  # the catalogue's rule names each field (rules.py)
def save_guide(code: str):
    p = editable_procedure(code)
    raw = {key: request.form.get(key, "") for key in rules.GUIDE_COLUMNS}
    raw["audience"] = ";".join(request.form.getlist("audience"))
    try:
        changed = catalogue.set_guide(p, raw)
    except catalogue.CatalogueError as exc:
        errors = rules.messages_by_field(exc.problems, current_lang())
        return _page(p, raw, errors, 422)  # what was typed stays
    if changed:
        services.audit(
            current_user, "procedure.guide", f"procedure:{p.code}", {"changed": sorted(changed)}
        )
        db.session.commit()
        flash(_("手続案内を保存しました。"), "success")
    else:
        flash(_("変更はありませんでした。"), "info")
    return redirect(url_for("staff.guide.guide_page", code=p.code))
