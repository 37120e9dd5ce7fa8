"""The shipped forms' own wording, as a resident reads it on the page."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.formengine.parser import parse

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
