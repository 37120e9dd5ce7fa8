"""The one CSV writer: no text cell a spreadsheet could run, and the mark comes back off."""

from __future__ import annotations

import csv
import io
import math
import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app import csvfile
from tests.conftest import ROOT

TRIGGERS = "=+-@\t\r"
NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")

# Texts made mostly of the characters that matter here, and any text at all.
tricky = st.text(
    alphabet=st.sampled_from([*TRIGGERS, "'", "a", "休", " ", ",", '"', "\n", "\x00", "\ud800"])
)
texts = tricky | st.text()
values = st.one_of(
    texts,
    st.none(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.decimals(allow_nan=False, allow_infinity=False),
)


def read(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@settings(max_examples=2000, deadline=None)
@given(texts)
def test_restore_takes_back_exactly_what_neutralise_added(text):
    assert csvfile.restore(csvfile.neutralise(text)) == text


@settings(max_examples=2000, deadline=None)
@given(values)
def test_no_written_text_cell_begins_with_a_trigger_or_holds_nul(value):
    written = csvfile.cell(value)
    assert "\x00" not in written
    assert not re.search("[\ud800-\udfff]", written)
    if written and written[0] in TRIGGERS:
        assert NUMBER.fullmatch(written), written  # only a number such as -5 begins with -


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.lists(values, min_size=1, max_size=6), max_size=5), st.sampled_from(["\n", "\r\n"])
)
def test_every_row_reads_back_as_written_and_texts_as_they_were(rows, newline):
    """Through bytes and Python's reader: the same rows, and each text restored to itself."""
    got = read(csvfile.encode(rows, newline=newline))
    assert got == [[csvfile.cell(v) for v in row] for row in rows]
    for row, back in zip(rows, got, strict=True):
        for value, text in zip(row, back, strict=True):
            if isinstance(value, str) and not csvfile.UNUSABLE.search(value):
                assert csvfile.restore(text) == value


@settings(max_examples=500, deadline=None)
@given(st.lists(values, min_size=1, max_size=6))
def test_quoting_is_the_csv_modules_so_existing_files_keep_their_bytes(row):
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow([csvfile.cell(v) for v in row])
    assert csvfile.line(row) + "\r\n" == out.getvalue()


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+81 59", "'+81 59"),
        ("-休止", "'-休止"),
        ("@home", "'@home"),
        ("\t休止", "'\t休止"),
        ("\r休止", "'\r休止"),
        ('=HYPERLINK("https://example.com","x")', '\'=HYPERLINK("https://example.com","x")'),
        ("'=x", "''=x"),  # a text that looks marked is marked again, so it comes back
        ("''", "'''"),
        ("'", "'"),  # a lone quote cannot be a mark: left alone
        ("'abc", "'abc"),
        ("a=b", "a=b"),
        ("", ""),
        ("手続A", "手続A"),
        (None, ""),
        (-5, "-5"),
        (0, "0"),
        (-0.25, "-0.25"),
        (Decimal("-1.50"), "-1.50"),
        ("-5", "'-5"),  # a text, not a number: a spreadsheet would read it as one
        (True, "True"),
        (-math.inf, "'-inf"),  # not a number a spreadsheet knows: written as text
        (math.nan, "nan"),
        ("\x00", "\ufffd"),
        ("=\x00", "'=\ufffd"),
        ("a\ud800b", "a\ufffdb"),
    ],
)
def test_cells(value, written):
    assert csvfile.cell(value) == written


def test_a_carriage_return_inside_a_cell_does_not_split_the_row():
    """Python's csv module leaves a lone CR unquoted when the line end is \\n."""
    data = csvfile.encode([("code", "note"), ("A", "一行目\r二行目"), ("B", "x")], newline="\n")
    assert read(data) == [["code", "note"], ["A", "一行目\r二行目"], ["B", "x"]]


def test_nul_and_lone_surrogates_are_never_written():
    data = csvfile.encode([("\x00", "a\x00b", "\udc80")], newline="\r\n")
    assert b"\x00" not in data
    assert read(data) == [["\ufffd", "a\ufffdb", "\ufffd"]]


def test_the_project_writes_csv_only_through_app_csvfile():
    """One writer: a new CSV download or export cannot bypass the cell rule."""
    writers = re.compile(r"csv\.(writer|DictWriter)\b|lineterminator")
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "app").rglob("*.py"))
        if path.name != "csvfile.py" and writers.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
