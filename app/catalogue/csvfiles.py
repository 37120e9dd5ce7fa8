"""Reading and checking the catalogue CSV files of shared spec interfaces.md.

Pure parsing: bytes in, typed rows and problems out. Every problem is reported as
`file:line: message`, in Japanese then English, so staff can fix the spreadsheet.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from app import csvfile
from app.formengine.normalise import UNUSABLE

from . import rules
from .features import FEATURES, parse_features

BOM = b"\xef\xbb\xbf"

PROCEDURES = "procedures.csv"
VOLUMES = "volumes.csv"
STATUS_HISTORY = "status_history.csv"

PROCEDURE_COLUMNS = (
    "code",
    "name_ja",
    "name_en",
    "department_code",
    "department_name",
    "department_name_en",
    "priority",
    "procedure_type",
    "legal_basis",
    "form",
    "exclusion_reason",
    "features",
    "valid_from",
    "valid_until",
    # the guide (optional: a file without them leaves what is recorded alone)
    *rules.GUIDE_COLUMNS,
)
PROCEDURE_REQUIRED = ("code", "name_ja", "department_code", "priority")
VOLUME_COLUMNS = ("code", "fiscal_year", "receipts", "online_receipts", "note")
VOLUME_REQUIRED = ("code", "fiscal_year", "receipts")
STATUS_COLUMNS = ("code", "status", "effective_date", "note")
STATUS_REQUIRED = ("code", "status", "effective_date")

_TRUE = {"1", "true", "yes", "○", "〇", "◯"}
_FALSE = {"0", "false", "no", ""}
_FORM_ID = re.compile(r"^[a-z0-9-]+$")
LIMITS = {
    "code": 32,
    "name_ja": 300,
    "name_en": 300,
    "department_code": 32,
    "department_name": 200,
    "department_name_en": 200,
    "procedure_type": 50,
    "legal_basis": 500,
    "form": 100,
}


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass(frozen=True, slots=True)
class ProcedureRow:
    line: int
    code: str
    name_ja: str
    name_en: str | None
    department_code: str
    department_name: str | None
    priority: bool
    procedure_type: str | None
    legal_basis: str | None
    form: str | None
    exclusion_reason: str | None
    features: str | None
    valid_from: date | None = None
    valid_until: date | None = None
    department_name_en: str | None = None
    # the guide columns the file has, read by rules.read_guide
    guide: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class VolumeRow:
    line: int
    code: str
    fiscal_year: int
    receipts: int
    online_receipts: int | None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class StatusRow:
    line: int
    code: str
    status: str
    effective_date: date
    note: str | None


@dataclass
class Table:
    """One CSV file as read: its rows with their starting line numbers."""

    name: str
    header: list[str] = field(default_factory=list)
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def decode(data: bytes) -> tuple[str | None, str]:
    """UTF-8 (with or without BOM) or CP932 as Excel saves it → (text, encoding)."""
    if data.startswith(BOM):
        try:
            return data[len(BOM) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            return None, "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932"), "cp932"
    except UnicodeDecodeError:
        return None, "unknown"


def read_table(
    path: Path,
    label: str,
    problems: list[Problem],
    warnings: list[Problem],
    columns: tuple[str, ...],
    required: tuple[str, ...],
) -> Table | None:
    text, _encoding = decode(path.read_bytes())
    if text is None:
        problems.append(
            Problem(
                label,
                1,
                "文字コードを判別できません（UTF-8 または Shift_JIS/CP932 で保存してください） / cannot decode the file: save it as UTF-8 or Shift_JIS/CP932",
            )
        )
        return None
    table = Table(label)
    # A field may be as long as the file, which is in memory already: the rules, not the
    # reader, say how long a value may be (and say it in words staff can act on).
    if len(text) > csv.field_size_limit():
        csv.field_size_limit(len(text))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        problems.append(Problem(label, 1, f"CSV として読めません / not valid CSV: {exc}"))
        return None
    if header is None:
        problems.append(
            Problem(
                label,
                1,
                "ファイルが空です（1行目に見出しが必要です） / the file is empty: the first row must be the header",
            )
        )
        return None
    table.header = [h.strip() for h in header]
    missing = [c for c in required if c not in table.header]
    if missing:
        problems.append(
            Problem(
                label,
                1,
                f"必須の列がありません: {', '.join(missing)} / required columns missing: {', '.join(missing)}",
            )
        )
        return None
    unknown = [h for h in table.header if h not in columns]
    if unknown:
        warnings.append(
            Problem(
                label,
                1,
                f"不明な列は無視します: {', '.join(unknown)} / unknown columns ignored: {', '.join(unknown)}",
            )
        )
    seen_header = set()
    for h in table.header:
        if h in seen_header and h in columns:
            problems.append(Problem(label, 1, f"列 {h} が2回あります / column {h} appears twice"))
            return None
        seen_header.add(h)
    line = reader.line_num + 1
    try:
        for values in reader:
            start = line
            line = reader.line_num + 1
            if not any(v.strip() for v in values):
                continue  # blank line, as spreadsheets leave at the end
            if len(values) > len(table.header):
                problems.append(
                    Problem(
                        label,
                        start,
                        f"列が多すぎます（見出しは{len(table.header)}列、この行は{len(values)}列） / too many values: {len(values)} for {len(table.header)} columns",
                    )
                )
                continue
            row = {
                h: (_value(values[i]) if i < len(values) else "")
                for i, h in enumerate(table.header)
            }
            for h in columns:  # the row is still checked below: all problems at once
                found = UNUSABLE.search(row.get(h, ""))
                if found:
                    code = f"U+{ord(found.group()):04X}"
                    problems.append(
                        Problem(
                            label,
                            start,
                            f"{h} に使えない文字（{code}）が含まれています / {h} contains a character that cannot be stored ({code})",
                        )
                    )
            table.rows.append((start, row))
    except csv.Error as exc:
        problems.append(Problem(label, line, f"CSV として読めません / not valid CSV: {exc}"))
        return None
    return table


def _value(raw: str) -> str:
    """A cell as written: our writer's mark taken off (the rest kept exactly), else stripped.

    Stripping a marked cell would lose what the mark protects (a note that begins with a
    tab); any other cell loses the spaces a spreadsheet may leave around it.
    """
    return csvfile.restore(raw) if csvfile.is_marked(raw) else raw.strip()


def _optional(row: dict[str, str], key: str) -> str | None:
    value = row.get(key, "")
    return value or None


def parse_priority(text: str) -> bool | None:
    t = text.strip().lower()
    if t in _TRUE:
        return True
    if t in _FALSE:
        return False
    return None


def check_procedures(
    table: Table, known_departments: set[str], problems: list[Problem], today: date
) -> list[ProcedureRow]:
    out: list[ProcedureRow] = []
    first_line: dict[str, int] = {}
    dept_names: dict[str, tuple[str, int]] = {}
    dept_names_en: dict[str, tuple[str, int]] = {}
    for line, row in table.rows:
        errs: list[str] = []
        code = row.get("code", "")
        name = row.get("name_ja", "")
        dept = row.get("department_code", "")
        dept_name = _optional(row, "department_name")
        dept_name_en = _optional(row, "department_name_en")
        if not code:
            errs.append("code が空です / code is empty")
        elif code in first_line:
            errs.append(
                f"code {code} は {first_line[code]} 行目と重複しています / duplicate code {code} (first on line {first_line[code]})"
            )
        if not name:
            errs.append("name_ja が空です / name_ja is empty")
        if not dept:
            errs.append("department_code が空です / department_code is empty")
        elif dept_name:
            if dept in dept_names and dept_names[dept][0] != dept_name:
                other, other_line = dept_names[dept]
                errs.append(
                    f"部局 {dept} の名称が {other_line} 行目（{other}）と異なります / department {dept} is named differently on line {other_line} ({other})"
                )
            dept_names.setdefault(dept, (dept_name, line))
        elif dept not in known_departments and dept not in dept_names:
            errs.append(
                f"部局 {dept} は初出のため department_name が必要です / department {dept} is new: department_name is required"
            )
        if dept and dept_name_en:
            if dept in dept_names_en and dept_names_en[dept][0] != dept_name_en:
                other, other_line = dept_names_en[dept]
                errs.append(
                    f"部局 {dept} の英語名が {other_line} 行目（{other}）と異なります / department {dept} has another English name on line {other_line} ({other})"
                )
            dept_names_en.setdefault(dept, (dept_name_en, line))
        priority = parse_priority(row.get("priority", ""))
        if priority is None:
            errs.append(
                f"priority の値 '{row.get('priority')}' が読めません（1/0、true/false、yes/no、○/空欄） / priority '{row.get('priority')}' is not 1/0, true/false, yes/no, ○ or empty"
            )
        form = _optional(row, "form")
        if form and not _FORM_ID.match(form):
            errs.append(
                f"form '{form}' は半角英小文字・数字・ハイフンのみです / form id '{form}' may only hold a-z, 0-9 and -"
            )
        features, unknown = parse_features(row.get("features"))
        if unknown:
            errs.append(
                f"features に不明な値があります: {', '.join(unknown)}（使える値: {', '.join(FEATURES)}） / unknown features: {', '.join(unknown)}"
            )
        for key, limit in LIMITS.items():
            if len(row.get(key, "")) > limit:
                errs.append(
                    f"{key} が長すぎます（{limit}文字まで） / {key} is longer than {limit} characters"
                )
        for key in PROCEDURE_COLUMNS:
            found = UNUSABLE.search(row.get(key, ""))
            if found:
                errs.append(
                    f"{key} に使えない文字（U+{ord(found.group()):04X}）があります"
                    f" / {key} holds a character that cannot be used (U+{ord(found.group()):04X})"
                )
        valid_from = rules.read_day(row.get("valid_from"))
        valid_until = rules.read_day(row.get("valid_until"))
        errs.extend(str(p) for p in rules.check_validity(valid_from, valid_until, today=today))
        guide, guide_problems = rules.read_guide(
            {k: row.get(k, "") for k in rules.GUIDE_COLUMNS if k in table.header}
        )
        errs.extend(str(p) for p in guide_problems)
        problems.extend(Problem(table.name, line, e) for e in errs)
        if code and code not in first_line:
            first_line[code] = line
        if errs:
            continue
        out.append(
            ProcedureRow(
                line,
                code,
                name,
                _optional(row, "name_en"),
                dept,
                dept_name,
                bool(priority),
                _optional(row, "procedure_type"),
                _optional(row, "legal_basis"),
                form,
                _optional(row, "exclusion_reason"),
                ";".join(features) or None,
                valid_from if isinstance(valid_from, date) else None,  # else refused above
                valid_until if isinstance(valid_until, date) else None,
                dept_name_en,
                guide,
            )
        )
    return out


def _reference_errors(code: str, known_codes: set[str]) -> list[str]:
    """A volume or status row must name a procedure of the file or of the database."""
    if not code:
        return ["code が空です / code is empty"]
    if code not in known_codes:
        return [
            f"手続 {code} が procedures.csv にもデータベースにもありません / unknown procedure {code}"
        ]
    return []


def check_volumes(
    table: Table,
    known_codes: set[str],
    recorded: Mapping[str, Mapping[int, tuple[int, int | None]]],
    problems: list[Problem],
) -> list[VolumeRow]:
    """Each row through rules.check_volume. `recorded`: code → FY → (receipts, online) as
    the database holds them now; a row that changes a year (or adds one) is checked for a
    jump against the nearest other year of the database and the file together, and a
    non-empty `note` confirms it."""
    parsed = []
    seen: dict[tuple[str, int], int] = {}
    for line, row in table.rows:
        errs = _reference_errors(row.get("code", ""), known_codes)
        fy = rules.read_fiscal_year(row.get("fiscal_year"))
        receipts = rules.read_count(row.get("receipts"))
        online = rules.read_count(row.get("online_receipts"))
        note = rules.read_note(row.get("note"))
        parsed.append((line, row.get("code", ""), fy, receipts, online, note, errs))
    years: dict[str, dict[int, int]] = {
        code: {fy: r for fy, (r, _) in by_year.items()} for code, by_year in recorded.items()
    }
    for _, code, fy, receipts, _, _, errs in parsed:
        if not errs and isinstance(fy, int) and isinstance(receipts, int):
            years.setdefault(code, {})[fy] = receipts
    out: list[VolumeRow] = []
    nothing: dict[int, int] = {}
    for line, code, fy, receipts, online, note, errs in parsed:
        before = recorded.get(code)
        unchanged = before is not None and before.get(fy) == (receipts, online)
        others = nothing if unchanged else years.get(code, nothing)
        errs.extend(
            map(
                str,
                rules.check_volume(
                    fy, receipts, online, note, confirmed=bool(note), other_years=others
                ),
            )
        )
        if code and isinstance(fy, int):
            if (code, fy) in seen:
                errs.append(
                    f"{code} の {fy} 年度は {seen[(code, fy)]} 行目と重複しています / {code} FY{fy} duplicates line {seen[(code, fy)]}"
                )
            else:
                seen[(code, fy)] = line
        problems.extend(Problem(table.name, line, e) for e in errs)
        if errs:
            continue
        assert isinstance(fy, int) and isinstance(receipts, int)
        assert online is None or isinstance(online, int)
        out.append(VolumeRow(line, code, fy, receipts, online, note))
    return out


def check_statuses(
    table: Table,
    known_codes: set[str],
    reasons: dict[str, str | None],
    problems: list[Problem],
    today: date,
) -> list[StatusRow]:
    """Each row through rules.check_status; `reasons`: code → exclusion_reason."""
    out: list[StatusRow] = []
    for line, row in table.rows:
        code = row.get("code", "")
        errs = _reference_errors(code, known_codes)
        status = row.get("status", "")
        day = rules.read_day(row.get("effective_date"))
        note = rules.read_note(row.get("note"))
        errs.extend(
            str(p)
            for p in rules.check_status(
                status, day, note, exclusion_reason=reasons.get(code), today=today
            )
        )
        problems.extend(Problem(table.name, line, e) for e in errs)
        if errs:
            continue
        assert isinstance(day, date)
        out.append(StatusRow(line, code, status, day, note))
    return out


def write_csv(path: Path, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """UTF-8 with BOM (as Excel expects), `\\n` line ends; cells as `app.csvfile` writes them."""
    csvfile.write(path, [columns, *rows], newline="\n")
