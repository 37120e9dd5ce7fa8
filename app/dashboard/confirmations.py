"""Confirmed fiscal years: the bureau confirms a year once it has ended; the dashboard
shows it as confirmed (確定値) and the current year as provisional (暫定値). A change
recorded later that moves a confirmed year's figures shows as a correction (訂正), with
the date and the reason (note) of each change; confirming again, with a reason, makes
the corrected figures the confirmed ones. Rows are only ever added."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from app import kpi
from app.catalogue import rules
from app.catalogue.models import Procedure, StatusChange, VolumeRecord
from app.catalogue.queries import kpi_facts
from app.clock import as_utc, today
from app.extensions import db

from .models import YearConfirmation


class ConfirmError(ValueError):
    """Why a year cannot be confirmed, in Japanese and English."""

    def __init__(self, ja: str, en: str):
        super().__init__(ja)
        self.ja, self.en = ja, en


@dataclass
class Change:
    at: datetime
    procedure: str
    what: str  # status | volume
    note: str | None


@dataclass
class YearState:
    fiscal_year: int
    confirmation: YearConfirmation | None  # the latest
    history: list[YearConfirmation]  # every confirmation, oldest first
    now: dict  # the figures as computed today, as stored in a confirmation
    changes: list[Change] = field(default_factory=list)  # recorded after the confirmation

    @property
    def confirmed(self) -> bool:
        return self.confirmation is not None

    @property
    def corrected(self) -> bool:
        """Confirmed, and today's figures are not the confirmed ones."""
        return self.confirmed and _same(self.confirmation.figures) != _same(self.now)


def _same(figures: dict) -> tuple:
    return tuple(tuple(figures.get(s) or ()) for s in ("priority", "all"))


def figures_of(fiscal_year: int) -> dict:
    """The year's headline figures on the official basis: what a confirmation keeps."""
    basis = kpi.parse_basis(current_app.config["KPI_BASIS"])
    facts = kpi_facts()
    out: dict = {"basis": str(basis)}
    for scope in ("priority", "all"):
        f = kpi.compute(facts, fiscal_year, kpi.Scope(scope), basis, today())
        out[scope] = [f.weighted.numerator, f.weighted.denominator]
    return out


def state(fiscal_year: int) -> YearState:
    history = list(
        db.session.scalars(
            select(YearConfirmation)
            .where(YearConfirmation.fiscal_year == fiscal_year)
            .order_by(YearConfirmation.id)
        )
    )
    last = history[-1] if history else None
    st = YearState(fiscal_year, last, history, figures_of(fiscal_year))
    if last is not None and st.corrected:
        st.changes = changes_since(fiscal_year, as_utc(last.confirmed_at))
    return st


def changes_since(fiscal_year: int, since: datetime) -> list[Change]:
    """Status rows taking effect by the year's end and volume rows of a year up to it,
    recorded after `since`: what can have moved the year's figures."""
    out = []
    for model, what, cond in (
        (StatusChange, "status", StatusChange.effective_date <= kpi.fy_end(fiscal_year)),
        (VolumeRecord, "volume", VolumeRecord.fiscal_year <= fiscal_year),
    ):
        for at, code, note in db.session.execute(
            select(model.recorded_at, Procedure.code, model.note)
            .join(Procedure, Procedure.id == model.procedure_id)
            .where(cond, model.recorded_at > since)
            .order_by(model.recorded_at)
        ):
            out.append(Change(as_utc(at), code, what, note))
    out.sort(key=lambda c: c.at)
    return out


def confirm(fiscal_year: int, by: str, reason: str | None) -> YearConfirmation:
    """Confirm an ended fiscal year's figures; confirming again needs a reason."""
    if kpi.fy_end(fiscal_year) >= today():
        raise ConfirmError(
            f"{fiscal_year}年度はまだ終わっていないため確定できません。",
            f"FY{fiscal_year} has not ended yet and cannot be confirmed.",
        )
    reason = rules.read_note(reason)
    problems = rules.check_note(reason, "reason")
    if problems:
        raise ConfirmError(problems[0].ja, problems[0].en)
    before = state(fiscal_year)
    if before.confirmed and not reason:
        raise ConfirmError(
            "確定済みの年度をもう一度確定するときは、理由を入力してください。",
            "Give a reason to confirm an already confirmed year again.",
        )
    row = YearConfirmation(
        fiscal_year=fiscal_year, figures=before.now, reason=reason, confirmed_by=by
    )
    db.session.add(row)
    return row


def confirmable_years() -> list[int]:
    """The ended fiscal years with recorded figures, newest first."""
    span = kpi.recorded_years(kpi_facts())
    last = kpi.fiscal_year_of(today()) - 1
    first = span[0] if span else last
    return list(range(last, min(first, last) - 1, -1))
