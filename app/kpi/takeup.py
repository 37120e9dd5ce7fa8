"""Take-up that tells the truth: online receipts ÷ all receipts of the same year.

For a fiscal year N and a procedure p:

    receipts(p, N) = the receipts recorded for N itself (no weight fallback: a rate of a
                     year divides that year's counts)
    online(p, N)   = the applications this system received for p in N, when there are any
                     (never the department's recorded online count as well: one source
                     per procedure and year, never both added); else the online receipts
                     recorded for N; else 0 when p has a form here or could not be done
                     online at N's end; else unknown
    rate           = Σ online / Σ receipts over the procedures where both are known
                     (per procedure, department or the prefecture); the others are listed

The current fiscal year has no year's receipts yet: it is compared with the same period
of the previous year (1 April to the same day), counting what this system received.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .compute import ProcedureFacts, Ratio, status_on
from .fiscal import as_of, fy_start
from .status import DIGITIZED, EXCLUDED

HERE, RECORDED, NOT_ONLINE = "here", "recorded", "not_online"


@dataclass(frozen=True, slots=True)
class Usage:
    code: str
    name: str
    department_code: str
    available: bool  # digitized at the year's end (the KPI's numerator)
    online: int | None  # None: not known
    receipts: int | None  # None: not recorded for the year
    source: str | None  # here | recorded | not_online | None (unknown)

    @property
    def known(self) -> bool:
        return self.online is not None and self.receipts is not None

    @property
    def rate(self) -> float | None:
        return self.online / self.receipts if self.known and self.receipts else None

    @property
    def above_100(self) -> bool:
        return self.known and self.online > self.receipts


def usage(p: ProcedureFacts, fiscal_year: int, today: date) -> Usage | None:
    """A procedure's use in a year; None when it does not count in the year (not valid,
    or excluded)."""
    if not p.valid_in(fiscal_year):
        return None
    status = status_on(p.history, as_of(fiscal_year, today))
    if status == EXCLUDED:
        return None
    available = status in DIGITIZED
    online: int | None
    here = p.submissions.get(fiscal_year, 0)
    if here:
        online, source = here, HERE
    elif fiscal_year in p.online_receipts:
        online, source = p.online_receipts[fiscal_year], RECORDED
    elif p.form:
        online, source = 0, HERE
    elif not available:
        online, source = 0, NOT_ONLINE
    else:
        online, source = None, None
    return Usage(
        p.code, p.name, p.department_code, available, online, p.volumes.get(fiscal_year), source
    )


def total(rows: Iterable[Usage]) -> Ratio:
    """Σ online ÷ Σ receipts over the rows where both are known."""
    online = receipts = 0
    for u in rows:
        if u.known:
            online += u.online
            receipts += u.receipts
    return Ratio(online, receipts)


@dataclass(frozen=True, slots=True)
class DepartmentUsage:
    code: str
    available: Ratio  # the KPI (all procedures, weighted by the year's receipts)
    use: Ratio  # online ÷ receipts
    unknown: int  # procedures left out: online or receipts not known


def by_department(rows: Sequence[Usage]) -> list[DepartmentUsage]:
    """Availability and use side by side, per department (by code). Availability here
    weighs each procedure by the same year's receipts as the use, so the two compare."""
    depts: dict[str, list[Usage]] = {}
    for u in rows:
        depts.setdefault(u.department_code, []).append(u)
    out = []
    for code, us in sorted(depts.items()):
        counted = [u for u in us if u.known]
        out.append(
            DepartmentUsage(
                code,
                Ratio(
                    sum(u.receipts for u in counted if u.available),
                    sum(u.receipts for u in counted),
                ),
                total(counted),
                len(us) - len(counted),
            )
        )
    return out


# --- the current, partial year ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date  # inclusive


def same_day_a_year_before(day: date) -> date:
    """29 February gives 28 February."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def partial_periods(fiscal_year: int, today: date) -> tuple[Period, Period]:
    """(FY N from 1 April to today, FY N−1 from 1 April to the same day a year before)."""
    end = min(as_of(fiscal_year, today), today)
    return Period(fy_start(fiscal_year), end), Period(
        fy_start(fiscal_year - 1), same_day_a_year_before(end)
    )


@dataclass(frozen=True, slots=True)
class Comparison:
    code: str
    current: int
    previous: int

    @property
    def change(self) -> float | None:
        """Relative change against the same period a year before (None from 0)."""
        return (self.current - self.previous) / self.previous if self.previous else None


def compare(
    current: Mapping[str, int], previous: Mapping[str, int], codes: Iterable[str]
) -> list[Comparison]:
    """The applications received in the two periods, per procedure code."""
    return [Comparison(c, current.get(c, 0), previous.get(c, 0)) for c in codes]


def in_period(day: date, period: Period) -> bool:
    return period.start <= day <= period.end


def days(period: Period) -> int:
    return (period.end - period.start + timedelta(days=1)).days
