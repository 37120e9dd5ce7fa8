"""Read side of the catalogue: what the KPI arithmetic needs, in a constant number of
queries, kept per process until the catalogue changes (`kpi_facts`: the one source of
the dashboard, the API, open data and the KPI report)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime

from sqlalchemy import func, select

from app.extensions import db
from app.gcpause import gc_paused
from app.kpi import ProcedureFacts, status_on
from app.metrics import KPI_CACHE

from .models import Department, Procedure, StatusChange, VolumeRecord


def catalogue_stamp() -> tuple:
    """One cheap query whose answer changes whenever anything the KPI reads changes.

    Volumes and status rows are append-only (their max id moves); procedures and
    departments carry updated_at; the count catches additions.
    """
    vt, st = VolumeRecord.__table__, StatusChange.__table__
    pt, dt = Procedure.__table__, Department.__table__
    q = select(
        select(func.max(vt.c.id)).scalar_subquery(),
        select(func.max(st.c.id)).scalar_subquery(),
        select(func.count(pt.c.id)).scalar_subquery(),
        select(func.max(pt.c.updated_at)).scalar_subquery(),
        select(func.max(dt.c.updated_at)).scalar_subquery(),
    )
    return tuple(db.session.connection().execute(q).one())


def load_kpi_facts() -> list[ProcedureFacts]:
    """Every procedure with its current volumes and full status history: three queries.

    Plain Core selects in recording order: a later volume row for the same year simply
    overwrites the earlier one here, which is cheaper than asking SQL for the latest.
    """
    conn = db.session.connection()
    vt, st = VolumeRecord.__table__, StatusChange.__table__
    volumes: dict[int, dict[int, int]] = defaultdict(dict)
    online: dict[int, dict[int, int]] = defaultdict(dict)
    for pid, fy, receipts, online_receipts in _plain_rows(
        conn,
        select(vt.c.procedure_id, vt.c.fiscal_year, vt.c.receipts, vt.c.online_receipts).order_by(
            vt.c.id
        ),
    ):
        volumes[pid][fy] = receipts
        if online_receipts is not None:
            online[pid][fy] = online_receipts
        elif pid in online:  # a later row without the online count takes it back
            online[pid].pop(fy, None)
    history: dict[int, list] = defaultdict(list)
    for pid, day, status in _plain_rows(
        conn, select(st.c.procedure_id, st.c.effective_date, st.c.status).order_by(st.c.id)
    ):
        history[pid].append((day if isinstance(day, date) else date.fromisoformat(day), status))
    pt, dt = Procedure.__table__, Department.__table__
    rows = conn.execute(
        select(
            pt.c.id,
            pt.c.code,
            pt.c.name_ja,
            pt.c.name_en,
            pt.c.priority,
            pt.c.form,
            pt.c.valid_from,
            pt.c.valid_until,
            dt.c.code,
            dt.c.name_ja,
            dt.c.name_en,
        )
        .join(dt, pt.c.department_id == dt.c.id)
        .order_by(pt.c.code)
    )
    return [
        ProcedureFacts(
            code=code,
            name=name,
            name_en=name_en,
            priority=bool(priority),
            form=form,
            department_code=dcode,
            department_name=dname,
            department_name_en=dname_en,
            volumes=volumes.get(pid, {}),
            history=tuple(history.get(pid, ())),
            online_receipts=online.get(pid, {}),
            valid_from=valid_from,
            valid_until=valid_until,
        )
        for (
            pid,
            code,
            name,
            name_en,
            priority,
            form,
            valid_from,
            valid_until,
            dcode,
            dname,
            dname_en,
        ) in rows
    ]


def _plain_rows(conn, stmt):
    """The rows of a parameterless query as the driver's own tuples: volumes and status
    rows are the catalogue's largest tables, and SQLAlchemy's per-row work (a date parsed
    from SQLite's text in Python) would cost more than the KPI arithmetic. Numbers and
    text come back alike from every driver; dates are text from SQLite."""
    result = conn.exec_driver_sql(str(stmt.compile(dialect=conn.dialect)))
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def department_last_updates() -> dict[str, datetime | None]:
    """Department code → when any of its procedures' status or volumes was last recorded."""
    last: dict[str, datetime | None] = {}
    for model in (StatusChange, VolumeRecord):
        q = (
            select(Department.code, func.max(model.recorded_at))
            .select_from(Department)
            .join(Procedure, Procedure.department_id == Department.id, isouter=True)
            .join(model, model.procedure_id == Procedure.id, isouter=True)
            .group_by(Department.code)
        )
        for code, when in db.session.execute(q):
            prev = last.get(code)
            last[code] = max((w for w in (prev, when) if w is not None), default=None)
    return last


def departments() -> list[Department]:
    return list(db.session.scalars(select(Department).order_by(Department.code)))


def current_statuses(procedures, day) -> dict[int, str]:
    """Procedure id → its status on `day` (kpi.md's rule), for a page of procedures: one query."""
    ids = [p.id for p in procedures]
    history: dict[int, list] = defaultdict(list)
    if ids:
        for pid, effective, status in db.session.execute(
            select(StatusChange.procedure_id, StatusChange.effective_date, StatusChange.status)
            .where(StatusChange.procedure_id.in_(ids))
            .order_by(StatusChange.id)
        ):
            history[pid].append((effective, status))
    return {pid: status_on(history.get(pid, ()), day) for pid in ids}


# --- the KPI's facts, kept until something they hold changes ---------------------------------

# Applications received online by a feature of this app (the submissions), counted into
# the facts' take-up: name → (stamp, counts). A feature registers its source at app
# creation (the catalogue imports no feature).
_online_sources: dict[str, tuple[Callable[[], object], Callable[[], dict]]] = {}
_cache: dict[str, tuple[tuple, list[ProcedureFacts]]] = {}


def register_online_receipts(
    name: str, stamp: Callable[[], object], counts: Callable[[], dict[str, dict[int, int]]]
) -> None:
    """`counts()` → procedure code → fiscal year → applications received online here;
    `stamp()` changes whenever they do (a cheap query)."""
    _online_sources[name] = (stamp, counts)


def kpi_facts() -> list[ProcedureFacts]:
    """Every procedure's facts with the applications received here, reloaded only on change.

    Each process keeps the last load with the stamp it was made at; a request costs
    one stamp query per source, plus the loading queries after any change.
    """
    key = db.engine.url.render_as_string(hide_password=True)
    sources = list(_online_sources.values())
    stamp = (*catalogue_stamp(), *(s() for s, _ in sources))
    hit = _cache.get(key)
    if hit is not None and hit[0] == stamp:
        KPI_CACHE.labels("hit").inc()
        return hit[1]
    KPI_CACHE.labels("miss").inc()
    counts: dict[str, dict[int, int]] = {}
    for _, source in sources:
        for code, years in source().items():
            for fy, n in years.items():
                counts.setdefault(code, {})[fy] = counts.get(code, {}).get(fy, 0) + n
    with gc_paused():
        facts = [
            replace(f, submissions=counts[f.code]) if f.code in counts else f
            for f in load_kpi_facts()
        ]
    _cache[key] = (stamp, facts)
    return facts
