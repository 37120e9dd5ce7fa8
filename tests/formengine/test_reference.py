"""docs/form-reference.md is what `flask forms reference` writes from the registry: it
cannot drift from the parser."""

from __future__ import annotations

import pytest

from app.formengine import reference as ref
from app.formengine.registry import FIELD_TYPES
from tests.conftest import ROOT

COMMITTED = ROOT / "docs" / "form-reference.md"


def test_the_committed_reference_is_the_generated_one():
    assert COMMITTED.read_text(encoding="utf-8") == ref.reference(), (
        "docs/form-reference.md differs from the registry: run `flask --app app forms reference`"
    )


def test_the_command_writes_it(app, tmp_path):
    out = tmp_path / "ref.md"
    result = app.test_cli_runner().invoke(args=["forms", "reference", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == ref.reference()
    shown = app.test_cli_runner().invoke(args=["forms", "reference", "-o", "-"])
    assert shown.output == ref.reference()


def test_every_type_and_key_is_in_it():
    text = ref.reference()
    for name, t in FIELD_TYPES.items():
        assert f"| `{name}` |" in text
        for key in t.extra_keys:
            assert f"| `{key}` |" in text
    assert "at most 200 characters unless `max_length` says otherwise (up to 1000)" in text
    assert "`{family, given, family_kana, given_kana}`" in text


@pytest.mark.parametrize("table", ["TYPE_NOTES", "KEY_NOTES", "TOP_NOTES"])
def test_a_type_or_key_without_a_note_stops_the_reference(monkeypatch, table):
    notes = dict(getattr(ref, table))
    notes.pop(sorted(notes)[0])
    monkeypatch.setattr(ref, table, notes)
    with pytest.raises(KeyError, match="no note"):
        ref.reference()


def test_the_example_in_forms_md_loads_without_a_problem():
    import re

    from app.formengine.parser import parse

    text = (ROOT / "docs" / "forms.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(.*?)```", text, re.S).group(1)
    form, problems = parse(example, path="docs/forms.md")
    assert not problems, [str(p) for p in problems]
    assert [p.id for p in form.pages] == ["applicant", "licence", "documents"]


def test_a_folder_that_is_not_there_is_a_message(app, tmp_path):
    out = tmp_path / "no such folder" / "ref.md"
    result = app.test_cli_runner().invoke(args=["forms", "reference", "-o", str(out)])
    assert result.exit_code == 1 and "書き出せません / cannot write" in result.stderr


def test_the_command_names_a_key_without_a_note(app, tmp_path, monkeypatch):
    monkeypatch.setattr(ref, "KEY_NOTES", {k: v for k, v in ref.KEY_NOTES.items() if k != "unit"})
    result = app.test_cli_runner().invoke(args=["forms", "reference", "-o", str(tmp_path / "r.md")])
    assert result.exit_code == 1 and "no note in formengine/reference.py for: unit" in result.stderr
    assert not (tmp_path / "r.md").exists()
