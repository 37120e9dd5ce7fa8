"""The KPI report for the promotion headquarters (推進本部): headline, history chart,
departments, biggest remaining — the dashboard's figures, as a tagged PDF."""

from __future__ import annotations

import base64
import re
from datetime import date
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from app import kpi
from app.clock import format_time, utcnow
from app.documents import pdf
from app.documents.storage import document_dir, write_once

from . import charts
from . import services as dash
from .labels import basis_label

# the chart's look, inside the SVG (the web page takes it from app.css)
CHART_STYLE = """<style>
text { font-family: "IPAexGothic", "Noto Sans CJK JP", sans-serif; fill: #1a1a1c; }
.grid { stroke: #d8d8db; stroke-width: 1; }
.axis { fill: #595959; }
.line { fill: none; stroke-width: 3; }
.target { stroke: #595959; stroke-width: 2; stroke-dasharray: 6 4; fill: none; }
.s-priority { stroke: #0017c1; fill: #0017c1; }
.s-all { stroke: #b35c00; fill: #b35c00; }
polyline.s-priority, polyline.s-all, line.line { fill: none; }
text.value { stroke: none; font-weight: bold; }
</style>"""


def monthly_report_path(month: str) -> Path:
    return document_dir() / "reports" / f"kpi-report-{month}.pdf"


def make_monthly_report(month: str) -> tuple[Path, bool]:
    """The report of a month (`YYYY-MM`), made once → (path, written)."""
    if not re.fullmatch(r"\d{4}-\d{2}", month):
        raise ValueError(f"month must be YYYY-MM (got {month!r})")
    path = monthly_report_path(month)
    if path.exists():
        return path, False
    year, mon = map(int, month.split("-"))
    fy = kpi.fiscal_year_of(date(year, mon, 1))
    return path, write_once(path, render_kpi_report(fy, month=month))


def render_kpi_report(
    fiscal_year: int | None = None, *, lang: str = "ja", month: str | None = None
) -> bytes:
    return pdf.write_pdf(kpi_report_html(fiscal_year, lang=lang, month=month))


def _scope_labels() -> dict[str, str]:
    return {"priority": _("重点手続"), "all": _("全手続")}


def _chart(data: dash.Dashboard, lang: str) -> tuple[str, str]:
    """(data URI of the history chart SVG, its text description)."""
    labels = _scope_labels()
    series, desc = [], []
    for name, view in data.scopes.items():
        pts = [(p.fiscal_year, p.weighted.rate) for p in view.points]
        target = (pts[0][0], pts[0][1], view.target_year) if pts else None
        series.append(charts.Series(labels.get(name, name), pts, target, f"s-{name}"))
        desc.append(
            f"{labels.get(name, name)}: "
            + ", ".join(f"{kpi.label(y, lang)} {r * 100:.1f}%" for y, r in pts)
        )
    svg = charts.history_chart(
        series,
        data.years,
        title=_("デジタル化率の推移（年間受付件数ベース）"),
        desc="; ".join(desc),
        target_label=_("目標への直線"),
        year_label=str,
    )
    if not svg:
        return "", ""
    # room for the last year's label at the right edge, and the style right after <svg …>
    svg = svg.replace(
        f'viewBox="0 0 {charts.W} {charts.H}"', f'viewBox="-6 0 {charts.W + 24} {charts.H}"', 1
    )
    svg = svg.replace(">", ">" + CHART_STYLE, 1)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode(
        "ascii"
    ), "; ".join(desc)


def kpi_report_html(
    fiscal_year: int | None = None, *, lang: str = "ja", month: str | None = None
) -> str:
    locale = "en" if lang == "en" else "ja"
    with force_locale(locale):
        data = dash.dashboard(fiscal_year)
        chart, chart_desc = _chart(data, locale)
        # one row per department with both scopes side by side
        departments = {}
        for name in ("all", "priority"):
            for d in data.scopes[name].official.departments:
                departments.setdefault(d.code, {"code": d.code, "name": d.name})[name] = d
        names_en = data.department_names_en
        rows = sorted(
            departments.values(),
            key=lambda r: (r["all"].weighted.rate if "all" in r else 0, r["code"]),
        )
        return current_app.jinja_env.get_template("documents/kpi_report.html").render(
            data=data,
            lang=locale,
            month=month,
            chart=chart,
            chart_desc=chart_desc,
            departments=rows,
            dept_name=lambda r: (
                (names_en.get(r["code"]) or r["name"]) if locale == "en" else r["name"]
            ),
            fy_label=lambda n: kpi.label(n, locale),
            pct=lambda r: "—" if r is None else f"{r * 100:.1f}%",
            num=lambda n: f"{n:,}",
            status_label=lambda code: kpi.status_label(code, locale),
            made_at=format_time(utcnow(), locale),
            scope_labels=_scope_labels(),
            basis_label=lambda b: basis_label(b, locale),
        )
