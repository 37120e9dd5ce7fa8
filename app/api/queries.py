"""Read side of the catalogue for the API and open data, in a constant number of queries.

Statuses and volumes come from the KPI facts (app.catalogue.queries.kpi_facts: reloaded
only when the catalogue changes), so the API shows exactly what the KPI counts; the
descriptive columns of the procedures on a page come from one more query.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app import kpi
from app.catalogue.models import Department, Procedure, StatusChange, VolumeRecord
from app.catalogue.queries import kpi_facts
from app.extensions import db


@dataclass(frozen=True)
class Filters:
    department: str | None = None
    priority: bool | None = None
    status: str | None = None


@dataclass(frozen=True)
class Entry:
    """A procedure as the API and open data show it (plain data, ready to dump)."""

    procedure: Procedure
    department: Department
    status: str
    status_since: date | None
    volumes: tuple[tuple[int, int, int | None], ...]  # (fiscal year, receipts, online)
    history: tuple[tuple[date, str, str | None], ...] = ()  # (effective date, status, note)


def current(history: Sequence[tuple[date, str]], day: date) -> tuple[str, date | None]:
    """The status on `day` (kpi.status_on) and the effective date of the row that sets it."""
    since = max((d for d, _ in history if d <= day), default=None)
    return kpi.status_on(history, day), since


def _volumes(f: kpi.ProcedureFacts) -> tuple[tuple[int, int, int | None], ...]:
    return tuple((fy, f.volumes[fy], f.online_receipts.get(fy)) for fy in sorted(f.volumes))


def matching(filters: Filters, day: date) -> list[tuple[kpi.ProcedureFacts, str, date | None]]:
    """Every procedure that passes the filters, by code, with its status on `day`."""
    out = []
    for f in kpi_facts():
        if filters.department is not None and f.department_code != filters.department:
            continue
        if filters.priority is not None and f.priority != filters.priority:
            continue
        status, since = current(f.history, day)
        if filters.status is not None and status != filters.status:
            continue
        out.append((f, status, since))
    return out


def entries(rows: Iterable[tuple[kpi.ProcedureFacts, str, date | None]]) -> list[Entry]:
    """Entries for these facts: one query for their descriptive columns, whatever their number."""
    rows = list(rows)
    if not rows:
        return []
    codes = [f.code for f, _, _ in rows]
    found = {
        p.code: (p, d)
        for p, d in db.session.execute(
            select(Procedure, Department)
            .join(Department, Procedure.department_id == Department.id)
            .where(Procedure.code.in_(codes))
        )
    }
    out = []
    for f, status, since in rows:
        if f.code not in found:  # removed since the facts were loaded: leave it out
            continue
        p, d = found[f.code]
        out.append(Entry(p, d, status, since, _volumes(f)))
    return out


def all_entries(day: date) -> list[Entry]:
    return entries(matching(Filters(), day))


def one(code: str, day: date) -> Entry | None:
    """A procedure with its full status history (notes included): three queries."""
    row = db.session.execute(
        select(Procedure, Department)
        .join(Department, Procedure.department_id == Department.id)
        .where(Procedure.code == code)
    ).first()
    if row is None:
        return None
    p, d = row
    history = tuple(
        (day_, status, note)
        for day_, status, note in db.session.execute(
            select(StatusChange.effective_date, StatusChange.status, StatusChange.note)
            .where(StatusChange.procedure_id == p.id)
            .order_by(StatusChange.id)
        )
    )
    latest: dict[int, tuple[int, int | None]] = {}
    for fy, receipts, online in db.session.execute(
        select(VolumeRecord.fiscal_year, VolumeRecord.receipts, VolumeRecord.online_receipts)
        .where(VolumeRecord.procedure_id == p.id)
        .order_by(VolumeRecord.id)
    ):
        latest[fy] = (receipts, online)  # a later row for the same year is the current value
    status, since = current([(d_, s) for d_, s, _ in history], day)
    volumes = tuple((fy, r, o) for fy, (r, o) in sorted(latest.items()))
    return Entry(p, d, status, since, volumes, history)
