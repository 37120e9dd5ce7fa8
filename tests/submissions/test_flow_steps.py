"""The step count a resident reads is the same on the start page and on every page."""

from __future__ import annotations

from datetime import date

from app.formengine import Context
from app.formengine.parser import parse
from app.submissions.flow import Flow

FORM = """
id: steps
version: 1
procedure: P-0001
title: 試験
pages:
  - id: who
    title: 申請者
    fields:
      - {id: kind, type: radio, label: 申請者の種別, required: true, options: [{value: person, label: 個人}, {value: org, label: 法人}]}
  - id: org
    title: 法人
    show_if: {field: kind, equals: org}
    fields:
      - {id: org_name, type: text, label: 法人名}
  - id: what
    title: 内容
    fields:
      - {id: note, type: text, label: 内容}
"""


def test_a_skipped_page_is_a_step_passed_and_the_total_never_changes():
    defn, problems = parse(FORM)
    assert not problems, problems
    ctx = Context(lang="ja", today=date(2026, 4, 1))
    before = Flow(defn, {}, ctx)
    person = Flow(defn, {"kind": "person"}, ctx)
    org = Flow(defn, {"kind": "org"}, ctx)
    who, _org, what = defn.pages
    assert before.position(who)[:2] == person.position(who)[:2] == (1, 3)
    assert person.position(what) == (3, 3, "who")  # the org page was left out: 3 of 3
    assert org.position(what) == (3, 3, "org")
    assert {f.position(who)[1] for f in (before, person, org)} == {len(defn.pages)}
