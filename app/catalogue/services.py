"""The only place that changes the catalogue: import, export, record status and volumes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import func, insert, select

from app.extensions import db
from app.kpi.status import STATUSES

from . import csvfiles as cf
from .models import Department, Procedure, StatusChange, VolumeRecord, utcnow


@dataclass
class ImportReport:
    problems: list[cf.Problem] = field(default_factory=list)
    warnings: list[cf.Problem] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run


def count_rows(directory: Path) -> int:
    """Rough row count of the files to import, for a progress bar."""
    total = 0
    for name in (cf.PROCEDURES, cf.VOLUMES, cf.STATUS_HISTORY):
        path = directory / name
        if path.exists():
            total += max(path.read_bytes().count(b"\n") - 1, 0)
    return total


def current_volume_rows():
    """SELECT of the current (latest recorded) volume row per procedure and fiscal year."""
    latest = (
        select(func.max(VolumeRecord.id))
        .group_by(VolumeRecord.procedure_id, VolumeRecord.fiscal_year)
        .scalar_subquery()
    )
    return select(
        VolumeRecord.procedure_id,
        VolumeRecord.fiscal_year,
        VolumeRecord.receipts,
        VolumeRecord.online_receipts,
    ).where(VolumeRecord.id.in_(latest))


def import_catalogue(
    directory: Path,
    *,
    dry_run: bool = False,
    recorded_by: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Check the three files, then upsert all of them in one transaction, or nothing.

    Procedures and departments are updated in place; volumes and status rows are
    appended only where they differ from what is recorded, so re-importing is a no-op.
    """
    report = ImportReport(dry_run=dry_run)
    tick = progress or (lambda n: None)
    directory = Path(directory)
    label = lambda name: str(directory / name)  # noqa: E731
    if not (directory / cf.PROCEDURES).exists():
        report.problems.append(
            cf.Problem(label(cf.PROCEDURES), 1, "ファイルがありません / file not found")
        )
        return report

    departments = {d.code: d for d in db.session.scalars(select(Department))}
    procedures = {p.code: p for p in db.session.scalars(select(Procedure))}

    table = cf.read_table(
        directory / cf.PROCEDURES,
        label(cf.PROCEDURES),
        report.problems,
        report.warnings,
        cf.PROCEDURE_COLUMNS,
        cf.PROCEDURE_REQUIRED,
    )
    proc_rows = cf.check_procedures(table, set(departments), report.problems) if table else []
    file_codes = {line_row[1].get("code", "") for line_row in (table.rows if table else [])}
    known_codes = set(procedures) | file_codes
    reasons = {code: p.exclusion_reason for code, p in procedures.items()}
    reasons.update({r.code: r.exclusion_reason for r in proc_rows})
    tick(len(table.rows) if table else 0)

    vol_rows: list[cf.VolumeRow] = []
    if (directory / cf.VOLUMES).exists():
        t = cf.read_table(
            directory / cf.VOLUMES,
            label(cf.VOLUMES),
            report.problems,
            report.warnings,
            cf.VOLUME_COLUMNS,
            cf.VOLUME_REQUIRED,
        )
        if t:
            vol_rows = cf.check_volumes(t, known_codes, report.problems, report.warnings)
            tick(len(t.rows))
    status_rows: list[cf.StatusRow] = []
    if (directory / cf.STATUS_HISTORY).exists():
        t = cf.read_table(
            directory / cf.STATUS_HISTORY,
            label(cf.STATUS_HISTORY),
            report.problems,
            report.warnings,
            cf.STATUS_COLUMNS,
            cf.STATUS_REQUIRED,
        )
        if t:
            status_rows = cf.check_statuses(t, known_codes, reasons, report.problems)
            tick(len(t.rows))
    if report.problems:
        return report

    counts = report.counts
    now = utcnow()
    try:
        # departments
        for row in proc_rows:
            dept = departments.get(row.department_code)
            if dept is None:
                dept = Department(code=row.department_code, name_ja=row.department_name)
                db.session.add(dept)
                departments[dept.code] = dept
                counts["departments_created"] += 1
            elif row.department_name and dept.name_ja != row.department_name:
                dept.name_ja = row.department_name
                counts["departments_updated"] += 1
        db.session.flush()
        # procedures
        for row in proc_rows:
            values = {
                "name_ja": row.name_ja,
                "name_en": row.name_en,
                "department_id": departments[row.department_code].id,
                "priority": row.priority,
                "procedure_type": row.procedure_type,
                "legal_basis": row.legal_basis,
                "form": row.form,
                "exclusion_reason": row.exclusion_reason,
                "features": row.features,
            }
            proc = procedures.get(row.code)
            if proc is None:
                proc = Procedure(code=row.code, **values)
                db.session.add(proc)
                procedures[row.code] = proc
                counts["procedures_created"] += 1
            elif any(getattr(proc, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(proc, k, v)
                counts["procedures_updated"] += 1
            else:
                counts["procedures_unchanged"] += 1
        db.session.flush()
        ids = {code: p.id for code, p in procedures.items()}

        # volumes: append where the value differs from the current one
        current = {(pid, fy): (r, o) for pid, fy, r, o in db.session.execute(current_volume_rows())}
        new_volumes = []
        for v in vol_rows:
            key = (ids[v.code], v.fiscal_year)
            if current.get(key) == (v.receipts, v.online_receipts):
                counts["volumes_unchanged"] += 1
                continue
            new_volumes.append(
                {
                    "procedure_id": key[0],
                    "fiscal_year": v.fiscal_year,
                    "receipts": v.receipts,
                    "online_receipts": v.online_receipts,
                    "recorded_at": now,
                    "recorded_by": recorded_by,
                }
            )
        if new_volumes:
            db.session.execute(insert(VolumeRecord), new_volumes)
        counts["volumes_added"] += len(new_volumes)

        # status rows: append those not recorded yet (as a multiset, so re-import is a no-op)
        existing = Counter(
            tuple(r)
            for r in db.session.execute(
                select(
                    StatusChange.procedure_id,
                    StatusChange.status,
                    StatusChange.effective_date,
                    StatusChange.note,
                )
            )
        )
        new_status = []
        for s in status_rows:
            key = (ids[s.code], s.status, s.effective_date, s.note)
            if existing[key] > 0:
                existing[key] -= 1
                counts["statuses_unchanged"] += 1
                continue
            new_status.append(
                {
                    "procedure_id": key[0],
                    "status": s.status,
                    "effective_date": s.effective_date,
                    "note": s.note,
                    "recorded_at": now,
                    "recorded_by": recorded_by,
                }
            )
        if new_status:
            db.session.execute(insert(StatusChange), new_status)
        counts["statuses_added"] += len(new_status)

        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return report


def export_catalogue(directory: Path) -> dict[str, int]:
    """Write procedures.csv, volumes.csv and status_history.csv (current values, sorted)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    procs = db.session.execute(
        select(Procedure, Department).join(Department).order_by(Procedure.code)
    ).all()
    code_of = {p.id: p.code for p, _ in procs}
    cf.write_csv(
        directory / cf.PROCEDURES,
        cf.PROCEDURE_COLUMNS,
        [
            (
                p.code,
                p.name_ja,
                p.name_en,
                d.code,
                d.name_ja,
                "1" if p.priority else "0",
                p.procedure_type,
                p.legal_basis,
                p.form,
                p.exclusion_reason,
                p.features,
            )
            for p, d in procs
        ],
    )
    volumes = sorted(
        (code_of[pid], fy, r, o) for pid, fy, r, o in db.session.execute(current_volume_rows())
    )
    cf.write_csv(directory / cf.VOLUMES, cf.VOLUME_COLUMNS, volumes)
    statuses = sorted(
        (
            (code_of[pid], day, sid, status, note)
            for sid, pid, status, day, note in db.session.execute(
                select(
                    StatusChange.id,
                    StatusChange.procedure_id,
                    StatusChange.status,
                    StatusChange.effective_date,
                    StatusChange.note,
                )
            )
        ),
        key=lambda r: (r[0], r[1], r[2]),
    )
    cf.write_csv(
        directory / cf.STATUS_HISTORY,
        cf.STATUS_COLUMNS,
        [(code, status, day.isoformat(), note) for code, day, _, status, note in statuses],
    )
    return {"procedures": len(procs), "volumes": len(volumes), "statuses": len(statuses)}


class CatalogueError(ValueError):
    """A change that cannot be recorded; the message says why, in Japanese and English."""


def record_status(
    procedure: Procedure,
    status: str,
    effective: date,
    *,
    note: str | None = None,
    by: str | None = None,
) -> StatusChange:
    """Append a status row (a correction is a new row too)."""
    if status not in STATUSES:
        raise CatalogueError(f"不明な状態です: {status} / unknown status: {status}")
    if status == "excluded" and not (note or procedure.exclusion_reason):
        raise CatalogueError("対象外には理由が必要です / excluded needs a reason")
    row = StatusChange(
        procedure_id=procedure.id,
        status=status,
        effective_date=effective,
        note=note or None,
        recorded_by=by,
    )
    db.session.add(row)
    db.session.flush()
    return row


def record_volume(
    procedure: Procedure,
    fiscal_year: int,
    receipts: int,
    online_receipts: int | None = None,
    *,
    by: str | None = None,
) -> VolumeRecord:
    """Append a yearly volume; it becomes the current value for that fiscal year."""
    if receipts < 0 or (online_receipts is not None and online_receipts < 0):
        raise CatalogueError("件数は0以上で入力してください / counts must be ≥ 0")
    row = VolumeRecord(
        procedure_id=procedure.id,
        fiscal_year=fiscal_year,
        receipts=receipts,
        online_receipts=online_receipts,
        recorded_by=by,
    )
    db.session.add(row)
    db.session.flush()
    return row
