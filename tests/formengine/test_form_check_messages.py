"""What `forms check` tells a member of staff beyond errors: a text without a language
the form declares (a warning: the form still loads), and YAML it cannot read, explained
in Japanese as well as English."""

from __future__ import annotations

import pytest

from app.formengine.errors import ErrorCode, WarningCode
from app.formengine.parser import parse

FORM = """\
id: test-form
version: 1
procedure: P-0001
title: {ja: テスト, en: Test}
languages: [ja, en, ja-easy]
description: 説明だけ
pages:
  - id: one
    title: {ja: 申請者, en: Applicant, ja-easy: しんせいする ひと}
    fields:
      - id: kind
        type: radio
        label: {ja: 種類, en: Kind, ja-easy: しゅるい}
        options:
          - {value: a, label: {ja: 甲, en: A, ja-easy: こう}}
          - {value: b, label: {ja: 乙, ja-easy: おつ}}
"""


def test_a_text_without_a_declared_language_is_a_warning_that_does_not_stop_loading():
    warnings: list = []
    form, problems = parse(FORM, path="forms/test.yaml", warnings=warnings)
    assert form is not None and problems == []
    shown = [str(w) for w in warnings]
    assert shown == [
        "forms/test.yaml:4: 'title' に ja-easy の文がありません（この言語でも日本語が表示されます）"
        " / 'title' has no ja-easy text (Japanese is shown in that language)",
        "forms/test.yaml:6: 'description' に en の文がありません（この言語でも日本語が表示されます）"
        " / 'description' has no en text (Japanese is shown in that language)",
        "forms/test.yaml:6: 'description' に ja-easy の文がありません（この言語でも日本語が表示されます）"
        " / 'description' has no ja-easy text (Japanese is shown in that language)",
        "forms/test.yaml:16: 'label' に en の文がありません（この言語でも日本語が表示されます）"
        " / 'label' has no en text (Japanese is shown in that language)",
    ]
    assert {w.code for w in warnings} == {WarningCode.MISSING_TRANSLATION}


def test_a_form_in_japanese_only_gets_no_warning():
    warnings: list = []
    text = FORM.replace("languages: [ja, en, ja-easy]\n", "")
    assert parse(text, warnings=warnings)[0] is not None
    assert warnings == []


def test_the_command_prints_warnings_and_still_succeeds(app, tmp_path, worked_example):
    from app.catalogue.services import import_catalogue

    with app.app_context():
        assert import_catalogue(worked_example).ok
    path = tmp_path / "test-form.yaml"
    path.write_text(FORM.replace("P-0001", "A"), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["forms", "check", str(path)])
    assert result.exit_code == 0, result.output
    assert "'description' has no en text" in result.stderr and "（警告 / warning）" in result.stderr
    assert "（警告 4 件 / 4 warning(s)）" in result.stdout
    loaded = app.test_cli_runner().invoke(args=["forms", "load", str(path)])
    assert loaded.exit_code == 0 and "'description' has no en text" in loaded.stderr


@pytest.mark.parametrize(
    ("text", "line", "japanese"),
    [
        ("id: x\n\tversion: 1\n", 2, "タブ文字は使えません（字下げには空白を使います）"),
        ("id: x\ntitle: a: b\n", 2, "ここには「キー: 値」を書けません"),
        ("id: x\npages:\n  a: 1\n b: 2\n", 4, "字下げがそろっていません"),
        ('id: x\ntitle: "abc\n', 2, "引用符が閉じられないまま、ファイルが終わっています"),
        ("id: x\ntitle: [a, b\nversion: 1\n", 3, "「,」か「]」が要るところに"),
        ("id: x\ntitle: *missing\n", 2, "別名 *missing のアンカー &missing がありません"),
        ("id: x\ntitle: @home\n", 2, "「@」で始まる値は引用符で囲んでください"),
        ('id: x\ntitle: "C:\\q"\n', 2, "「\\q」というエスケープはありません"),
        ("id: x\n---\nid: y\n", 2, "1つのファイルには様式を1つだけ書きます"),
    ],
)
def test_yaml_that_cannot_be_read_is_explained_in_japanese_too(text, line, japanese):
    form, problems = parse(text, path="forms/x.yaml")
    assert form is None and len(problems) == 1
    (problem,) = problems
    assert problem.code == ErrorCode.YAML_SYNTAX and problem.line == line
    ja, _, en = problem.message.partition(" / YAML syntax error: ")
    assert japanese in ja and en  # both halves are there
    for english in ("while ", "found ", "expected ", "could not", "not allowed"):
        assert english not in ja, ja
