"""KPI figures for the dashboard, the API and the CLI: one fetch, the pure arithmetic, done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from app import kpi
from app.kpi import standings
from app.catalogue.queries import department_last_updates, kpi_facts
from app.clock import JST, as_utc, today


def current_fiscal_year() -> int:
    return kpi.fiscal_year_of(today())


def parse_fiscal_year(text: str | None) -> int:
    if text in (None, ""):
        return current_fiscal_year()
    text = text.strip()
    if not (len(text) == 4 and text.isascii() and text.isdigit() and 1900 <= int(text) <= 2999):
        shown = text if len(text) <= 20 else text[:19] + "…"
        raise kpi.KpiInputError(
            f"fiscal_year は西暦の年度（例: 2024）です（受け取った値: {shown!r}）"
            f" / fiscal_year must be a year such as 2024 (got {shown!r})"
        )
    return int(text)


def figures(fiscal_year: int | None = None, scope: str | None = None, basis: str | None = None):
    """→ kpi.Figures for the request; bad scope or basis raise kpi.KpiInputError."""
    fy = fiscal_year or current_fiscal_year()
    s = kpi.parse_scope(scope)
    b = kpi.parse_basis(basis or current_app.config["KPI_BASIS"])
    return kpi.compute(kpi_facts(), fy, s, b, today())


def bases() -> tuple[kpi.Basis, kpi.Basis]:
    """(the official basis, KPI_BASIS; the other one, shown as a sensitivity): weights of
    the latest volumes against weights fixed to the baseline survey (KPI_BASELINE_YEAR)."""
    cfg = current_app.config
    official = kpi.parse_basis(cfg["KPI_BASIS"])
    other = kpi.Basis() if official.fixed_year is not None else kpi.Basis(cfg["KPI_BASELINE_YEAR"])
    return official, other


@dataclass
class ScopeView:
    scope: str
    target_year: int
    official: kpi.Figures  # on the basis configured as official (KPI_BASIS)
    sensitivity: kpi.Figures  # on the other basis, shown smaller
    points: list[kpi.Point]
    projection: kpi.Projection | None


@dataclass
class Dashboard:
    fiscal_year: int
    current_year: int
    years: list[int]
    baseline_year: int
    official_basis: kpi.Basis
    sensitivity_basis: kpi.Basis
    scopes: dict[str, ScopeView]
    stale_departments: list[tuple[str, str, datetime | None]]
    department_names_en: dict[str, str | None]
    facts_count: int
    take_up: list[tuple[kpi.ProcedureFacts, kpi.TakeUp]]
    standings: list[standings.DepartmentStanding]  # laggards first


def dashboard(fiscal_year: int | None = None) -> Dashboard:
    cfg = current_app.config
    now = today()
    current = kpi.fiscal_year_of(now)
    fy = fiscal_year or current
    facts = kpi_facts()
    span = kpi.recorded_years(facts)
    first = span[0] if span else fy
    years = list(range(min(first, fy), max(current, fy) + 1))
    official_basis, sensitivity_basis = bases()
    scopes = {}
    for name, target in cfg["KPI_TARGETS"].items():
        scope = kpi.parse_scope(name)
        points = kpi.history(facts, [y for y in years if y <= fy], scope, official_basis, now)
        scopes[name] = ScopeView(
            scope=name,
            target_year=target,
            official=kpi.compute(facts, fy, scope, official_basis, now),
            sensitivity=kpi.compute(facts, fy, scope, sensitivity_basis, now),
            points=points,
            projection=kpi.projection(points, target),
        )
    # departments whose procedures got no recorded change in the current fiscal year
    start = datetime.combine(kpi.fy_start(current), datetime.min.time(), tzinfo=JST)
    stale = []
    names = {f.department_code: f.department_name for f in facts}
    for code, when in sorted(department_last_updates().items()):
        when = as_utc(when) if when is not None else None
        if when is None or when < start:
            stale.append((code, names.get(code, code), when))
    return Dashboard(
        fiscal_year=fy,
        current_year=current,
        years=years,
        baseline_year=cfg["KPI_BASELINE_YEAR"],
        official_basis=official_basis,
        sensitivity_basis=sensitivity_basis,
        scopes=scopes,
        stale_departments=stale,
        department_names_en={f.department_code: f.department_name_en for f in facts},
        facts_count=len(facts),
        standings=standings.department_standings(
            facts, fy, cfg["KPI_TARGETS"], first, official_basis, now
        ),
        take_up=[(f, t) for f in facts if (t := kpi.take_up(f, fy, official_basis)) is not None],
    )


@dataclass
class DepartmentView:
    fiscal_year: int
    current_year: int
    years: list[int]
    standing: standings.DepartmentStanding
    procedures: list[standings.ProcedureStanding]


def department(code: str, fiscal_year: int | None = None) -> DepartmentView | None:
    """One department's standing and each of its procedures'; None when it has none."""
    cfg = current_app.config
    now = today()
    current = kpi.fiscal_year_of(now)
    fy = fiscal_year or current
    facts = [f for f in kpi_facts() if f.department_code == code]
    if not facts:
        return None
    span = kpi.recorded_years(kpi_facts())
    first = span[0] if span else fy
    official, _ = bases()
    found = standings.department_standings(facts, fy, cfg["KPI_TARGETS"], first, official, now)
    if not found:
        return None
    return DepartmentView(
        fiscal_year=fy,
        current_year=current,
        years=list(range(min(first, fy), max(current, fy) + 1)),
        standing=found[0],
        procedures=standings.procedure_standings(facts, fy, cfg["KPI_TARGETS"], official, now),
    )
