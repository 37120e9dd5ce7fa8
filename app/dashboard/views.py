"""Public, read-only dashboard: the headline, history, departments, biggest remaining."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import gettext as _
from markupsafe import Markup

from app import csvfile, kpi
from app.web import current_lang

from . import charts
from .labels import basis_label
from . import services as svc

bp = Blueprint("dashboard", __name__)

SORT_KEYS = {
    "code": lambda d: d.code,
    "name": lambda d: d.name,
    "rate": lambda d: d.weighted.rate,
    "count": lambda d: d.count.rate,
    "receipts": lambda d: d.weighted.denominator,
    "paper": lambda d: d.paper_receipts,
}


def _fiscal_year_arg() -> int:
    try:
        return svc.parse_fiscal_year(request.args.get("fy"))
    except kpi.KpiInputError:
        abort(400)


def _scope_arg() -> str:
    scope = request.args.get("scope", "priority")
    if scope not in ("priority", "all"):
        abort(400)
    return scope


@bp.get("/dashboard")
def dashboard():
    fy = _fiscal_year_arg()
    scope = _scope_arg()
    sort = request.args.get("sort", "rate")
    if sort not in SORT_KEYS:
        sort = "rate"
    descending = request.args.get("dir", "asc" if sort in ("code", "name") else "desc") == "desc"
    data = svc.dashboard(fy)
    lang = current_lang()
    view = data.scopes[scope]
    departments = sorted(view.official.departments, key=SORT_KEYS[sort], reverse=descending)
    return render_template(
        "dashboard/index.html",
        data=data,
        scope=scope,
        view=view,
        departments=departments,
        sort=sort,
        descending=descending,
        chart=Markup(_history_chart(data, lang)),
        bar=lambda rate: Markup(charts.bar(rate)),
        status_label=lambda code: kpi.status_label(code, lang),
        basis_label=lambda b: basis_label(b, lang),
    )


@bp.get("/dashboard/method")
def method():
    """The definition of every figure on the dashboard, in words."""
    official, other = svc.bases()
    lang = current_lang()
    return render_template(
        "dashboard/method.html",
        official=basis_label(official, lang),
        other=basis_label(other, lang),
        targets=current_app.config["KPI_TARGETS"],
    )


def _history_chart(data: svc.Dashboard, lang: str) -> str:
    labels = {"priority": _("重点手続"), "all": _("全手続")}
    series = []
    desc = []
    for name, view in data.scopes.items():
        pts = [(p.fiscal_year, p.weighted.rate) for p in view.points]
        target = (pts[0][0], pts[0][1], view.target_year) if pts else None
        series.append(charts.Series(labels[name], pts, target, f"s-{name}"))
        desc.append(
            f"{labels[name]}: "
            + ", ".join(f"{kpi.label(y, lang)} {r * 100:.1f}%" for y, r in pts)
            + " / "
            + _("目標 %(year)s に100%%", year=kpi.label(view.target_year, lang))
        )
    return charts.history_chart(
        series,
        data.years,
        title=_("デジタル化率の推移（年間受付件数ベース）"),
        desc="; ".join(desc),
        target_label=_("目標への直線"),
        year_label=lambda y: str(y),
    )


@bp.get("/dashboard/departments.csv")
def departments_csv():
    fy = _fiscal_year_arg()
    scope = _scope_arg()
    try:
        f = svc.figures(fy, scope, request.args.get("basis"))
    except kpi.KpiInputError:
        abort(400)
    header = (
        "fiscal_year",
        "scope",
        "basis",
        "department_code",
        "department_name",
        "weighted_numerator",
        "weighted_denominator",
        "weighted_rate",
        "count_digitized",
        "count_total",
        "count_rate",
        "paper_receipts",
    )
    rows = [
        (
            f.fiscal_year,
            str(f.scope),
            str(f.basis),
            d.code,
            d.name,
            d.weighted.numerator,
            d.weighted.denominator,
            f"{d.weighted.rate:.6f}",
            d.count.numerator,
            d.count.denominator,
            f"{d.count.rate:.6f}",
            d.paper_receipts,
        )
        for d in f.departments
    ]
    body = csvfile.encode([header, *rows], newline="\n")
    filename = f"departments-{f.fiscal_year}-{scope}.csv"
    return Response(
        body,
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
