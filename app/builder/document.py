"""A form definition as the builder edits it: the plain data of its YAML.

The YAML is the one truth. The builder reads it with the parser's own reader
(`parser.read`: keys as written, dates as strings), changes the plain data, and writes it
back with `dump`; whether it is a form is only ever decided by `parser.parse`, the check
`flask forms check` runs. `locate` says which page or question each of the parser's
problems is about, from the lines of the written YAML. No Flask, no database.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from app.formengine import parser
from app.formengine.conditions import describe
from app.formengine.errors import Problem
from app.formengine.registry import FIELD_TYPES

# The content languages a form may offer besides Japanese (settings.CONTENT_LANGUAGES).
OPTIONAL_LANGUAGES = ("en", "ja-easy")
LANGUAGES = ("ja", *OPTIONAL_LANGUAGES)
# the keys of a field the question page edits itself, besides the type's extra keys
TEXT_KEYS_OF_FIELD = ("label", "help")
# texts of the whole form
FORM_TEXT_KEYS = ("title", "description", "declaration", "what_happens_next")
MAX_YAML_CHARS = 500_000  # a form's text; the shipped forms are below 25,000


class _Dumper(yaml.SafeDumper):
    """Block style, keys in the order given, Japanese as it is; long texts on one line."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump(data: Any) -> str:
    """The YAML of the data, as the builder stores, exports and publishes it."""
    return yaml.dump(
        data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000, indent=2
    )


def read(text: str) -> tuple[Any, list[Problem]]:
    """The plain data of a YAML text (None when it cannot be read), as the parser reads it."""
    if len(text) > MAX_YAML_CHARS:
        return None, []
    return parser.read(text, path="form.yaml")


def blank(form_id: str, procedure: str, title: str) -> dict[str, Any]:
    """A form with one empty page: what "start from nothing" gives."""
    return {
        "id": form_id,
        "version": 1,
        "procedure": procedure,
        "title": {"ja": title},
        "languages": ["ja"],
        "pages": [{"id": "page1", "title": {"ja": "申請者"}, "fields": []}],
    }


def retarget(data: Mapping[str, Any], form_id: str, procedure: str, version: int) -> dict:
    """A copy of a form (a template, another form) as the form `form_id` of `procedure`."""
    out = copy.deepcopy(dict(data))
    out["id"], out["procedure"], out["version"] = form_id, procedure, version
    order = ["id", "version", "procedure"]
    return {k: out[k] for k in order} | {k: v for k, v in out.items() if k not in order}


# --- where a problem is -------------------------------------------------------------------


@dataclass
class Located:
    """The parser's problems by what they concern: the form, a page, or a question.

    A problem of a question inside a repeating group is counted at its group (`questions`)
    and kept at the question itself too (`inner`, by page, group and place in the group)."""

    form: list[str] = field(default_factory=list)
    pages: dict[int, list[str]] = field(default_factory=dict)
    questions: dict[tuple[int, int], list[str]] = field(default_factory=dict)
    inner: dict[tuple[int, int, int], list[str]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return (
            len(self.form)
            + sum(map(len, self.pages.values()))
            + sum(map(len, self.questions.values()))
        )

    def of_page(self, p: int) -> int:
        """How many problems a page has, its questions' included."""
        return len(self.pages.get(p, [])) + sum(
            len(v) for (pp, _), v in self.questions.items() if pp == p
        )

    def own(self, p: int, q: int) -> list[str]:
        """A question's problems, without those of the questions inside it."""
        rest = list(self.questions.get((p, q), []))
        for (pp, qq, _), msgs in self.inner.items():
            if (pp, qq) == (p, q):
                for m in msgs:
                    rest.remove(m)
        return rest


def message(problem: Problem, lang: str) -> str:
    """The problem's message in one language (the parser writes `日本語 / English`)."""
    ja, sep, en = problem.message.partition(" / ")
    return en if lang == "en" and sep else ja


def message_text(text: str, lang: str) -> str:
    """One language of a `日本語 / English` text."""
    ja, sep, en = text.partition(" / ")
    return en if lang == "en" and sep else ja


def locate(text: str, problems: Iterable[Problem], lang: str = "ja") -> Located:
    """Each problem at the question (or the question inside a group, the page, the form)
    whose lines hold its line."""
    spans = _spans(text)
    out = Located()
    for problem in problems:
        where = _where(spans, problem.line)
        msg = message(problem, lang)
        if where is None:
            out.form.append(msg)
        elif where[1] is None:
            out.pages.setdefault(where[0], []).append(msg)
        else:
            out.questions.setdefault((where[0], where[1]), []).append(msg)
            if where[2] is not None:
                out.inner.setdefault((where[0], where[1], where[2]), []).append(msg)
    return out


Span = tuple[int, int | None, int | None, int, int]  # page, question, inner, first, last line


def _spans(text: str) -> list[Span]:
    """(page, question or None, question inside it or None, first line, last line) of
    every page, question, and question inside a group."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return []
    spans: list[Span] = []
    pages = _value(root, "pages")
    if not isinstance(pages, yaml.SequenceNode):
        return spans
    for p, page in enumerate(pages.value):
        spans.append((p, None, None, *_lines(page)))
        fields = _value(page, "fields")
        if not isinstance(fields, yaml.SequenceNode):
            continue
        for q, node in enumerate(fields.value):
            spans.append((p, q, None, *_lines(node)))
            inner = _value(node, "fields")
            if isinstance(inner, yaml.SequenceNode):
                for s, sub in enumerate(inner.value):
                    spans.append((p, q, s, *_lines(sub)))
    return spans


def _lines(node: Any) -> tuple[int, int]:
    return node.start_mark.line + 1, node.end_mark.line


def _value(node: Any, key: str) -> Any:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return v
    return None


def _where(spans: list[Span], line: int) -> tuple[int, int | None, int | None] | None:
    """The innermost page, question or question inside a group holding the line."""
    best, depth = None, -1
    for p, q, s, first, last in spans:
        deep = (q is not None) + (s is not None)
        if first <= line <= max(first, last) and deep > depth:
            best, depth = (p, q, s), deep
    return best


# --- reading the data safely ------------------------------------------------------------------


def pages(data: Any) -> list[dict]:
    got = data.get("pages") if isinstance(data, dict) else None
    return [p if isinstance(p, dict) else {} for p in got] if isinstance(got, list) else []


def questions(page: Any) -> list[dict]:
    got = page.get("fields") if isinstance(page, dict) else None
    return [f if isinstance(f, dict) else {} for f in got] if isinstance(got, list) else []


def type_name(f: Any) -> str:
    """A question's type as written, or "" when it is not a string."""
    t = f.get("type") if isinstance(f, dict) else None
    return t if isinstance(t, str) else ""


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


def text_of(value: Any, lang: str = "ja") -> str:
    """One language of a text (a string or a map of language → string)."""
    if isinstance(value, dict):
        got = value.get(lang)
        return got if isinstance(got, str) else ""
    return value if isinstance(value, str) and lang == "ja" else ""


def languages(data: Any) -> list[str]:
    got = data.get("languages") if isinstance(data, dict) else None
    langs = [x for x in got if isinstance(x, str)] if isinstance(got, list) else []
    return ["ja", *[x for x in langs if x != "ja"]]


def earlier_questions(data: Any, page_no: int, question_no: int | None) -> list[dict]:
    """The questions before a page (and before a question on it): what a condition may name.
    Only questions with an answer can be named (not headings or paragraphs)."""
    out = []
    for p, page in enumerate(pages(data)):
        for q, f in enumerate(questions(page)):
            if p > page_no or (p == page_no and (question_no is None or q >= question_no)):
                return out
            t = FIELD_TYPES.get(type_name(f))
            if t is not None and t.operators and isinstance(f.get("id"), str):
                out.append(f)
    return out


def untranslated(data: Any) -> dict[str, int]:
    """For each optional language the form offers, how many of its texts lack it."""
    wanted = [x for x in languages(data) if x != "ja"]
    counts = dict.fromkeys(wanted, 0)
    for value in _texts(data):
        for lang in wanted:
            if not text_of(value, lang).strip():
                counts[lang] += 1
    return counts


def _texts(data: Any) -> Iterable[Any]:
    """Every text of the form (a value that has a Japanese form)."""
    if not isinstance(data, dict):
        return
    for key in FORM_TEXT_KEYS:
        if data.get(key):
            yield data[key]
    yield from as_list(data.get("before_you_start"))
    fee = data.get("fee")
    if isinstance(fee, dict) and fee.get("label"):
        yield fee["label"]
    for page in pages(data):
        if page.get("title"):
            yield page["title"]
        yield from _field_texts(questions(page))


def _field_texts(fields: list[dict]) -> Iterable[Any]:
    for f in fields:
        t = FIELD_TYPES.get(type_name(f))
        for key in (*TEXT_KEYS_OF_FIELD, *sorted(t.text_keys if t else ())):
            if f.get(key):
                yield f[key]
        for option in as_list(f.get("options")):
            if isinstance(option, dict) and option.get("label"):
                yield option["label"]
        yield from _field_texts(questions(f))


SLUG = re.compile(r"[^a-z0-9]+")


def new_id(existing: Iterable[str], stem: str) -> str:
    """An id not yet used in the form: stem, stem2, stem3, …"""
    taken = set(existing)
    stem = SLUG.sub("_", stem.lower()).strip("_") or "q"
    if not stem[0].isalpha():
        stem = "q_" + stem
    if stem not in taken:
        return stem
    n = 2
    while f"{stem}{n}" in taken:
        n += 1
    return f"{stem}{n}"


def all_ids(data: Any) -> list[str]:
    """Every question id of the form, those inside groups included."""
    out: list[str] = []

    def walk(fields):
        for f in fields:
            if isinstance(f.get("id"), str):
                out.append(f["id"])
            walk(questions(f))

    for page in pages(data):
        walk(questions(page))
    return out


def condition_words(data: Any, condition: Any, lang: str = "ja") -> str:
    """A condition in words, as residents read it (conditions.describe), with the
    questions' labels and options' labels of the form; "" for none or one not readable."""
    if not isinstance(condition, dict):
        return ""
    by_id = {}
    for page in pages(data):
        for f in questions(page):
            if isinstance(f.get("id"), str):
                by_id[f["id"]] = f

    def label(fid: str) -> str:
        f = by_id.get(fid)
        return (text_of(f.get("label"), lang) or text_of(f.get("label"))) if f else str(fid)

    def value(fid: str, v: Any) -> str:
        f = by_id.get(fid) or {}
        for option in as_list(f.get("options")):
            if isinstance(option, dict) and str(option.get("value")) == str(v):
                return text_of(option.get("label"), lang) or text_of(option.get("label")) or str(v)
        if isinstance(v, bool):
            return {"ja": {True: "はい", False: "いいえ"}, "en": {True: "yes", False: "no"}}.get(
                lang, {True: "はい", False: "いいえ"}
            )[v]
        return str(v)

    try:
        return describe(condition, label, value, lang)
    except (KeyError, TypeError, AttributeError):
        return ""
