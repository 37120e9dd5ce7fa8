"""The one rendering of answers: check page, done page, PDF receipt, emails, exports."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .answers import page_visible
from .conditions import evaluate
from .model import FormDefinition
from .types import Context, GroupType, has_answer, kind, label_of


@dataclass(frozen=True)
class Row:
    field_id: str
    label: str
    value: str
    items: tuple[tuple[str, tuple[Row, ...]], ...] = ()  # group items: (title, rows)


@dataclass(frozen=True)
class Section:
    page_id: str
    title: str
    rows: tuple[Row, ...] = field(default_factory=tuple)


def render(
    defn: FormDefinition, answers: Mapping[str, Any], lang: str, ctx: Context | None = None
) -> list[Section]:
    """Visible pages with their answered fields, as display text in `lang`."""
    ctx = ctx or Context(lang=lang)
    sections = []
    for page in defn.pages:
        if not page_visible(page, answers, ctx):
            continue
        rows = []
        for f in page.fields:
            if not has_answer(f) or not evaluate(f.show_if, answers, today=ctx.today):
                continue
            value = answers.get(f.id)
            if f.type == "group":
                shown = GroupType.shown_fields(f, answers, ctx.today)
                items = tuple(
                    (
                        GroupType.item_title(f, i, lang),
                        tuple(
                            Row(
                                inner.id,
                                label_of(inner, lang),
                                kind(inner).display(inner, item.get(inner.id), lang),
                            )
                            for inner in shown
                            if item.get(inner.id) is not None
                        ),
                    )
                    for i, item in enumerate(value or [])
                )
                rows.append(Row(f.id, label_of(f, lang), "", items))
            else:
                text = "" if value is None else kind(f).display(f, value, lang)
                rows.append(Row(f.id, label_of(f, lang), text))
        sections.append(Section(page.id, page.title.get(lang), tuple(rows)))
    return sections


def flat(sections: list[Section]) -> list[tuple[str, str]]:
    """(label, value) pairs in order, groups spelled out: for emails and CSV exports."""
    out = []
    for s in sections:
        for r in s.rows:
            if r.items:
                for title, rows in r.items:
                    out += [(f"{r.label} / {title} / {x.label}", x.value) for x in rows]
            else:
                out.append((r.label, r.value))
    return out
