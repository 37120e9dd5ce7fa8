"""`workflow:` and `results:` of a form definition, read by the pure parser."""

from __future__ import annotations

from app.formengine.model import DEFAULT_UNDO_MINUTES
from app.formengine.parser import parse

BASE = """\
id: t
version: 1
procedure: P-1
title: テスト
pages:
  - id: p
    title: P
    fields:
      - {id: full_name, type: text, label: 氏名}
"""


def test_a_form_without_workflow_is_decided_in_one_step_by_its_staff():
    defn, problems = parse(BASE)
    assert problems == []
    assert [s.role for s in defn.workflow.steps] == ["department"]
    assert defn.workflow.last == 0 and defn.workflow.undo_minutes == DEFAULT_UNDO_MINUTES
    assert defn.results == ()


def test_two_steps_and_two_results():
    defn, problems = parse(
        BASE
        + """\
workflow:
  steps:
    - {role: department, name: 担当}
    - {role: department_head, name: {ja: 課長, en: Section head}}
  undo_minutes: 15
results:
  - id: approval
    kind: permit
    when: approved
    title: {ja: 許可証, en: Permit}
    body:
      ja: "{{ answers.full_name }} 様\\n\\n{{ decided_on }}付けで許可します。"
      en: "Dear {{ answers.full_name }}"
  - {id: rejection, kind: notice, when: rejected, title: 不許可通知書, body: "{{ message }}"}
"""
    )
    assert problems == []
    assert [(s.role, s.name.get("en")) for s in defn.workflow.steps] == [
        ("department", "担当"),
        ("department_head", "Section head"),
    ]
    assert defn.workflow.undo_minutes == 15
    assert [(r.id, r.kind, r.when) for r in defn.results] == [
        ("approval", "permit", "approved"),
        ("rejection", "notice", "rejected"),
    ]


def test_a_result_body_cannot_reach_outside_its_values():
    _, problems = parse(
        BASE
        + """\
results:
  - {id: a, kind: notice, when: approved, title: 通知, body: "{{ answers.full_name }}"}
  - {id: a, kind: notice, when: rejected, title: 通知, body: "{{ answers.full_name }}"}
  - {id: b, kind: notice, when: approved, title: 通知, body: "{{ config }}"}
"""
    )
    text = "\n".join(map(str, problems))
    assert "config ?" in text  # only the answers and the decision's facts
    assert "duplicate" in text  # two results with one id
