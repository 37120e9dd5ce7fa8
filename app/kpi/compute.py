"""The arithmetic of the digitization KPI (shared spec kpi.md), over plain rows.

Everything here is a pure function of its arguments: no Flask, no database, no clock
(today is passed in). The dashboard, the API, the CLI and the report all call this.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from .fiscal import as_of as fy_as_of
from .fiscal import valid_in
from .status import DIGITIZED, EXCLUDED, PAPER

_EMPTY: Mapping[int, int] = {}


class KpiInputError(ValueError):
    """A scope or basis that cannot be understood; the message says why."""


@dataclass(slots=True)
class ProcedureFacts:
    """What the KPI needs to know about one procedure. Read-only by convention (the
    catalogue keeps them between requests; `dataclasses.replace` makes a changed copy): not
    frozen, because a frozen dataclass sets each field through `object.__setattr__`, which
    made building 10,000 of them a tenth of a KPI answer's CPU."""

    code: str
    name: str
    department_code: str
    department_name: str
    priority: bool
    volumes: Mapping[int, int] = field(default_factory=dict)  # fiscal year → receipts
    # (effective date, status) in the order they were recorded; later rows win ties
    history: Sequence[tuple[date, str]] = ()
    online_receipts: Mapping[int, int] = field(default_factory=dict)  # FY → online receipts
    submissions: Mapping[int, int] = field(default_factory=dict)  # FY → received here
    form: str | None = None
    name_en: str | None = None
    department_name_en: str | None = None
    valid_from: date | None = None  # established (None: always existed)
    valid_until: date | None = None  # last valid day, when abolished (None: still valid)

    def valid_in(self, fiscal_year: int) -> bool:
        """Valid on some day of the fiscal year: only then does it count in its figures."""
        return valid_in(fiscal_year, self.valid_from, self.valid_until)


# --- scope and basis -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scope:
    kind: str  # priority | all | department
    department: str | None = None

    def includes(self, p: ProcedureFacts) -> bool:
        if self.kind == "priority":
            return p.priority
        if self.kind == "department":
            return p.department_code == self.department
        return True

    def __str__(self) -> str:
        return f"department:{self.department}" if self.kind == "department" else self.kind


def parse_scope(text: str | None) -> Scope:
    text = (text or "priority").strip()
    if text in ("priority", "all"):
        return Scope(text)
    if text.startswith("department:") and text.removeprefix("department:").strip():
        return Scope("department", text.removeprefix("department:").strip())
    shown = text if len(text) <= 20 else text[:19] + "…"
    raise KpiInputError(
        f"scope は priority、all、department:<部局コード> のいずれかです（受け取った値: {shown!r}）"
        f" / scope must be priority, all or department:<code> (got {shown!r})"
    )


@dataclass(frozen=True, slots=True)
class Basis:
    fixed_year: int | None = None  # None → latest

    def __str__(self) -> str:
        return "latest" if self.fixed_year is None else f"fixed:{self.fixed_year}"


def parse_basis(text: str | None) -> Basis:
    text = (text or "latest").strip()
    if text == "latest":
        return Basis()
    if text.startswith("fixed:"):
        year = text.removeprefix("fixed:")
        if len(year) == 4 and year.isascii() and year.isdigit() and 1900 <= int(year) <= 2999:
            return Basis(int(year))
    shown = text if len(text) <= 20 else text[:19] + "…"
    raise KpiInputError(
        f"basis は latest または fixed:YYYY です（受け取った値: {shown!r}）"
        f" / basis must be latest or fixed:YYYY (got {shown!r})"
    )


# --- the rules of kpi.md ---------------------------------------------------------


def status_on(history: Sequence[tuple[date, str]], day: date) -> str:
    """Status of the latest row whose effective date ≤ day (later recorded wins); else paper."""
    best_date: date | None = None
    best = PAPER
    for effective, status in history:
        if effective <= day and (best_date is None or effective >= best_date):
            best_date, best = effective, status
    return best


def weight(volumes: Mapping[int, int], fiscal_year: int, basis: Basis = Basis()) -> int:
    """Annual receipts used as the weight for FY N.

    latest: the volume of the latest FY ≤ N; fixed:Y: the volume of the latest FY ≤ Y.
    With nothing at or before that year, the earliest recorded volume; with none, 0.
    """
    if not volumes:
        return 0
    year = fiscal_year if basis.fixed_year is None else basis.fixed_year
    chosen = None
    for y in volumes:
        if y <= year and (chosen is None or y > chosen):
            chosen = y
    if chosen is None:
        chosen = min(volumes)
    return volumes[chosen]


@dataclass(frozen=True, slots=True)
class Ratio:
    numerator: int
    denominator: int

    @property
    def rate(self) -> float:
        return self.numerator / self.denominator if self.denominator else 0.0

    def as_dict(self, *, names: tuple[str, str] = ("numerator", "denominator")) -> dict:
        return {names[0]: self.numerator, names[1]: self.denominator, "rate": self.rate}


@dataclass(frozen=True, slots=True)
class Remaining:
    """A procedure not yet digitized, and the points that digitizing it alone would add."""

    code: str
    name: str
    department_code: str
    status: str
    weight: int
    gain_points: float


@dataclass(frozen=True, slots=True)
class DepartmentFigures:
    code: str
    name: str
    weighted: Ratio
    count: Ratio
    paper_receipts: int


@dataclass(frozen=True, slots=True)
class Figures:
    fiscal_year: int
    scope: Scope
    basis: Basis
    as_of: date
    weighted: Ratio
    count: Ratio
    missing_volume: tuple[ProcedureFacts, ...]
    departments: tuple[DepartmentFigures, ...]
    remaining: tuple[Remaining, ...]  # all of them, largest weight first

    @property
    def paper_receipts(self) -> int:
        """Receipts a year of procedures in scope that are not yet online."""
        return self.weighted.denominator - self.weighted.numerator


def compute(
    procedures: Iterable[ProcedureFacts],
    fiscal_year: int,
    scope: Scope,
    basis: Basis,
    today: date,
) -> Figures:
    """All figures of kpi.md for one scope and fiscal year."""
    day = fy_as_of(fiscal_year, today)
    num = den = n_dig = n_total = 0
    depts: dict[str, list] = {}  # code → [name, num, den, n_dig, n_total]
    missing: list[ProcedureFacts] = []
    open_items: list[tuple[ProcedureFacts, str, int]] = []
    for p in procedures:
        if not scope.includes(p) or not p.valid_in(fiscal_year):
            continue
        status = status_on(p.history, day)
        if status == EXCLUDED:
            continue
        w = weight(p.volumes, fiscal_year, basis)
        digitized = status in DIGITIZED
        if not p.volumes:
            missing.append(p)
        d = depts.setdefault(p.department_code, [p.department_name, 0, 0, 0, 0])
        den += w
        n_total += 1
        d[2] += w
        d[4] += 1
        if digitized:
            num += w
            n_dig += 1
            d[1] += w
            d[3] += 1
        else:
            open_items.append((p, status, w))
    open_items.sort(key=lambda item: (-item[2], item[0].code))
    remaining = tuple(
        Remaining(p.code, p.name, p.department_code, status, w, gain_points(w, den))
        for p, status, w in open_items
    )
    departments = tuple(
        DepartmentFigures(code, v[0], Ratio(v[1], v[2]), Ratio(v[3], v[4]), v[2] - v[1])
        for code, v in sorted(depts.items())
    )
    return Figures(
        fiscal_year=fiscal_year,
        scope=scope,
        basis=basis,
        as_of=day,
        weighted=Ratio(num, den),
        count=Ratio(n_dig, n_total),
        missing_volume=tuple(sorted(missing, key=lambda p: p.code)),
        departments=departments,
        remaining=remaining,
    )


def gain_points(weight_: int, denominator: int) -> float:
    """Percentage points that digitizing a procedure of this weight alone adds to the rate."""
    return round(100 * weight_ / denominator, 1) if denominator else 0.0


# --- history, targets, take-up ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Point:
    fiscal_year: int
    weighted: Ratio
    count: Ratio


def history(
    procedures: Sequence[ProcedureFacts],
    years: Iterable[int],
    scope: Scope,
    basis: Basis,
    today: date,
) -> list[Point]:
    """The rate for each fiscal year, as of that year's end (or today)."""
    out = []
    for fy in years:
        f = compute(procedures, fy, scope, basis, today)
        out.append(Point(fy, f.weighted, f.count))
    return out


def recorded_years(procedures: Iterable[ProcedureFacts]) -> tuple[int, int] | None:
    """First and last fiscal year with a recorded volume, or None."""
    years = [y for p in procedures for y in p.volumes]
    return (min(years), max(years)) if years else None


@dataclass(frozen=True, slots=True)
class Projection:
    """Whether the history is on the straight line from its first year to 100 % at the target."""

    first_year: int
    first_rate: float
    target_year: int
    year: int
    rate: float
    expected: float  # where the straight line is in `year`
    on_track: bool
    projected_year: int | None  # when 100 % is reached at the average pace so far

    @property
    def gap_points(self) -> float:
        return round(100 * (self.expected - self.rate), 1)


def projection(points: Sequence[Point], target_year: int) -> Projection | None:
    if not points:
        return None
    first, last = points[0], points[-1]
    r0, r1 = first.weighted.rate, last.weighted.rate
    if last.fiscal_year >= target_year or target_year == first.fiscal_year:
        expected = 1.0
    else:
        share = (last.fiscal_year - first.fiscal_year) / (target_year - first.fiscal_year)
        expected = r0 + (1.0 - r0) * share
    on_track = r1 >= expected - 1e-9
    projected: int | None
    if r1 >= 1.0 - 1e-12:
        projected = last.fiscal_year
    else:
        years = last.fiscal_year - first.fiscal_year
        pace = (r1 - r0) / years if years else 0.0
        projected = last.fiscal_year + math.ceil((1.0 - r1) / pace - 1e-9) if pace > 0 else None
    return Projection(
        first.fiscal_year, r0, target_year, last.fiscal_year, r1, expected, on_track, projected
    )


@dataclass(frozen=True, slots=True)
class TakeUp:
    code: str
    online: int
    weight: int
    source: str  # recorded (online_receipts) | submissions (counted here)

    @property
    def rate(self) -> float | None:
        return self.online / self.weight if self.weight else None

    @property
    def above_100(self) -> bool:
        return self.weight > 0 and self.online > self.weight


def take_up(p: ProcedureFacts, fiscal_year: int, basis: Basis = Basis()) -> TakeUp | None:
    """How much of the real demand arrives online; only for procedures with a form here
    that are valid in the fiscal year."""
    if not p.form or not p.valid_in(fiscal_year):
        return None
    w = weight(p.volumes, fiscal_year, basis)
    if fiscal_year in p.online_receipts:
        return TakeUp(p.code, p.online_receipts[fiscal_year], w, "recorded")
    return TakeUp(p.code, p.submissions.get(fiscal_year, 0), w, "submissions")


# --- the JSON of interfaces.md ------------------------------------------------------


def to_json(f: Figures, *, limit: int = 10) -> dict:
    """The answer of GET /api/v1/kpi and `flask kpi --json`."""
    return {
        "fiscal_year": f.fiscal_year,
        "scope": str(f.scope),
        "basis": str(f.basis),
        "as_of": f.as_of.isoformat(),
        "weighted": f.weighted.as_dict(),
        "count": f.count.as_dict(names=("digitized", "total")),
        "paper_receipts": f.paper_receipts,
        "missing_volume": [{"code": p.code, "name": p.name} for p in f.missing_volume],
        "departments": [
            {
                "code": d.code,
                "name": d.name,
                "weighted": d.weighted.as_dict(),
                "count": d.count.as_dict(names=("digitized", "total")),
            }
            for d in f.departments
        ],
        "biggest_remaining": [
            {
                "code": r.code,
                "name": r.name,
                "department": r.department_code,
                "status": r.status,
                "weight": r.weight,
                "gain_points": r.gain_points,
            }
            for r in f.remaining[:limit]
        ],
    }
