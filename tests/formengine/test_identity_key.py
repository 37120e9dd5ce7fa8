"""`identity:` in a form's YAML: none | optional | required, or a map with the kinds."""

from __future__ import annotations

import pytest

from app.formengine.model import NO_IDENTITY, Identity
from app.formengine.parser import parse

FORM = """\
id: f
version: 1
procedure: A
title: 申請
{identity}
pages:
  - id: p
    title: ページ
    fields:
      - {{id: note, type: text, label: メモ}}
"""


@pytest.mark.parametrize(
    ("yaml", "expected"),
    [
        ("", NO_IDENTITY),
        ("identity: none", Identity("none")),
        ("identity: optional", Identity("optional")),
        ("identity: required", Identity("required", ("individual", "business"))),
        ("identity: {level: required, kinds: [business]}", Identity("required", ("business",))),
        ("identity: {level: optional, kinds: [individual]}", Identity("optional", ("individual",))),
    ],
)
def test_identity_is_read(yaml, expected):
    form, problems = parse(FORM.format(identity=yaml))
    assert problems == []
    assert form.identity == expected


@pytest.mark.parametrize(
    ("yaml", "line_and_words"),
    [
        ("identity: yes please", ("5:", "none, optional or required")),
        ("identity: true", ("5:", "none, optional or required")),
        ("identity: [required]", ("5:", "none, optional or required")),
        ("identity: {kinds: [business]}", ("5:", "missing required key 'level'")),
        (
            "identity: {level: always}",
            ("5:", "'identity.level' must be none, optional or required"),
        ),
        ("identity: {level: required, kinds: []}", ("5:", "'identity.kinds'")),
        ("identity: {level: required, kinds: [robot]}", ("5:", "'identity.kinds'")),
        ("identity: {level: required, kinds: [business, business]}", ("5:", "each once")),
        ("identity: {level: required, who: [business]}", ("5:", "unknown key 'who'")),
    ],
)
def test_a_wrong_identity_is_reported_at_its_line(yaml, line_and_words):
    form, problems = parse(FORM.format(identity=yaml), path="f.yaml")
    assert form is None
    text = " | ".join(str(p) for p in problems)
    line, words = line_and_words
    assert f"f.yaml:{line}" in text and words in text, text


PREFILL = """\
id: f
version: 1
procedure: A
title: 申請
{identity}
pages:
  - id: p
    title: ページ
    fields:
      - {{id: field, type: {type}, label: 質問, prefill: {prefill}}}
"""


@pytest.mark.parametrize(
    ("type_", "prefill", "fact"),
    [
        ("name", "profile.name", "name"),
        ("address", "profile.address", "address"),
        ("date", "profile.birthdate", "birthdate"),
        ("email", "profile.email", "email"),
        ("text", "profile.corporate_number", "corporate_number"),
    ],
)
def test_prefill_names_a_fact_of_the_profile(type_, prefill, fact):
    form, problems = parse(
        PREFILL.format(identity="identity: optional", type=type_, prefill=prefill)
    )
    assert problems == []
    assert form.field("field").get("prefill") == fact


@pytest.mark.parametrize(
    ("identity", "type_", "prefill", "words"),
    [
        ("identity: optional", "text", "profile.address", "profile. followed by a fact"),
        ("identity: optional", "name", "profile.shoe_size", "profile. followed by a fact"),
        ("identity: optional", "name", "name", "profile. followed by a fact"),
        ("identity: optional", "name", "[profile.name]", "profile. followed by a fact"),
        ("", "name", "profile.name", "needs identity: optional or required"),
    ],
)
def test_a_wrong_prefill_is_reported(identity, type_, prefill, words):
    form, problems = parse(
        PREFILL.format(identity=identity, type=type_, prefill=prefill), path="f.yaml"
    )
    assert form is None
    assert words in " | ".join(str(p) for p in problems)
