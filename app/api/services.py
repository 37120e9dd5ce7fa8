"""Writes by departmental systems: one token, one department, append-only rows.

The catalogue services do the recording (the same rules as the staff pages and the
CSV import); this module adds the token's scope and the transaction of one request.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.catalogue import services as catalogue
from app.catalogue.models import Procedure, StatusChange, VolumeRecord
from app.clock import today
from app.extensions import db

from .models import ApiToken
from .queries import current


class ApiProblem(Exception):
    """An answer other than success: HTTP status, error code, message (日本語 / English)."""

    def __init__(self, status: int, code: str, message: str, errors: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.errors = status, code, message, errors


def writable_procedure(token: ApiToken, code: str) -> Procedure:
    """The procedure, if this token's department owns it (404 unknown, 403 another's)."""
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == code))
    if procedure is None:
        raise ApiProblem(404, "not_found", "手続が見つかりません / no such procedure")
    if procedure.department_id != token.department_id:
        raise ApiProblem(
            403,
            "forbidden",
            "このトークンでは他の部局の手続を更新できません"
            " / this token cannot write to another department's procedures",
        )
    return procedure


def _invalid(exc: catalogue.CatalogueError) -> ApiProblem:
    message = "入力内容に誤りがあります / invalid request"
    return ApiProblem(422, "invalid", message, exc.by_field())


def set_guide(token: ApiToken, code: str, data: dict[str, Any]) -> Procedure:
    """Change the parts of the procedure's guide that were given (lists joined as a CSV
    cell holds them), by the catalogue's rule → the procedure."""
    procedure = writable_procedure(token, code)
    raw: dict[str, str | None] = {}
    for key, value in data.items():
        if isinstance(value, list):
            value = ";".join(value)
        raw[key] = None if value is None else str(value)
    try:
        catalogue.set_guide(procedure, raw)
    except catalogue.CatalogueError as exc:
        db.session.rollback()
        raise _invalid(exc) from exc
    db.session.commit()
    return procedure


def record_status(token: ApiToken, code: str, data: dict[str, Any]) -> dict[str, Any]:
    """Append a status row for the procedure → what was recorded, and the status today."""
    procedure = writable_procedure(token, code)
    try:
        row = catalogue.record_status(
            procedure,
            data["status"],
            data["effective_date"],
            note=data.get("note"),
            by=token.label(),
        )
    except catalogue.CatalogueError as exc:
        db.session.rollback()
        raise _invalid(exc) from exc
    history = db.session.execute(
        select(StatusChange.effective_date, StatusChange.status)
        .where(StatusChange.procedure_id == procedure.id)
        .order_by(StatusChange.id)
    ).all()
    answer = {
        "procedure": procedure.code,
        "status": row.status,
        "effective_date": row.effective_date,
        "note": row.note,
        "recorded_at": row.recorded_at,
        "current_status": current([tuple(r) for r in history], today())[0],
    }
    db.session.commit()
    return answer


def record_volume(token: ApiToken, code: str, data: dict[str, Any]) -> dict[str, Any]:
    """Append the receipts of a fiscal year; it becomes that year's current value."""
    procedure = writable_procedure(token, code)
    try:
        row: VolumeRecord = catalogue.record_volume(
            procedure,
            data["fiscal_year"],
            data["receipts"],
            data.get("online_receipts"),
            note=data.get("note"),
            confirmed=data.get("confirm", False),
            by=token.label(),
        )
    except catalogue.CatalogueError as exc:
        db.session.rollback()
        raise _invalid(exc) from exc
    answer = {
        "procedure": procedure.code,
        "fiscal_year": row.fiscal_year,
        "receipts": row.receipts,
        "online_receipts": row.online_receipts,
        "note": row.note,
        "recorded_at": row.recorded_at,
    }
    db.session.commit()
    return answer
