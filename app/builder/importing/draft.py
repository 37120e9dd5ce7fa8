"""A 様式 read into an ordinary builder draft: the form's plain data, and the marks the
builder shows beside it (where each question came from, how sure the importer is, the
notes for the author).

Questions that belong together on paper are one question online: a フリガナ row beside a
name is the name's reading, a 〒 blank beside an address is the address's postcode. The
headings of the 様式 become pages; attachments go on a page of their own. Whether the
result is a form is decided only by the parser (`parser.parse`), as for every draft.
No Flask, no database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.builder import document
from app.formengine import parser

from .found import MAX_ITEMS, Extracted
from .meaning import Question, clean, key, read

ATTACHMENTS = "添付書類"
MAX_QUESTIONS_PER_PAGE = 12  # a long 様式 without headings is cut into pages of this many


@dataclass
class Imported:
    """The draft's data and its marks."""

    data: dict[str, Any]
    marks: dict[str, Any]
    problems: list[str] = field(default_factory=list)  # the parser's, `path:line: 日本語 / English`

    @property
    def unsure(self) -> list[str]:
        return [qid for qid, m in self.marks["questions"].items() if not m["sure"]]


def build(found: Extracted, form_id: str, procedure: str, title: str = "") -> Imported:
    questions: list[Question] = []
    notes: list[str] = list(found.notes)
    pending_reading = None
    seal = False
    for item in found.items:
        got = read(item)
        seal = seal or got.seal
        if got.note:
            notes.append(got.note)
        if got.reading:
            if questions and questions[-1].meaning in ("name", "representative"):
                questions[-1].source += f", {got.extra['source']}"
            else:
                pending_reading = got.extra["source"]
            continue
        q = got.question
        if q is None:
            continue
        if got.postal and questions and questions[-1].meaning == "address":
            questions[-1].source += f", {q.source}"  # the address asks the postcode itself
            continue
        if q.meaning == "address" and questions and questions[-1].meaning == "postal":
            q.source = f"{questions[-1].source}, {q.source}"
            questions.pop()
        if pending_reading and q.meaning in ("name", "representative"):
            q.source = f"{pending_reading}, {q.source}"
        pending_reading = None
        questions.extend(representative(q))
    if found.cut:
        notes.append(
            f"項目が多いため、{MAX_ITEMS}件目より後は取り込んでいません。"
            f" / Only the first {MAX_ITEMS} items were imported."
        )
    data = _form(found, form_id, procedure, title, questions)
    marks = {
        "format": found.format,
        "questions": {
            q.field["id"]: {"from": q.source[:200], "sure": q.sure, "why": q.why} for q in questions
        },
        "notes": notes[:50],
        "ignored": found.ignored[:20],
        "seal": seal,
    }
    text = document.dump(data)
    _, problems = parser.parse(text, path=f"{form_id}.yaml")
    return Imported(data, marks, [str(p) for p in problems])


def representative(q: Question) -> list[Question]:
    """代表者職氏名 asks two things: the representative's title and name, as the
    corporation template asks them; any other question is itself."""
    if q.meaning != "representative" or "職" not in key(q.field["label"]["ja"]):
        return [q]
    title = Question(
        field={
            "id": "",
            "type": "text",
            "label": {"ja": "代表者の役職"},
            "required": True,
            "max_length": 40,
            "charset": "jis",
        },
        stem="representative_title",
        source=q.source,
        sure=q.sure,
        why=q.why,
        meaning="representative_title",
        section=q.section,
    )
    q.field["label"] = {"ja": "代表者の氏名"}
    return [title, q]


def _form(found: Extracted, form_id: str, procedure: str, title: str, questions: list[Question]):
    name = clean(found.title) or title or form_id
    data: dict[str, Any] = {
        "id": form_id,
        "version": 1,
        "procedure": procedure,
        "title": {"ja": name[:200]},
        "languages": ["ja"],
    }
    if found.declaration:
        data["declaration"] = {"ja": clean(found.declaration)[:1000]}
    taken: list[str] = []
    pages: list[dict[str, Any]] = []
    files: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    section = None
    for q in questions:
        q.field["id"] = document.new_id(taken, q.stem)
        taken.append(q.field["id"])
        if q.field["type"] == "file":
            files.append(q.field)
            continue
        heading = clean(q.section) or "申請内容"
        if (
            current is None
            or heading != section
            or len(current["fields"]) >= MAX_QUESTIONS_PER_PAGE
        ):
            current = {"id": f"page{len(pages) + 1}", "title": {"ja": heading[:200]}, "fields": []}
            pages.append(current)
            section = heading
        current["fields"].append(q.field)
    if files:
        pages.append({"id": f"page{len(pages) + 1}", "title": {"ja": ATTACHMENTS}, "fields": files})
    if not pages:
        pages.append({"id": "page1", "title": {"ja": "申請内容"}, "fields": []})
    data["pages"] = pages
    return data
