"""Word 様式 (.docx, read with python-docx): the title, the tables of label and blank
rows (merged cells read once), `□男　□女`, `年　月　日`, `〒` and `（　）円` blanks, the
paragraphs under 添付書類 as attachments, the declaration. Paragraphs and tables are read
in the order of the document. No Flask, no database."""

from __future__ import annotations

import io
import re

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from .checks import MAX_DOCX_BLOCKS, Refused
from .found import Extracted, Found
from .layout import heading, kind_of_line
from .meaning import clean, shape_of_text, split_label

_BLANK_LINE = re.compile(r"^(.*?)[\s\u3000]*[_＿]{3,}")
_SEAL = re.compile(r"^[\s\u3000]*(印|㊞|\(印\)|（印）)[\s\u3000]*$")
_UNITS = re.compile(r"^(円|人|歳|件|台|頭|㎡)$")


def extract(raw: bytes) -> Extracted:
    try:
        document = docx.Document(io.BytesIO(raw))
    except Exception as exc:  # noqa: BLE001 - any reader error is a file we cannot read
        raise Refused("unreadable") from exc
    out = Extracted("docx")
    state = {"section": "", "attachments": False, "blocks": 0, "lines": 0}
    body = document.element.body
    tables = 0
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            _paragraph(Paragraph(child, document), out, state)
        elif tag == "tbl":
            tables += 1
            _table(Table(child, document), tables, out, state)
        if state["blocks"] > MAX_DOCX_BLOCKS:
            raise Refused("too_long_document", blocks=f"{MAX_DOCX_BLOCKS:,}")
    return out


def _paragraph(p: Paragraph, out: Extracted, state: dict) -> None:
    state["blocks"] += 1
    text = (p.text or "").strip()
    if not text:
        return
    state["lines"] += 1
    where = f"段落{state['blocks']}"
    m = _BLANK_LINE.match(text)
    if m and clean(m.group(1)):
        out.add(Found(m.group(1), where, section=state["section"]))
        return
    label, blank = split_label(text)
    if blank and label and shape_of_text(blank):
        out.add(
            Found(label, where, shape=shape_of_text(blank), context=blank, section=state["section"])
        )
        return
    bold = any(r.bold for r in p.runs if r.text.strip())
    centred = p.alignment is not None and int(p.alignment) == 1
    _line(text, where, out, state, top=state["lines"] <= 3, wide=centred, bold=bold)


def _line(text, where, out, state, *, top, wide, bold) -> None:
    kind = kind_of_line(text, top=top, wide=wide, bold=bold, in_attachments=state["attachments"])
    if kind == "title" and not out.title:
        out.title = clean(text)
    elif kind == "declaration" and not out.declaration:
        out.declaration = clean(text)
    elif kind == "attachments":
        state["section"], state["attachments"] = heading(text), True
    elif kind == "attachment":
        out.add(Found(text, where, shape="attachment", section=state["section"]))
    elif kind == "heading":
        state["section"], state["attachments"] = heading(text), False
    elif kind == "applied_on":
        out.add(Found("", where, shape="date", section=state["section"]))


def _cells(row) -> list:
    """The row's cells, a cell merged across columns once."""
    seen, out = set(), []
    for cell in row.cells:
        if id(cell._tc) in seen:
            continue
        seen.add(id(cell._tc))
        out.append(cell)
    return out


NOTE_TABLE = (
    "繰り返しの行の表（表{n}）は取り込んでいません。「繰り返す質問のまとまり」を手で加えてください。"
    " / The table of repeated rows (table {n}) was left out: add a repeating group by hand."
)


def _repeated_rows(table: Table) -> bool:
    """A first row of column headings over rows of empty cells (household members and the
    like): not one question per heading."""
    rows = list(table.rows)
    if len(rows) < 2:
        return False
    head = [(c.text or "").strip() for c in _cells(rows[0])]
    if len(head) < 2 or not all(head):
        return False
    return all(not (c.text or "").strip() for row in rows[1:] for c in _cells(row))


def _table(table: Table, n: int, out: Extracted, state: dict) -> None:
    if _repeated_rows(table):
        state["blocks"] += len(table.rows)
        out.notes.append(NOTE_TABLE.format(n=n))
        return
    above: dict[int, object] = {}  # a cell merged down from the row above is not read again
    for r, row in enumerate(table.rows, start=1):
        state["blocks"] += 1
        if state["blocks"] > MAX_DOCX_BLOCKS:
            return
        cells = [c for c in _cells(row) if above.get(id(c._tc)) is None]
        for c in _cells(row):
            above[id(c._tc)] = c
        where = f"表{n} 行{r}"
        texts = [(c.text or "").strip() for c in cells]
        if (
            len([t for t in texts if t]) == 1
            and len(cells) <= 2
            and not any(shape_of_text(t) for t in texts)
        ):
            only = next(t for t in texts if t)
            if len(cells) == 1 or texts[-1] == only:
                for line in only.split("\n") if state["attachments"] else [only]:
                    if line.strip():
                        _line(line, where, out, state, top=False, wide=True, bold=False)
                continue
        pending = None
        for text in texts:
            if not text:
                if pending is not None:
                    out.add(Found(pending, where, section=state["section"]))
                    pending = None
                continue
            if _SEAL.match(text):
                out.add(Found("印", where, shape="seal", section=state["section"]))
                pending = None
                continue
            if _UNITS.match(text) and out.items and pending is None:
                out.items[-1].context = (out.items[-1].context + " " + text).strip()
                continue
            label, blank = split_label(text)
            if blank and (label or pending):
                out.add(
                    Found(
                        label or pending,
                        where,
                        shape=shape_of_text(blank),
                        context=blank,
                        section=state["section"],
                    )
                )
                pending = None
                continue
            if blank and shape_of_text(blank) == "date":
                out.add(Found("", where, shape="date", section=state["section"]))
                continue
            if (
                pending is not None
                and len(clean(pending)) <= 12
                and kind_of_line(pending, top=False, wide=True, bold=False, in_attachments=False)
                in ("heading", "")
            ):
                # a section named in the first column (申請者 | 住所 | …)
                state["section"] = heading(pending)
            pending = text
        if pending is not None and len(cells) == 1:
            _line(pending, where, out, state, top=False, wide=True, bold=False)
