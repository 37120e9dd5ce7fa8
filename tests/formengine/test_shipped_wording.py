"""The shipped forms' own wording, as a resident reads it on the page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.formengine.parser import parse
from app.formengine.types import kind, noun_of

FORMS = sorted((Path(__file__).resolve().parents[2] / "forms").glob("*.yaml"))


def _fields(fields):
    for f in fields:
        yield f
        yield from _fields(f.fields)


@pytest.mark.parametrize("path", FORMS, ids=lambda p: p.stem)
def test_an_optional_field_does_not_say_optional_twice(path):
    """The page puts 任意 / optional beside every optional label already."""
    defn, problems = parse(path.read_text(encoding="utf-8"))
    assert not problems
    for page in defn.pages:
        for f in _fields(page.fields):
            if f.required or f.label is None:
                continue
            assert "任意" not in f.label.get("ja"), (path.stem, f.id)
            assert "optional" not in f.label.get("en").lower(), (path.stem, f.id)


@pytest.mark.parametrize("path", FORMS, ids=lambda p: p.stem)
def test_messages_name_a_question_by_its_short_form_with_one_full_stop(path):
    """"Select Who is making the request?." reads badly: "Select Requester type."."""
    defn, problems = parse(path.read_text(encoding="utf-8"))
    assert not problems
    for page in defn.pages:
        for f in _fields(page.fields):
            if f.label is None or f.type in ("heading", "paragraph", "group"):
                continue
            for lang in ("ja", "en", "ja-easy"):
                noun = noun_of(f, lang)
                assert not noun.endswith(("?", "？", "。", ".")), (path.stem, f.id, lang, noun)
                message = kind(f).required_message(f, lang)
                assert not re.search(r"[?？。.!！][。.]", message), message


def test_the_requester_type_is_named_as_a_noun():
    path = next(p for p in FORMS if p.stem == "information-disclosure")
    defn, _ = parse(path.read_text(encoding="utf-8"))
    f = defn.field("requester_type") or next(
        x for pg in defn.pages for x in _fields(pg.fields) if x.id == "requester_type"
    )
    assert kind(f).required_message(f, "en") == "Select Requester type."
    assert kind(f).required_message(f, "ja") == "請求者の区分を選んでください。"
