"""The one Excel writer: a workbook of sheets, each a header row and rows.

Numbers stay numbers; every text goes through `csvfile.neutralise` (a text a spreadsheet
would run as a formula gets a leading `'`) and is stored as a string cell, never as a
formula; characters an .xlsx cannot hold (control characters, NUL) become U+FFFD."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from .csvfile import REPLACEMENT, _is_number, neutralise

_SURROGATE = re.compile("[\ud800-\udfff]")
SHEET_NAME_MAX = 31  # Excel's limit
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Sheet:
    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]


def _text(value: str) -> str:
    return _SURROGATE.sub(REPLACEMENT, ILLEGAL_CHARACTERS_RE.sub(REPLACEMENT, neutralise(value)))


def _put(ws, row: int, col: int, value: Any) -> None:
    c = ws.cell(row=row, column=col)
    if value is None:
        return
    if _is_number(value):
        c.value = value
        return
    c.value = _text(str(value))
    c.data_type = "s"  # a string cell: never read as a formula


def workbook(sheets: Sequence[Sheet]) -> bytes:
    """The .xlsx file of these sheets: headers bold and frozen, numbers as numbers."""
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in sheets:
        ws = wb.create_sheet(_SHEET_FORBIDDEN.sub("_", sheet.title)[:SHEET_NAME_MAX])
        for col, name in enumerate(sheet.header, start=1):
            _put(ws, 1, col, name)
            ws.cell(row=1, column=col).font = Font(bold=True)
        for r, values in enumerate(sheet.rows, start=2):
            for col, value in enumerate(values, start=1):
                _put(ws, r, col, value)
        ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
