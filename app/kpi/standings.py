"""Deadlines and laggards: where each department and procedure stands against its target.

Pure functions over `ProcedureFacts`. A scope's deadline is the end of its target fiscal
year (priority: FY2024, all: FY2026 in the plan). The expected rate in FY N is the straight
line from the first year's rate to 100 % at the target year (100 % once N reaches it); the
distance from target is how far the rate is below that line, in percentage points.
A department is 期限超過 (overdue) in a scope when its target year has ended (as of the
figures' date) and its rate is below 100 %.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from .compute import Basis, ProcedureFacts, Ratio, Scope, compute, status_on, weight
from .fiscal import as_of, fiscal_year_of, fy_end
from .status import DIGITIZED, EXCLUDED

SCOPES = ("priority", "all")


@dataclass(frozen=True, slots=True)
class ScopeStanding:
    scope: str  # priority | all
    target_year: int
    rate: Ratio  # weighted
    expected: float  # where the straight line to 100 % at the target is in this year
    overdue: bool  # the target year has ended and the rate is below 100 %
    left: int  # procedures not yet digitized (excluded ones are not counted)
    trend: tuple[tuple[int, float], ...]  # (fiscal year, weighted rate) from the first year

    @property
    def gap_points(self) -> float:
        """Percentage points below the line to the target (0 when on or above it)."""
        return round(max(0.0, 100 * (self.expected - self.rate.rate)), 1)


@dataclass(frozen=True, slots=True)
class DepartmentStanding:
    code: str
    name: str
    name_en: str | None
    scopes: Mapping[str, ScopeStanding]  # only the scopes with a procedure in them

    @property
    def overdue(self) -> int:
        return sum(1 for s in self.scopes.values() if s.overdue)

    @property
    def distance(self) -> float:
        """The largest gap below a target line over its scopes, in percentage points."""
        return max((s.gap_points for s in self.scopes.values()), default=0.0)

    @property
    def left(self) -> int:
        s = self.scopes.get("all")
        return s.left if s else 0


def expected_rate(first_year: int, first_rate: float, target_year: int, year: int) -> float:
    """The straight line from (first year, its rate) to (target year, 100 %), in `year`."""
    if year >= target_year or target_year <= first_year:
        return 1.0
    share = max(0, year - first_year) / (target_year - first_year)
    return first_rate + (1.0 - first_rate) * share


def is_overdue(rate: float, target_year: int, fiscal_year: int, today: date) -> bool:
    """Below 100 % once the target year's last day has passed (as of FY N's figures)."""
    return as_of(fiscal_year, today) > fy_end(target_year) and rate < 1.0 - 1e-12


def scope_standing(
    facts: Sequence[ProcedureFacts],
    scope: str,
    target_year: int,
    fiscal_year: int,
    first_year: int,
    basis: Basis,
    today: date,
) -> ScopeStanding | None:
    """Where these procedures stand in one scope (None when none of them is in it)."""
    s = Scope(scope)
    years = range(min(first_year, fiscal_year), fiscal_year + 1)
    trend = []
    for year in years:
        f = compute(facts, year, s, basis, today)
        trend.append((year, f))
    now = trend[-1][1]
    if now.count.denominator == 0:
        return None
    first = next(((y, f) for y, f in trend if f.count.denominator), trend[-1])
    expected = expected_rate(first[0], first[1].weighted.rate, target_year, fiscal_year)
    return ScopeStanding(
        scope=scope,
        target_year=target_year,
        rate=now.weighted,
        expected=expected,
        overdue=is_overdue(now.weighted.rate, target_year, fiscal_year, today),
        left=now.count.denominator - now.count.numerator,
        trend=tuple((y, f.weighted.rate) for y, f in trend if f.count.denominator),
    )


def department_standings(
    facts: Sequence[ProcedureFacts],
    fiscal_year: int,
    targets: Mapping[str, int],
    first_year: int,
    basis: Basis,
    today: date,
) -> list[DepartmentStanding]:
    """Every department, laggards first: most overdue scopes, then the largest distance
    below a target line, then the most receipts still on paper, then by code."""
    by_dept: dict[str, list[ProcedureFacts]] = {}
    for p in facts:
        by_dept.setdefault(p.department_code, []).append(p)
    out = []
    for code, procs in by_dept.items():
        scopes = {}
        for scope in SCOPES:
            if scope in targets:
                st = scope_standing(
                    procs, scope, targets[scope], fiscal_year, first_year, basis, today
                )
                if st is not None:
                    scopes[scope] = st
        if scopes:
            p0 = procs[0]
            out.append(DepartmentStanding(code, p0.department_name, p0.department_name_en, scopes))

    def paper(d: DepartmentStanding) -> int:
        s = d.scopes.get("all")
        return s.rate.denominator - s.rate.numerator if s else 0

    out.sort(key=lambda d: (-d.overdue, -d.distance, -paper(d), d.code))
    return out


@dataclass(frozen=True, slots=True)
class ProcedureStanding:
    code: str
    name: str
    priority: bool
    status: str
    weight: int
    target_year: int  # the deadline of its scope: priority's if it is a priority procedure
    overdue: bool
    digitized_year: int | None  # the first fiscal year it was digitized at the year's end


def procedure_standings(
    facts: Sequence[ProcedureFacts],
    fiscal_year: int,
    targets: Mapping[str, int],
    basis: Basis,
    today: date,
) -> list[ProcedureStanding]:
    """Each procedure valid in the year and not excluded: overdue first, then not yet
    digitized by weight (largest first), then the digitized ones by code."""
    day = as_of(fiscal_year, today)
    out = []
    for p in facts:
        if not p.valid_in(fiscal_year):
            continue
        status = status_on(p.history, day)
        if status == EXCLUDED:
            continue
        target = targets["priority"] if p.priority and "priority" in targets else targets["all"]
        digitized = status in DIGITIZED
        since = _digitized_since(p.history, day) if digitized else None
        out.append(
            ProcedureStanding(
                code=p.code,
                name=p.name,
                priority=p.priority,
                status=status,
                weight=weight(p.volumes, fiscal_year, basis),
                target_year=target,
                overdue=is_overdue(1.0 if digitized else 0.0, target, fiscal_year, today),
                digitized_year=since,
            )
        )
    out.sort(key=lambda s: (not s.overdue, s.digitized_year is not None, -s.weight, s.code))
    return out


def _digitized_since(history: Sequence[tuple[date, str]], day: date) -> int | None:
    """The fiscal year from which the procedure has stayed digitized up to `day`."""
    since = None
    for d in sorted({d for d, _ in history if d <= day}):
        if status_on(history, d) in DIGITIZED:
            if since is None:
                since = d
        else:
            since = None
    return None if since is None else fiscal_year_of(since)
