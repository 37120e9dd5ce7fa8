"""A form says on its start page what its procedure still needs on paper, and `flask forms
check` warns where the catalogue's features claim more (or less) than the form does."""

from __future__ import annotations

from pathlib import Path

from app.catalogue.models import Procedure
from app.extensions import db
from app.formengine.parser import parse
from app.submissions.cli import forms_cli
from app.submissions.honesty import catalogue_mismatches, offline_steps

BASE = """\
id: t
version: 1
procedure: A
title: テスト
pages:
  - id: p
    title: P
    fields:
      - {id: full_name, type: text, label: 氏名}
"""
FEE = "fee: {amount: 2900}\n"
RESULTS = """\
results:
  - {id: ok, kind: permit, when: approved, title: 許可証, body: "{{ answers.full_name }}"}
"""


def form(extra: str = ""):
    defn, problems = parse(BASE + extra)
    assert not problems
    return defn


def test_what_is_done_on_paper():
    assert offline_steps(form(), set()) == ["result"]
    assert offline_steps(form(RESULTS), set()) == []
    assert offline_steps(form(FEE + RESULTS), {"online_identity"}) == ["identity", "payment"]


def test_the_catalogue_checked_against_the_form():
    assert catalogue_mismatches(form(RESULTS), {"online_result"}) == []
    (only,) = catalogue_mismatches(form(), {"online_result"})
    assert "results:" in only
    (only,) = catalogue_mismatches(form(RESULTS), set())
    assert "lacks online_result" in only
    assert len(catalogue_mismatches(form(FEE), {"online_payment", "online_identity"})) == 2


def test_the_start_page_says_it(form_app):
    page = form_app.test_client().get("/apply/test-permit").get_data(as_text=True)
    assert "オンラインでできないこと" in page
    assert "審査の結果は、書面（郵送など）でお知らせします。" in page


def test_forms_check_warns_but_passes(form_app, tmp_path: Path):
    path = tmp_path / "t.yaml"
    path.write_text(BASE, encoding="utf-8")
    with form_app.app_context():
        db.session.query(Procedure).filter_by(code="A").one().features = "online_result"
        db.session.commit()
    result = form_app.test_cli_runner().invoke(forms_cli, ["check", str(path)])
    assert result.exit_code == 0
    assert "警告 / warning" in result.output and "online_result" in result.output
    assert "警告 1 件" in result.output
