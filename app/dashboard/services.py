"""KPI figures for the dashboard, the API and the CLI: one fetch, the pure arithmetic, done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from app import kpi
from app.catalogue.queries import department_last_updates, kpi_facts
from app.clock import JST, as_utc, today
from app.kpi import standings, takeup
from app.submissions.queries import counts_between

from . import confirmations


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


def department_names(lang: str) -> dict[str, str]:
    """Department code → its English name, for English pages and files (where the
    catalogue gives one; the Japanese name shows otherwise)."""
    if lang != "en":
        return {}
    return {f.department_code: f.department_name_en for f in kpi_facts() if f.department_name_en}


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
    procedure_names_en: dict[str, str | None]
    facts_count: int
    use: UseView
    years_state: dict[int, confirmations.YearState]  # each shown year: confirmed or not

    @property
    def state(self) -> confirmations.YearState:
        return self.years_state[self.fiscal_year]

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
        procedure_names_en={f.code: f.name_en for f in facts},
        facts_count=len(facts),
        standings=standings.department_standings(
            facts, fy, cfg["KPI_TARGETS"], first, official_basis, now
        ),
        use=use_view(facts, fy, current, now),
        years_state={y: confirmations.state(y) for y in years if y <= fy},
    )


@dataclass
class DepartmentView:
    fiscal_year: int
    current_year: int
    years: list[int]
    standing: standings.DepartmentStanding
    procedures: list[standings.ProcedureStanding]
    use_year: int  # the whole fiscal year the take-up is for
    use: dict[str, takeup.Usage]  # procedure code → its take-up in use_year


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
        use_year=(use_year := fy if fy < current else fy - 1),
        use={p.code: u for p in facts if (u := takeup.usage(p, use_year, now)) is not None},
    )


@dataclass
class UseView:
    """Take-up of a whole fiscal year, and the current year so far against the same
    period of the year before."""

    year: int  # the whole year the rates are for
    rows: list[takeup.Usage]
    prefecture: kpi.Ratio
    available: kpi.Ratio  # the same procedures' availability, weighted by the year's receipts
    departments: list[takeup.DepartmentUsage]
    unknown: list[takeup.Usage]  # left out: online receipts or receipts not recorded
    partial: tuple[takeup.Period, takeup.Period] | None
    comparisons: list[takeup.Comparison]
    names: dict[str, str]

    @property
    def partial_total(self) -> takeup.Comparison:
        return takeup.Comparison(
            "", sum(c.current for c in self.comparisons), sum(c.previous for c in self.comparisons)
        )


def use_view(facts: list[kpi.ProcedureFacts], fiscal_year: int, current: int, now) -> UseView:
    year = fiscal_year if fiscal_year < current else fiscal_year - 1
    rows = [u for p in facts if (u := takeup.usage(p, year, now)) is not None]
    known = [u for u in rows if u.known]
    partial, comparisons = None, []
    if fiscal_year == current:
        partial = takeup.partial_periods(current, now)
        this, before = partial
        now_counts = counts_between(this.start, this.end)
        before_counts = counts_between(before.start, before.end)
        # the procedures with a form here, and any that received applications here
        codes = [
            p.code
            for p in facts
            if (p.form and p.valid_in(current)) or p.code in now_counts or p.code in before_counts
        ]
        comparisons = takeup.compare(now_counts, before_counts, codes)
    return UseView(
        year=year,
        rows=rows,
        prefecture=takeup.total(rows),
        available=kpi.Ratio(
            sum(u.receipts for u in known if u.available), sum(u.receipts for u in known)
        ),
        departments=takeup.by_department(rows),
        unknown=[u for u in rows if not u.known],
        partial=partial,
        comparisons=comparisons,
        names={p.code: p.name for p in facts},
    )


def procedure_facts(code: str) -> kpi.ProcedureFacts | None:
    return next((f for f in kpi_facts() if f.code == code), None)


def procedure_use(p: kpi.ProcedureFacts) -> tuple[str, takeup.Usage | None, int]:
    """(its status today, its take-up in the last whole fiscal year, that year)."""
    now = today()
    year = kpi.fiscal_year_of(now) - 1
    return kpi.status_on(p.history, now), takeup.usage(p, year, now), year
