"""The one CSV writer: every CSV file the project writes goes through `encode` or `write`.

A spreadsheet takes a cell that begins with `=`, `+`, `-` or `@` for a formula (some also
after a leading tab or carriage return), so a note such as `=HYPERLINK(…)` in a download
would run on the machine of whoever opens it ("CSV injection", OWASP). Such a text cell
is written with a leading `'` (the mark), which spreadsheets show as text.

The mark can be taken back off without guessing: a text that itself begins with `'`
followed by a trigger or by another `'` gets a mark too, and `restore` removes one
leading `'` exactly when a trigger or a `'` follows it. So `restore(neutralise(s)) == s`
for every text, and no written text cell begins with a trigger (tests/test_csvfile.py).
Numbers are written as numbers: `-5` stays `-5`.

NUL and lone surrogates (`UNUSABLE` of the form engine) can be neither stored nor
written as UTF-8; every way in refuses them, and should one still reach the writer it
writes U+FFFD (�) in its place, never the character itself.

Cells are quoted as RFC 4180 says (a comma, a double quote, CR or LF inside): Python's
`csv` module leaves a lone CR unquoted when the line end is `\\n`, which splits the row.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.formengine.normalise import UNUSABLE

TRIGGERS = frozenset("=+-@\t\r")
MARK = "'"
REPLACEMENT = "\ufffd"
BOM = "\ufeff"


def is_marked(text: str) -> bool:
    """Does `text` begin with the writer's mark (a `'` followed by a trigger or a `'`)?"""
    return len(text) > 1 and text[0] == MARK and (text[1] in TRIGGERS or text[1] == MARK)


def neutralise(text: str) -> str:
    """The text as written into a cell: with a leading `'` if a spreadsheet could run it."""
    first = text[:1]
    if first in TRIGGERS or (first == MARK and is_marked(text)):
        return MARK + text
    return text


def restore(text: str) -> str:
    """The inverse of `neutralise`, for importers: one leading mark off, nothing else."""
    return text[1:] if is_marked(text) else text


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, Decimal) and value.is_finite()


def _written(value: Any) -> str:
    """`cell` before UNUSABLE characters are replaced (done once per file, it is faster)."""
    kind = type(value)
    if kind is str:
        return neutralise(value)
    if kind is int:
        return str(value)
    if value is None:
        return ""
    if _is_number(value):
        return str(value)
    return neutralise(str(value))


def cell(value: Any) -> str:
    """One value as its cell: None is empty, a finite number its digits, anything else text."""
    return UNUSABLE.sub(REPLACEMENT, _written(value))


def _quoted(text: str) -> str:
    if "," in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def _line(values: Sequence[Any]) -> str:
    if len(values) == 1 and _written(values[0]) == "":
        return '""'  # a row of one empty cell, told apart from a blank line
    return ",".join([_quoted(_written(v)) for v in values])


def line(values: Sequence[Any]) -> str:
    """One row, without its line end."""
    return UNUSABLE.sub(REPLACEMENT, _line(values))


def encode(rows: Iterable[Sequence[Any]], *, newline: str) -> bytes:
    """The rows (the header first) as UTF-8 with a BOM, so that Excel opens it as UTF-8."""
    text = "".join([_line(row) + newline for row in rows])
    return (BOM + UNUSABLE.sub(REPLACEMENT, text)).encode("utf-8")


def write(path: Path, rows: Iterable[Sequence[Any]], *, newline: str) -> None:
    """`encode` the rows into the file at `path` (replaced whole)."""
    Path(path).write_bytes(encode(rows, newline=newline))
