"""Read side of the catalogue: what the KPI arithmetic needs, in a constant number of queries."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select

from app.extensions import db
from app.kpi import ProcedureFacts

from .models import Department, Procedure, StatusChange, VolumeRecord
from .services import current_volume_rows


def kpi_facts() -> list[ProcedureFacts]:
    """Every procedure with its current volumes and full status history: three queries."""
    volumes: dict[int, dict[int, int]] = defaultdict(dict)
    online: dict[int, dict[int, int]] = defaultdict(dict)
    for pid, fy, receipts, online_receipts in db.session.execute(current_volume_rows()):
        volumes[pid][fy] = receipts
        if online_receipts is not None:
            online[pid][fy] = online_receipts
    history: dict[int, list] = defaultdict(list)
    for pid, day, status in db.session.execute(
        select(StatusChange.procedure_id, StatusChange.effective_date, StatusChange.status)
        .order_by(StatusChange.id)
    ):
        history[pid].append((day, status))
    rows = db.session.execute(
        select(
            Procedure.id, Procedure.code, Procedure.name_ja, Procedure.name_en, Procedure.priority,
            Procedure.form, Department.code, Department.name_ja, Department.name_en,
        ).join(Department).order_by(Procedure.code)
    )
    return [
        ProcedureFacts(
            code=code, name=name, name_en=name_en, priority=bool(priority), form=form,
            department_code=dcode, department_name=dname, department_name_en=dname_en,
            volumes=volumes.get(pid, {}), history=tuple(history.get(pid, ())),
            online_receipts=online.get(pid, {}),
        )
        for pid, code, name, name_en, priority, form, dcode, dname, dname_en in rows
    ]


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
