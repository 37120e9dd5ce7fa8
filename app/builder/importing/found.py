"""What a reader finds in a 様式, before it is given a meaning: the labels beside the
blanks, where each was, and what the blank looks like. The readers (pdf.py, xlsx.py,
docx.py) write these; meaning.py turns them into questions. No Flask, no database."""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_LABEL = 200  # characters of a label kept (a long sentence is not a question's label)
MAX_ITEMS = 300  # things found in one 様式: beyond, the rest is left out (with a note)
MAX_OPTIONS = 50  # options of one question


@dataclass
class Found:
    """One thing of the 様式 that may be a question.

    `label` is the text as written; `source` says where it was (a PDF field's name,
    `sheet!B4`, `表1 行3`); `shape` is what the blank looks like when the reader could
    tell: text, multiline, checkbox, radio, select, options (□ 男 □ 女), date (年 月 日),
    postal (〒), amount (（　）円), attachment (a line under 添付書類), seal (印), or "" when
    it only saw an empty box. `trusted_label` is False when the label is only a name
    a machine gave (`Text1`)."""

    label: str
    source: str
    shape: str = ""
    options: list[str] = field(default_factory=list)
    required: bool = False
    max_length: int | None = None
    context: str = ""  # the text inside or after the blank (円, 年　月　日, □男 □女)
    section: str = ""  # the heading it came under (申請者, 添付書類, …)
    trusted_label: bool = True


@dataclass
class Extracted:
    """Everything a reader found in one 様式."""

    format: str  # pdf | xlsx | docx
    title: str = ""
    items: list[Found] = field(default_factory=list)
    declaration: str = ""  # 上記のとおり申請します。 and the like
    notes: list[str] = field(default_factory=list)  # 日本語 / English, for the author
    ignored: list[str] = field(default_factory=list)  # sheets left out (記入例), as named
    cut: bool = False  # more than MAX_ITEMS were found

    def add(self, item: Found) -> None:
        if len(self.items) >= MAX_ITEMS:
            self.cut = True
            return
        item.label = item.label[:MAX_LABEL]
        item.options = [o[:MAX_LABEL] for o in item.options[:MAX_OPTIONS]]
        self.items.append(item)
