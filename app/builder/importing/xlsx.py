"""Excel 様式 (.xlsx, read with openpyxl): labels beside empty bordered cells (merged
cells included), rows of label and blank, `□男　□女` and `年　月　日` blanks, data
validation lists as choices, headings (a section named in a tall merged cell on the
left, or a wide line of its own), the attachments list, the declaration. Sheets named
記入例 (and 見本, 記載例) and hidden sheets are left out. No Flask, no database."""

from __future__ import annotations

import io
import re
import warnings
import zipfile

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

from .checks import MAX_CELLS, MAX_SHEETS, Refused
from .found import Extracted, Found
from .layout import heading, kind_of_line
from .meaning import clean, shape_of_text, split_label

EXAMPLE_SHEET = re.compile(r"記入例|記載例|見本|例$|sample|example", re.IGNORECASE)
MAX_SHEET_XML = 20 * 1024 * 1024  # bytes of the sheets' XML read at all
_UNITS = re.compile(r"^(円|人|歳|件|台|頭|㎡|m2|平方メートル|か月|ヶ月|日|年|時間|kg|t)$")
_SEAL = re.compile(r"^[\s\u3000]*(印|㊞|\(印\)|（印）)[\s\u3000]*$")


def extract(raw: bytes) -> Extracted:
    _budget(raw)
    with warnings.catch_warnings():  # openpyxl warns of extensions it does not read
        warnings.simplefilter("ignore")
        try:
            wb = load_workbook(io.BytesIO(raw), data_only=True)
        except Exception as exc:  # noqa: BLE001 - any reader error is a file we cannot read
            raise Refused("unreadable") from exc
    if len(wb.worksheets) > MAX_SHEETS:
        raise Refused("too_many_sheets", sheets=MAX_SHEETS)
    out = Extracted("xlsx")
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        if EXAMPLE_SHEET.search(ws.title):
            out.ignored.append(ws.title)
            continue
        _sheet(wb, ws, out)
    if out.ignored:
        out.notes.append(
            "記入例のシート（{0}）は取り込んでいません。 / The example sheets ({0}) were left out.".format(
                "、".join(out.ignored)
            )
        )
    return out


def _budget(raw: bytes) -> None:
    """Refuse sheets too large to read before openpyxl reads them (the sizes as declared
    are what the upload rule has already held each member to)."""
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        size = sum(
            i.file_size for i in archive.infolist() if i.filename.startswith("xl/worksheets/")
        )
    if size > MAX_SHEET_XML:
        raise Refused("too_large", mb=MAX_SHEET_XML // 1024 // 1024)


def _text(value) -> str:
    if value is None:
        return ""
    return str(value).replace("\r", "").strip()


def _bordered(cell) -> bool:
    b = cell.border
    return any(getattr(b, side).style for side in ("left", "right", "top", "bottom"))


def _list_options(wb, ws, formula: str) -> list[str]:
    f = (formula or "").strip()
    if f.startswith('"') and f.endswith('"'):
        return [x.strip() for x in f[1:-1].split(",") if x.strip()]
    target, ref = ws, f.lstrip("=")
    if "!" in ref:
        name, ref = ref.rsplit("!", 1)
        name = name.strip("'")
        if name not in wb.sheetnames:
            return []
        target = wb[name]
    elif ref in wb.defined_names:
        dests = list(wb.defined_names[ref].destinations)
        if not dests or dests[0][0] not in wb.sheetnames:
            return []
        target, ref = wb[dests[0][0]], dests[0][1]
    try:
        min_col, min_row, max_col, max_row = range_boundaries(ref.replace("$", ""))
    except (ValueError, TypeError):
        return []
    if (max_row - min_row + 1) * (max_col - min_col + 1) > 200:
        return []
    values = []
    for row in target.iter_rows(min_row, max_row, min_col, max_col, values_only=True):
        values += [_text(v) for v in row if _text(v)]
    return values


NOTE_TABLE = (
    "繰り返しの行の表（{where}）は取り込んでいません。「繰り返す質問のまとまり」を手で加えてください。"
    " / The table of repeated rows ({where}) was left out: add a repeating group by hand."
)


def _repeated_rows(ws, r: int, headings: list, covered: dict) -> bool:
    """A row of column headings over a row of empty bordered cells: a table of repeated
    rows (household members and the like), which is not one question per heading."""
    below = [ws.cell(r + 1, cell.column) for _text, cell, _w in headings]
    return all(
        (cell.row, cell.column) not in covered and not _text(cell.value) and _bordered(cell)
        for cell in below
    )


def _sheet(wb, ws, out: Extracted) -> None:
    rows, cols = ws.max_row, ws.max_column
    if rows * cols > MAX_CELLS:
        raise Refused("too_big_sheet", sheet=ws.title[:31], cells=f"{MAX_CELLS:,}")
    covered: dict[tuple[int, int], tuple[int, int]] = {}
    span: dict[tuple[int, int], tuple[int, int]] = {}  # top-left → (rows, columns)
    for mr in ws.merged_cells.ranges:
        span[(mr.min_row, mr.min_col)] = (mr.max_row - mr.min_row + 1, mr.max_col - mr.min_col + 1)
        for r in range(mr.min_row, mr.max_row + 1):
            for c in range(mr.min_col, mr.max_col + 1):
                if (r, c) != (mr.min_row, mr.min_col):
                    covered[(r, c)] = (mr.min_row, mr.min_col)
    choices: dict[tuple[int, int], list[str]] = {}
    for dv in ws.data_validations.dataValidation:
        if dv.type != "list":
            continue
        options = _list_options(wb, ws, dv.formula1)
        for rng in dv.sqref.ranges:
            for r in range(rng.min_row, min(rng.max_row, rows) + 1):
                for c in range(rng.min_col, min(rng.max_col, cols) + 1):
                    choices[(r, c)] = options
    sections: dict[int, str] = {}  # a tall merged cell at the left names its rows' section
    for (r, c), (h, _w) in span.items():
        text = _text(ws.cell(r, c).value)
        beside = _text(ws.cell(r, c + _w).value)  # a section has labels to its right
        if h > 1 and c <= 2 and text and beside and len(clean(text)) <= 12:
            for rr in range(r, r + h):
                sections[rr] = heading(text)
    section, in_attachments = "", False
    for r in range(1, rows + 1):
        pending: tuple[str, str] | None = None  # (label, where)
        texts_in_row = []
        emitted = False
        for c in range(1, cols + 1):
            if (r, c) in covered:
                continue
            cell = ws.cell(r, c)
            where = f"{ws.title}!{get_column_letter(c)}{r}"
            text = _text(cell.value)
            if r in sections and sections[r] == heading(text) and span.get((r, c), (1, 1))[0] > 1:
                continue  # the section's own cell
            if r in sections:
                section = sections[r]
                in_attachments = "添付" in section or "必要書類" in section
            h, w = span.get((r, c), (1, 1))
            if not text:
                if pending and (_bordered(cell) or (r, c) in choices or w > 1 or h > 1):
                    shape = ""
                    if (r, c) in choices and choices[(r, c)]:
                        shape = "select"
                    elif h > 1:
                        shape = "multiline"
                    out.add(
                        Found(
                            pending[0],
                            where,
                            shape=shape,
                            options=choices.get((r, c), []),
                            section=section,
                        )
                    )
                    pending, emitted = None, True
                continue
            texts_in_row.append((text, cell, w))
            if _SEAL.match(text):
                out.add(Found("印", where, shape="seal", section=section))
                pending, emitted = None, True
                continue
            if _UNITS.match(text) and emitted and out.items:
                out.items[-1].context = (out.items[-1].context + " " + text).strip()
                continue
            label, blank = split_label(text)
            if blank and (label or pending):
                out.add(
                    Found(
                        label or pending[0],
                        where,
                        shape=shape_of_text(blank),
                        context=blank,
                        section=section,
                    )
                )
                pending, emitted = None, True
                continue
            if blank and not label and shape_of_text(blank) == "date":
                out.add(Found("", where, shape="date", section=section))  # 令和　年　月　日
                emitted = True
                continue
            pending = (text, where)
        if emitted or not texts_in_row:
            continue
        if len(texts_in_row) >= 2 and _repeated_rows(ws, r, texts_in_row, covered):
            first, last = texts_in_row[0][1].coordinate, texts_in_row[-1][1].coordinate
            out.notes.append(NOTE_TABLE.format(where=f"{ws.title}!{first}:{last}"))
            continue
        # a line of its own: a title, a heading, the attachments, the declaration, …
        text, cell, w = texts_in_row[0]
        where = f"{ws.title}!{cell.coordinate}"
        lines = [x for x in text.split("\n") if x.strip()] if in_attachments else [text]
        for line in lines:
            kind = kind_of_line(
                line,
                top=r <= 6,
                wide=w >= 3,
                bold=bool(cell.font and cell.font.b),
                in_attachments=in_attachments,
            )
            if kind == "title" and not out.title:
                out.title = clean(line)
            elif kind == "declaration" and not out.declaration:
                out.declaration = clean(line)
            elif kind == "attachments":
                section, in_attachments = heading(line), True
            elif kind == "attachment":
                out.add(Found(line, where, shape="attachment", section=section))
            elif kind == "heading":
                section, in_attachments = heading(line), False
            elif kind == "applied_on":
                out.add(Found("", where, shape="date", section=section))
            elif kind == "" and len(texts_in_row) == 1 and pending:
                # a label whose blank is not a bordered cell: still a question, unsure
                out.add(Found(pending[0], pending[1], section=section))
