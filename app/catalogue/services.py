"""The only place that changes the catalogue: import, export, record status and volumes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import func, insert, select

from app.clock import today, utcnow
from app.extensions import db

from . import csvfiles as cf
from . import excel, rules
from .models import Department, Procedure, StatusChange, VolumeRecord


@dataclass
class ImportReport:
    problems: list[cf.Problem] = field(default_factory=list)
    warnings: list[cf.Problem] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    # what the import changes (or, with dry_run, would change), field by field:
    # `file:line: 日本語 / English`, in the order of the files
    changes: list[str] = field(default_factory=list)
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
        VolumeRecord.note,
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
    day = today()

    table = cf.read_table(
        directory / cf.PROCEDURES,
        label(cf.PROCEDURES),
        report.problems,
        report.warnings,
        cf.PROCEDURE_COLUMNS,
        cf.PROCEDURE_REQUIRED,
    )
    proc_rows = cf.check_procedures(table, set(departments), report.problems, day) if table else []
    # the validity columns are optional: a file without them leaves the recorded dates alone
    validity_given = table is not None and "valid_from" in table.header
    until_given = table is not None and "valid_until" in table.header
    if procedures:
        report.warnings.extend(
            cf.Problem(
                label(cf.PROCEDURES),
                row.line,
                f"新しい手続 {row.code} に valid_from がないため、過去のすべての年度の数字に入ります"
                f" / new procedure {row.code} has no valid_from: it will count in every past fiscal year",
            )
            for row in proc_rows
            if row.code not in procedures and row.valid_from is None
        )
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
            code_of = {p.id: code for code, p in procedures.items()}
            recorded: dict[str, dict[int, tuple[int, int | None]]] = {}
            for pid, fy, r, o, _ in db.session.execute(current_volume_rows()):
                recorded.setdefault(code_of[pid], {})[fy] = (r, o)
            vol_rows = cf.check_volumes(t, known_codes, recorded, report.problems)
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
            status_rows = cf.check_statuses(t, known_codes, reasons, report.problems, day)
            tick(len(t.rows))
    report.problems += _question_marks(
        directory, proc_rows, vol_rows, status_rows, procedures, departments
    )
    if report.problems:
        return report

    counts = report.counts
    now = utcnow()
    try:
        # departments
        for row in proc_rows:
            dept = departments.get(row.department_code)
            where = f"{label(cf.PROCEDURES)}:{row.line}"
            if dept is None:
                dept = Department(
                    code=row.department_code,
                    name_ja=row.department_name,
                    name_en=row.department_name_en,
                )
                db.session.add(dept)
                departments[dept.code] = dept
                counts["departments_created"] += 1
                report.changes.append(
                    f"{where}: 部局 {dept.code} を追加 / new department {dept.code}: {_shown(dept.name_ja)}"
                )
                continue
            renamed = bool(row.department_name) and dept.name_ja != row.department_name
            renamed_en = bool(row.department_name_en) and dept.name_en != row.department_name_en
            if renamed:
                report.changes.append(
                    f"{where}: 部局 {dept.code} department_name: {_shown(dept.name_ja)} → {_shown(row.department_name)}"
                )
            if renamed_en:
                report.changes.append(
                    f"{where}: 部局 {dept.code} department_name_en: {_shown(dept.name_en)} → {_shown(row.department_name_en)}"
                )
            if renamed:
                dept.name_ja = row.department_name
            if renamed_en:
                dept.name_en = row.department_name_en
            if renamed or renamed_en:
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
            if validity_given:
                values["valid_from"] = row.valid_from
            if until_given:
                values["valid_until"] = row.valid_until
            values.update(row.guide)
            proc = procedures.get(row.code)
            where = f"{label(cf.PROCEDURES)}:{row.line}: {row.code}"
            if proc is None:
                proc = Procedure(code=row.code, **values)
                db.session.add(proc)
                procedures[row.code] = proc
                counts["procedures_created"] += 1
                report.changes.append(f"{where}: 新しい手続 / new procedure: {_shown(row.name_ja)}")
            elif any(getattr(proc, k) != v for k, v in values.items()):
                for k, v in values.items():
                    before = getattr(proc, k)
                    if before != v:
                        shown_k = "department_code" if k == "department_id" else k
                        old = proc.department.code if k == "department_id" else before
                        new = row.department_code if k == "department_id" else v
                        report.changes.append(f"{where} {shown_k}: {_shown(old)} → {_shown(new)}")
                    setattr(proc, k, v)
                counts["procedures_updated"] += 1
            else:
                counts["procedures_unchanged"] += 1
        db.session.flush()
        ids = {code: p.id for code, p in procedures.items()}

        # volumes: append where the value differs from the current one
        current = {
            (pid, fy): (r, o) for pid, fy, r, o, _ in db.session.execute(current_volume_rows())
        }
        new_volumes = []
        for v in vol_rows:
            key = (ids[v.code], v.fiscal_year)
            if current.get(key) == (v.receipts, v.online_receipts):
                counts["volumes_unchanged"] += 1
                continue
            before = current.get(key, (None, None))
            report.changes.append(
                f"{label(cf.VOLUMES)}:{v.line}: {v.code} {v.fiscal_year}年度 / FY{v.fiscal_year}: "
                + ", ".join(
                    f"{name}: {_shown(old)} → {_shown(new)}"
                    for name, old, new in (
                        ("receipts", before[0], v.receipts),
                        ("online_receipts", before[1], v.online_receipts),
                    )
                    if old != new
                )
            )
            new_volumes.append(
                {
                    "procedure_id": key[0],
                    "fiscal_year": v.fiscal_year,
                    "receipts": v.receipts,
                    "online_receipts": v.online_receipts,
                    "note": v.note,
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
            report.changes.append(
                f"{label(cf.STATUS_HISTORY)}:{s.line}: {s.code}: 状態を追加 / new status:"
                f" {s.status} {s.effective_date.isoformat()}"
                + (f" ({_shown(s.note)})" if s.note else "")
            )
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


def _shown(value) -> str:
    """A value in the list of changes: texts quoted, nothing as （空）/(empty)."""
    if value is None or value == "":
        return "（空） / (empty)"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _question_marks(
    directory: Path,
    proc_rows: list[cf.ProcedureRow],
    vol_rows: list[cf.VolumeRow],
    status_rows: list[cf.StatusRow],
    procedures: dict[str, Procedure],
    departments: dict[str, Department],
) -> list[cf.Problem]:
    """Every text of the files where a "?" stands for a character of the recorded text
    that Shift_JIS cannot hold (a resave from Excel as CP932): refused, nothing lost."""
    out: list[cf.Problem] = []

    def check(label: str, line: int, column: str, new, stored) -> None:
        lost = excel.lost_characters(new, stored)
        if lost:
            out.append(excel.refusal(label, line, column, stored, lost))

    where = str(directory / cf.PROCEDURES)
    for row in proc_rows:
        proc = procedures.get(row.code)
        if proc is not None:
            for column in (
                "name_ja",
                "name_en",
                "procedure_type",
                "legal_basis",
                "exclusion_reason",
            ):
                check(where, row.line, column, getattr(row, column), getattr(proc, column))
        dept = departments.get(row.department_code)
        if dept is not None:
            check(where, row.line, "department_name", row.department_name, dept.name_ja)
            check(where, row.line, "department_name_en", row.department_name_en, dept.name_en)
    marked = [v for v in vol_rows if v.note and "?" in v.note]
    if marked:
        notes = {
            (pid, fy): note for pid, fy, _r, _o, note in db.session.execute(current_volume_rows())
        }
        for v in marked:
            proc = procedures.get(v.code)
            if proc is not None:
                stored = notes.get((proc.id, v.fiscal_year))
                check(str(directory / cf.VOLUMES), v.line, "note", v.note, stored)
    marked_status = [s for s in status_rows if s.note and "?" in s.note]
    if marked_status:
        notes_by: dict[tuple, list[str]] = {}
        for pid, status, day, note in db.session.execute(
            select(
                StatusChange.procedure_id,
                StatusChange.status,
                StatusChange.effective_date,
                StatusChange.note,
            ).where(StatusChange.note.is_not(None))
        ):
            notes_by.setdefault((pid, status, day), []).append(note)
        for s in marked_status:
            proc = procedures.get(s.code)
            stored_notes = notes_by.get((proc.id, s.status, s.effective_date), []) if proc else []
            if s.note in stored_notes:
                continue  # recorded with its "?" already
            for stored in stored_notes:
                if excel.lost_characters(s.note, stored):
                    check(str(directory / cf.STATUS_HISTORY), s.line, "note", s.note, stored)
                    break
    return out


def export_catalogue(directory: Path, department: str | None = None) -> dict[str, int]:
    """Write procedures.csv, volumes.csv and status_history.csv (current values, sorted);
    only one department's when `department` (its code) is given."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    tables = export_tables(department)
    for name, (columns, rows) in tables.items():
        cf.write_csv(directory / name, columns, rows)
    return {
        "procedures": len(tables[cf.PROCEDURES][1]),
        "volumes": len(tables[cf.VOLUMES][1]),
        "statuses": len(tables[cf.STATUS_HISTORY][1]),
    }


def export_tables(department: str | None = None) -> dict[str, tuple[tuple[str, ...], list[tuple]]]:
    """The three files' columns and rows, as export writes them (file name → table)."""
    stmt = select(Procedure, Department).join(Department).order_by(Procedure.code)
    if department is not None:
        stmt = stmt.where(Department.code == department)
    procs = db.session.execute(stmt).all()
    code_of = {p.id: p.code for p, _ in procs}
    procedure_rows = [
        (
            p.code,
            p.name_ja,
            p.name_en,
            d.code,
            d.name_ja,
            d.name_en,
            "1" if p.priority else "0",
            p.procedure_type,
            p.legal_basis,
            p.form,
            p.exclusion_reason,
            p.features,
            p.valid_from.isoformat() if p.valid_from else None,
            p.valid_until.isoformat() if p.valid_until else None,
            *(getattr(p, c) for c in rules.GUIDE_COLUMNS),
        )
        for p, d in procs
    ]
    volumes = sorted(
        (code_of[pid], fy, r, o, note)
        for pid, fy, r, o, note in db.session.execute(current_volume_rows())
        if pid in code_of
    )
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
            if pid in code_of
        ),
        key=lambda r: (r[0], r[1], r[2]),
    )
    return {
        cf.PROCEDURES: (cf.PROCEDURE_COLUMNS, procedure_rows),
        cf.VOLUMES: (cf.VOLUME_COLUMNS, volumes),
        cf.STATUS_HISTORY: (
            cf.STATUS_COLUMNS,
            [(code, status, day.isoformat(), note) for code, day, _, status, note in statuses],
        ),
    }


class CatalogueError(ValueError):
    """A change that cannot be recorded: the problems of rules.py, each at its field."""

    def __init__(self, problems: list[rules.Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems

    def by_field(self) -> dict[str, list[str]]:
        """Field → messages (日本語 / English), as the API answers them."""
        out: dict[str, list[str]] = {}
        for p in self.problems:
            out.setdefault(p.field, []).append(str(p))
        return out


def record_status(
    procedure: Procedure,
    status: str,
    effective: date | rules.Unreadable | None,
    *,
    note: str | None = None,
    by: str | None = None,
) -> StatusChange:
    """Append a status row (a correction is a new row too) if rules.check_status allows it."""
    note = rules.read_note(note)
    problems = rules.check_status(
        status, effective, note, exclusion_reason=procedure.exclusion_reason, today=today()
    )
    if problems:
        raise CatalogueError(problems)
    assert isinstance(effective, date)
    row = StatusChange(
        procedure_id=procedure.id,
        status=status,
        effective_date=effective,
        note=note,
        recorded_by=by,
    )
    db.session.add(row)
    db.session.flush()
    return row


def recorded_volumes(procedure: Procedure) -> dict[int, int]:
    """Fiscal year → current receipts of one procedure (the latest row of each year)."""
    out: dict[int, int] = {}
    for fy, receipts in db.session.execute(
        select(VolumeRecord.fiscal_year, VolumeRecord.receipts)
        .where(VolumeRecord.procedure_id == procedure.id)
        .order_by(VolumeRecord.id)
    ):
        out[fy] = receipts
    return out


def record_volume(
    procedure: Procedure,
    fiscal_year: int | rules.Unreadable | None,
    receipts: int | rules.Unreadable | None,
    online_receipts: int | rules.Unreadable | None = None,
    *,
    note: str | None = None,
    confirmed: bool = False,
    by: str | None = None,
) -> VolumeRecord:
    """Append a yearly volume if rules.check_volume allows it (a jump against the nearest
    other recorded year needs `confirmed` and a note); it becomes that year's current value."""
    note = rules.read_note(note)
    problems = rules.check_volume(
        fiscal_year,
        receipts,
        online_receipts,
        note,
        confirmed=confirmed,
        other_years=recorded_volumes(procedure),
    )
    if problems:
        raise CatalogueError(problems)
    row = VolumeRecord(
        procedure_id=procedure.id,
        fiscal_year=fiscal_year,
        receipts=receipts,
        online_receipts=online_receipts,
        note=note,
        recorded_by=by,
    )
    db.session.add(row)
    db.session.flush()
    return row


def set_guide(procedure: Procedure, raw: Mapping[str, str | None]) -> dict[str, list]:
    """Change the guide a resident reads (only the columns given; empty: not known), by
    the same rule as the CSV files (rules.read_guide) → {column: [before, after]} of what
    changed."""
    values, problems = rules.read_guide(raw)
    if problems:
        raise CatalogueError(problems)
    changed = {}
    for key, value in values.items():
        before = getattr(procedure, key)
        if before != value:
            changed[key] = [before, value]
            setattr(procedure, key, value)
    db.session.flush()
    return changed


def set_validity(
    procedure: Procedure,
    valid_from: date | rules.Unreadable | None,
    valid_until: date | rules.Unreadable | None,
) -> tuple[date | None, date | None]:
    """Set the days a procedure is valid (empty: no bound) → the dates it had before."""
    problems = rules.check_validity(valid_from, valid_until, today=today())
    if problems:
        raise CatalogueError(problems)
    assert not isinstance(valid_from, rules.Unreadable)
    assert not isinstance(valid_until, rules.Unreadable)
    before = (procedure.valid_from, procedure.valid_until)
    procedure.valid_from, procedure.valid_until = valid_from, valid_until
    db.session.flush()
    return before
