"""What is waiting for this user: the to-do list on the staff home page.

- volumes missing for the last complete fiscal year (the KPI needs them);
- procedures past their digitization deadline (the plan's targets, KPI_TARGETS: priority
  procedures by the end of one fiscal year, all by the end of another), neither online nor
  excluded today;
- the forms of the department's procedures with texts missing in a language they offer.

Department staff see their own department's, each with a link to where it is done; the
bureau and the administrators see the counts for every department (the bureau changes
nothing itself: its list says which departments to ask).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select

from app.catalogue.models import Procedure, VolumeRecord
from app.catalogue.queries import current_statuses
from app.clock import today
from app.extensions import db
from app.formengine.model import missing_translations
from app.kpi import DIGITIZED, fiscal_year_of
from app.kpi.fiscal import fy_end, valid_in
from app.kpi.status import EXCLUDED
from app.submissions import versions

from .models import User

SHOWN = 10  # procedures named under each item; the rest are counted


@dataclass
class Todo:
    kind: str  # volumes | deadline | translations
    procedures: list[Procedure] = field(default_factory=list)
    forms: list[tuple[str, dict[str, int]]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.procedures) or len(self.forms)


def todo_for(user: User) -> tuple[int, list[Todo]]:
    """(the fiscal year whose volumes are due, the items with something to do)."""
    day = today()
    last_year = fiscal_year_of(day) - 1
    stmt = select(Procedure).order_by(Procedure.code)
    if not user.sees_all():
        stmt = stmt.where(Procedure.department_id == user.department_id)
    procs = [p for p in db.session.scalars(stmt) if _valid_in(p, last_year)]
    statuses = current_statuses(procs, day)
    with_volume = set(
        db.session.scalars(
            select(VolumeRecord.procedure_id).where(VolumeRecord.fiscal_year == last_year)
        )
    )
    items = [Todo("volumes", [p for p in procs if p.id not in with_volume])]
    targets = current_app.config["KPI_TARGETS"]
    late = []
    for p in procs:
        target = targets.get("priority") if p.priority else targets.get("all")
        if (
            target is not None
            and day > fy_end(target)
            and statuses[p.id] not in DIGITIZED | {EXCLUDED}
        ):
            late.append(p)
    items.append(Todo("deadline", late))
    codes = {p.code for p in procs}
    forms = []
    for fv in versions.published_forms():
        if fv.procedure_code in codes or user.sees_all():
            missing = missing_translations(versions.definition(fv))
            if missing:
                forms.append((fv.form_id, missing))
    items.append(Todo("translations", forms=forms))
    return last_year, [i for i in items if i.count]


def _valid_in(p: Procedure, fiscal_year: int) -> bool:
    return valid_in(fiscal_year, p.valid_from, p.valid_until)
