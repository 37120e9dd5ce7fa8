"""Public, read-only dashboard: the headline, history, departments, biggest remaining."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import gettext as _
from markupsafe import Markup

from app import csvfile, kpi, xlsxfile
from app.extensions import limiter
from app.submissions import performance
from app.web import current_lang

from . import charts, report, workbook
from . import services as svc
from .labels import basis_label

bp = Blueprint("dashboard", __name__)


def _rate(d, scope: str) -> float:
    s = d.scopes.get(scope)
    return s.rate.rate if s else 2.0  # no procedure in the scope: after every rate


def _paper(d) -> int:
    s = d.scopes.get("all")
    return s.rate.denominator - s.rate.numerator if s else 0


# the table's columns; "distance" is the standings' own order (laggards first)
SORT_KEYS = {
    "distance": None,
    "name": lambda d: d.name,
    "priority": lambda d: _rate(d, "priority"),
    "rate": lambda d: _rate(d, "all"),
    "left": lambda d: d.left,
    "paper": _paper,
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
    sort = request.args.get("sort", "distance")
    if sort not in SORT_KEYS:
        sort = "distance"
    default_dir = "desc" if sort in ("left", "paper") else "asc"
    descending = request.args.get("dir", default_dir) == "desc"
    data = svc.dashboard(fy)
    lang = current_lang()
    view = data.scopes[scope]
    departments = data.standings
    if SORT_KEYS[sort] is not None:
        departments = sorted(departments, key=SORT_KEYS[sort], reverse=descending)
    elif descending:
        departments = list(reversed(departments))
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
        dept_names={d.code: (d.name, d.name_en) for d in data.standings},  # named() picks
        spark=lambda st, name: Markup(
            charts.sparkline(
                st.trend,
                title=name + ": " + ", ".join(f"{y} {r * 100:.1f}%" for y, r in st.trend),
            )
        ),
    )


@bp.get("/dashboard/departments/<code>")
def department(code: str):
    """One department: its standing, and each of its procedures against its deadline."""
    fy = _fiscal_year_arg()
    if len(code) > 32:
        abort(404)
    view = svc.department(code, fy)
    if view is None:
        abort(404)
    lang = current_lang()
    return render_template(
        "dashboard/department.html",
        view=view,
        d=view.standing,
        status_label=lambda c: kpi.status_label(c, lang),
        bar=lambda rate: Markup(charts.bar(rate)),
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
    english = svc.department_names(current_lang())
    rows = [
        (
            f.fiscal_year,
            str(f.scope),
            str(f.basis),
            d.code,
            english.get(d.code, d.name),
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
        mimetype="text/csv",  # Flask adds "; charset=utf-8"
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/dashboard/services/<code>")
def service(code: str):
    """A digitized procedure's service performance, per form version (public): residents'
    answers only from QUALITY_MIN_ANSWERS answers on."""
    if len(code) > 32:
        abort(404)
    facts = svc.procedure_facts(code)
    if facts is None:
        abort(404)
    lang = current_lang()
    return render_template(
        "dashboard/service.html",
        p=facts,
        use=svc.procedure_use(facts),
        versions=performance.procedure_performance(code, lang),
        minimum=performance.minimum_answers(),
        status_label=lambda c: kpi.status_label(c, lang),
    )


@bp.get("/dashboard/report.pdf")
@limiter.limit("10 per minute")
def report_pdf():
    """The KPI report of any fiscal year, as the monthly report makes it."""
    fy = _fiscal_year_arg()
    lang = current_lang()
    body = report.render_kpi_report(fy, lang=lang)
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="kpi-report-{fy}.pdf"'},
    )


@bp.get("/dashboard/figures.xlsx")
@limiter.limit("20 per minute")
def figures_xlsx():
    """The dashboard's tables of a fiscal year, one sheet each."""
    fy = _fiscal_year_arg()
    body = xlsxfile.workbook(workbook.sheets(fy, current_lang()))
    return Response(
        body,
        mimetype=xlsxfile.MIMETYPE,
        headers={"Content-Disposition": f'attachment; filename="kpi-figures-{fy}.xlsx"'},
    )
