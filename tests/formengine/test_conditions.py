"""`show_if`: which questions a resident is asked, and what happens to answers that
stop applying. Conditions are written in YAML, parsed, then evaluated on answers in
their stored (normalised) shape.
"""

from __future__ import annotations

import json
import textwrap
from datetime import date
from functools import cache
from pathlib import Path

import pytest

from app.formengine import Context, FormDefinition, validate_all, visible_pages
from app.formengine.conditions import as_json, describe, evaluate, referenced, revealable
from app.formengine.parser import parse

TODAY = date(2024, 4, 1)


def definition(body: str, form_id: str) -> FormDefinition:
    text = f"id: {form_id}\nversion: 1\nprocedure: P-0001\ntitle: 試験\n" + textwrap.dedent(body)
    defn, problems = parse(text)
    assert not problems, problems
    return defn


# The fields a condition can look at, on a first page; the condition is put on a field
# of the second page.
SUBJECTS = """\
pages:
  - id: about
    title: 申請者
    fields:
      - id: licence_type
        type: radio
        label: {ja: 更新する免許, en: Licence to renew}
        options:
          - {value: net, label: {ja: 網猟免許, en: Net}}
          - {value: trap, label: {ja: わな猟免許, en: Trap}}
          - {value: gun1, label: {ja: 第一種銃猟免許, en: Gun (first class)}}
          - {value: gun2, label: {ja: 第二種銃猟免許, en: Gun (second class)}}
      - {id: age, type: integer, label: {ja: 年齢, en: Age}}
      - id: benefits
        type: checkboxes
        label: {ja: 受給中の手当, en: Benefits}
        options:
          - {value: child, label: {ja: 児童手当, en: Child allowance}}
          - {value: single, label: {ja: 児童扶養手当, en: Single-parent allowance}}
          - {value: disability, label: {ja: 障害児福祉手当, en: Disability allowance}}
      - {id: birth_date, type: date, label: {ja: 生年月日, en: Date of birth}}
      - {id: email, type: email, label: {ja: メールアドレス, en: Email}}
      - {id: agree, type: checkbox, label: {ja: 同意する, en: I agree}}
      - {id: name, type: name, label: {ja: 氏名, en: Name}}
      - {id: floor, type: select, label: 階, options: [{value: 1, label: 1階}, {value: 2, label: 2階}]}
  - id: more
    title: 追加
    fields:
      - id: target
        type: text
        label: 対象
        show_if: %s
"""


@cache
def condition(show_if: str):
    """The parsed form of a `show_if` written in YAML (flow style)."""
    return definition(SUBJECTS % show_if, "conditions").page("more").fields[0].show_if


def holds(show_if: str, answers: dict, today: date | None = TODAY) -> bool:
    return evaluate(condition(show_if), answers, today=today)


# --- operators ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("show_if", "answers", "expected"),
    [
        ("{field: licence_type, equals: gun1}", {"licence_type": "gun1"}, True),
        ("{field: licence_type, equals: gun1}", {"licence_type": "gun2"}, False),
        ("{field: licence_type, not_equals: net}", {"licence_type": "trap"}, True),
        ("{field: licence_type, not_equals: net}", {"licence_type": "net"}, False),
        ("{field: licence_type, in: [gun1, gun2]}", {"licence_type": "gun2"}, True),
        ("{field: licence_type, in: [gun1, gun2]}", {"licence_type": "trap"}, False),
        ("{field: licence_type, not_in: [gun1, gun2]}", {"licence_type": "trap"}, True),
        ("{field: licence_type, not_in: [gun1, gun2]}", {"licence_type": "gun1"}, False),
        ("{field: age, gt: 64}", {"age": 65}, True),
        ("{field: age, gt: 65}", {"age": 65}, False),
        ("{field: age, gte: 65}", {"age": 65}, True),
        ("{field: age, gte: 65}", {"age": 64}, False),
        ("{field: age, lt: 20}", {"age": 19}, True),
        ("{field: age, lt: 20}", {"age": 20}, False),
        ("{field: age, lte: 20}", {"age": 20}, True),
        ("{field: age, lte: 20}", {"age": 21}, False),
        ("{field: age, equals: 0}", {"age": 0}, True),
        ("{field: email, filled: true}", {"email": "taro@example.jp"}, True),
        ("{field: email, filled: true}", {"email": ""}, False),
        ("{field: email, filled: false}", {}, True),
        ("{field: email, filled: false}", {"email": "taro@example.jp"}, False),
        ("{field: age, filled: true}", {"age": 0}, True),  # 0 is an answer
        ("{field: benefits, filled: true}", {"benefits": []}, False),
        ("{field: name, filled: true}", {"name": {"family": "", "given": ""}}, False),
        ("{field: name, filled: true}", {"name": {"family": "山田", "given": ""}}, True),
        ("{field: agree, equals: true}", {"agree": True}, True),
        ("{field: agree, equals: true}", {"agree": False}, False),
        ("{field: agree, filled: true}", {"agree": False}, False),  # an unticked box
        ("{field: floor, equals: 2}", {"floor": "2"}, True),  # option values are strings
        ("{field: floor, in: [1]}", {"floor": "2"}, False),
    ],
)
def test_operator(show_if, answers, expected):
    assert holds(show_if, answers) is expected


@pytest.mark.parametrize(
    ("show_if", "answers", "expected"),
    [
        ("{field: benefits, equals: single}", {"benefits": ["child", "single"]}, True),
        ("{field: benefits, equals: single}", {"benefits": ["child"]}, False),
        (
            "{field: benefits, in: [single, disability]}",
            {"benefits": ["child", "disability"]},
            True,
        ),
        ("{field: benefits, in: [single, disability]}", {"benefits": ["child"]}, False),
        ("{field: benefits, not_equals: child}", {"benefits": ["single"]}, True),
        ("{field: benefits, not_equals: child}", {"benefits": ["child", "single"]}, False),
        ("{field: benefits, not_in: [single, disability]}", {"benefits": ["child"]}, True),
        (
            "{field: benefits, not_in: [single, disability]}",
            {"benefits": ["child", "single"]},
            False,
        ),
    ],
)
def test_checkboxes_answer_contains_the_value(show_if, answers, expected):
    assert holds(show_if, answers) is expected


@pytest.mark.parametrize(
    ("show_if", "answers", "expected"),
    [
        ("{field: birth_date, lt: 2000-01-01}", {"birth_date": "1999-12-31"}, True),
        ("{field: birth_date, lt: 2000-01-01}", {"birth_date": "2000-01-01"}, False),
        ("{field: birth_date, gte: 2000-01-01}", {"birth_date": "2000-01-01"}, True),
        # an adult: born on or before 18 years ago
        ("{field: birth_date, lte: today-18y}", {"birth_date": "2006-04-01"}, True),
        ("{field: birth_date, lte: today-18y}", {"birth_date": "2006-04-02"}, False),
        # a minor
        ("{field: birth_date, gt: today-18y}", {"birth_date": "2010-05-05"}, True),
        ("{field: birth_date, gt: today-18y}", {"birth_date": "1980-05-05"}, False),
        ("{field: birth_date, gte: today}", {"birth_date": "2024-04-01"}, True),
        ("{field: birth_date, lt: today-30d}", {"birth_date": "2024-03-01"}, True),
        ("{field: birth_date, lt: today-30d}", {"birth_date": "2024-03-02"}, False),
        ("{field: birth_date, equals: today}", {"birth_date": "2024-04-01"}, True),
        ("{field: birth_date, equals: today}", {"birth_date": "2024-03-31"}, False),
        ("{field: birth_date, not_equals: today}", {"birth_date": "2024-03-31"}, True),
        ("{field: birth_date, in: [today, today-1d]}", {"birth_date": "2024-03-31"}, True),
        ("{field: birth_date, equals: 2024-04-01}", {"birth_date": "2024-04-01"}, True),
    ],
)
def test_dates_compared(show_if, answers, expected):
    assert holds(show_if, answers) is expected


def test_today_is_the_one_given():
    adult = "{field: birth_date, lte: today-18y}"
    born = {"birth_date": "2006-04-02"}
    assert holds(adult, born, today=date(2024, 4, 1)) is False
    assert holds(adult, born, today=date(2024, 4, 2)) is True


@pytest.mark.parametrize(
    "show_if",
    [
        "{field: licence_type, equals: gun1}",
        "{field: licence_type, in: [gun1, gun2]}",
        "{field: age, gt: 0}",
        "{field: age, gte: 0}",
        "{field: age, lt: 100}",
        "{field: age, lte: 100}",
        "{field: benefits, equals: child}",
        "{field: birth_date, lte: today}",
        "{field: email, filled: true}",
        "{field: agree, equals: true}",
    ],
)
def test_unanswered_field_does_not_meet_a_condition(show_if):
    assert holds(show_if, {}) is False
    assert holds(show_if, {"licence_type": None, "age": None, "birth_date": None}) is False


# --- combinators --------------------------------------------------------------------------

GUN_ADULT = "{all: [{field: licence_type, in: [gun1, gun2]}, {field: age, gte: 20}]}"
SUPPORT = "{any: [{field: benefits, equals: single}, {field: age, gte: 75}]}"
NOT_NET = "{not: {field: licence_type, equals: net}}"
NESTED = (
    "{all: [{any: [{field: licence_type, equals: gun1}, {field: licence_type, equals: gun2}]},"
    " {not: {any: [{field: age, lt: 20}, {field: email, filled: false}]}}]}"
)


@pytest.mark.parametrize(
    ("show_if", "answers", "expected"),
    [
        (GUN_ADULT, {"licence_type": "gun1", "age": 20}, True),
        (GUN_ADULT, {"licence_type": "gun1", "age": 19}, False),
        (GUN_ADULT, {"licence_type": "trap", "age": 40}, False),
        (GUN_ADULT, {"licence_type": "gun2"}, False),
        (SUPPORT, {"benefits": ["single"], "age": 30}, True),
        (SUPPORT, {"benefits": [], "age": 80}, True),
        (SUPPORT, {"benefits": ["child"], "age": 74}, False),
        (SUPPORT, {}, False),
        (NOT_NET, {"licence_type": "trap"}, True),
        (NOT_NET, {"licence_type": "net"}, False),
        (NOT_NET, {}, True),
        (NESTED, {"licence_type": "gun2", "age": 30, "email": "a@example.jp"}, True),
        (NESTED, {"licence_type": "gun2", "age": 19, "email": "a@example.jp"}, False),
        (NESTED, {"licence_type": "gun1", "age": 30}, False),
        (NESTED, {"licence_type": "net", "age": 30, "email": "a@example.jp"}, False),
    ],
)
def test_combinators(show_if, answers, expected):
    assert holds(show_if, answers) is expected


def test_referenced():
    assert referenced(condition(NESTED)) == {"licence_type", "age", "email"}
    assert referenced(condition(NOT_NET)) == {"licence_type"}
    assert referenced(condition("{field: age, gte: 65}")) == {"age"}
    assert referenced(None) == set()


# --- describe: a condition in words, when the page cannot hide the field -----------------


def words(show_if: str, lang: str, *, wrap: bool = True) -> str:
    defn = definition(SUBJECTS % show_if, "conditions")

    def label(field_id):
        return defn.field(field_id).label.get(lang)

    def value(field_id, v):
        f = defn.field(field_id)
        return next((o.label.get(lang) for o in f.options if o.value == str(v)), str(v))

    return describe(condition(show_if), label, value, lang, wrap=wrap)


@pytest.mark.parametrize(
    ("show_if", "ja", "en"),
    [
        (
            "{field: licence_type, equals: gun1}",
            "「更新する免許」が「第一種銃猟免許」である場合に回答してください。",
            "Answer this only if “Licence to renew” is “Gun (first class)”.",
        ),
        (
            "{field: licence_type, not_equals: net}",
            "「更新する免許」が「網猟免許」以外である場合に回答してください。",
            "Answer this only if “Licence to renew” is not “Net”.",
        ),
        (
            "{field: licence_type, in: [gun1, gun2]}",
            "「更新する免許」が「第一種銃猟免許、第二種銃猟免許」のいずれかである場合に回答してください。",
            "Answer this only if “Licence to renew” is one of Gun (first class), Gun (second class).",
        ),
        (
            "{field: licence_type, not_in: [net, trap]}",
            "「更新する免許」が「網猟免許、わな猟免許」のいずれでもない場合に回答してください。",
            "Answer this only if “Licence to renew” is none of Net, Trap.",
        ),
        (
            "{field: age, gte: 65}",
            "「年齢」が65以上である場合に回答してください。",
            "Answer this only if “Age” is 65 or more.",
        ),
        (
            "{field: age, lt: 20}",
            "「年齢」が20より小さい場合に回答してください。",
            "Answer this only if “Age” is less than 20.",
        ),
        (
            "{field: email, filled: true}",
            "「メールアドレス」を入力した場合に回答してください。",
            "Answer this only if “Email” is answered.",
        ),
        (
            "{field: email, filled: false}",
            "「メールアドレス」を入力していない場合に回答してください。",
            "Answer this only if “Email” is not answered.",
        ),
        (
            GUN_ADULT,
            "「更新する免許」が「第一種銃猟免許、第二種銃猟免許」のいずれかである かつ "
            "「年齢」が20以上である場合に回答してください。",
            "Answer this only if “Licence to renew” is one of Gun (first class), Gun (second class)"
            " and “Age” is 20 or more.",
        ),
        (
            NOT_NET,
            "（「更新する免許」が「網猟免許」である）に当てはまらない場合に回答してください。",
            "Answer this only if not (“Licence to renew” is “Net”).",
        ),
        (
            "{all: [{any: [{field: licence_type, equals: gun1}, {field: age, gte: 65}]},"
            " {field: email, filled: true}]}",
            "（「更新する免許」が「第一種銃猟免許」である または 「年齢」が65以上である） かつ "
            "「メールアドレス」を入力した場合に回答してください。",
            "Answer this only if (“Licence to renew” is “Gun (first class)” or “Age” is 65 or more)"
            " and “Email” is answered.",
        ),
    ],
)
def test_describe(show_if, ja, en):
    assert words(show_if, "ja") == ja
    assert words(show_if, "en") == en


def test_describe_in_easy_japanese_uses_japanese_words_and_without_wrapping():
    assert (
        words("{field: age, gte: 65}", "ja-easy")
        == "「年齢」が65以上である場合に回答してください。"
    )
    assert words("{field: age, gte: 65}", "ja", wrap=False) == "「年齢」が65以上である"
    assert describe(None, str, str, "ja") == ""


# --- hiding through validate_all ----------------------------------------------------------

FLOW = """\
pages:
  - id: applicant
    title: 申請者
    fields:
      - {id: age, type: integer, label: 年齢, required: true}
      - id: licence_type
        type: radio
        label: 更新する免許
        required: true
        options: [{value: net, label: 網猟免許}, {value: gun1, label: 第一種銃猟免許}]
      - id: has_permit
        type: radio
        label: 銃砲所持許可の有無
        required: true
        options: [{value: "yes", label: あり}, {value: "no", label: なし}]
        show_if: {field: licence_type, equals: gun1}
      - id: permit_number
        type: text
        label: 許可証の番号
        required: true
        pattern: '^[0-9]{6,8}$'
        show_if: {field: has_permit, equals: "yes"}
  - id: senior
    title: 高齢者講習
    show_if: {field: age, gte: 75}
    fields:
      - {id: lecture_date, type: date, label: 受講日, required: true, max: today}
      - {id: lecture_place, type: text, label: 受講場所}
  - id: guardian
    title: 保護者
    show_if: {field: age, lt: 20}
    fields:
      - {id: guardian_name, type: text, label: 保護者氏名, required: true}
  - id: finish
    title: 確認
    fields:
      - id: certificate_number
        type: text
        label: 修了証明書の番号
        required: true
        show_if: {field: lecture_place, filled: true}
      - {id: agree, type: checkbox, label: 同意する, required: true}
"""


@cache
def flow() -> FormDefinition:
    return definition(FLOW, "conditions-flow")


CTX = Context(today=TODAY)


def test_hidden_field_is_not_validated_and_its_answer_is_dropped():
    raw = {
        "age": 40,
        "licence_type": "net",
        "has_permit": "maybe",
        "permit_number": "abc",
        "agree": True,
    }
    result = validate_all(flow(), raw, CTX)
    assert result.errors == {}
    assert result.values == {"age": 40, "licence_type": "net", "agree": True}


def test_hidden_required_field_gives_no_error():
    result = validate_all(flow(), {"age": 40, "licence_type": "net", "agree": True}, CTX)
    assert result.ok


def test_shown_field_is_validated():
    raw = {"age": 40, "licence_type": "gun1", "has_permit": "yes", "agree": True}
    assert validate_all(flow(), raw, CTX).errors == {
        "permit_number": ["許可証の番号を入力してください。"]
    }


def test_hiding_cascades():
    """has_permit is hidden, so permit_number, which depends on it, is hidden too."""
    raw = {
        "age": 40,
        "licence_type": "net",
        "has_permit": "yes",
        "permit_number": "12",
        "agree": True,
    }
    result = validate_all(flow(), raw, CTX)
    assert result.errors == {}
    assert "has_permit" not in result.values
    assert "permit_number" not in result.values


def test_hiding_cascades_through_a_hidden_page():
    """lecture_place is on a page skipped at 40, so certificate_number is not asked."""
    raw = {
        "age": 40,
        "licence_type": "net",
        "lecture_date": "2024-05-01",
        "lecture_place": "津市",
        "agree": True,
    }
    result = validate_all(flow(), raw, CTX)
    assert result.errors == {}
    assert result.values == {"age": 40, "licence_type": "net", "agree": True}


def test_page_show_if_skips_the_page():
    adult = {"age": 40, "licence_type": "net", "agree": True}
    assert [p.id for p in visible_pages(flow(), adult, CTX)] == ["applicant", "finish"]
    assert validate_all(flow(), adult, CTX).ok

    senior = {**adult, "age": 80}
    assert [p.id for p in visible_pages(flow(), senior, CTX)] == ["applicant", "senior", "finish"]
    assert validate_all(flow(), senior, CTX).errors == {
        "lecture_date": ["受講日を入力してください。"]
    }

    minor = {**adult, "age": 18}
    assert [p.id for p in visible_pages(flow(), minor, CTX)] == ["applicant", "guardian", "finish"]
    assert validate_all(flow(), minor, CTX).errors == {
        "guardian_name": ["保護者氏名を入力してください。"]
    }


def test_a_field_on_a_shown_page_depends_on_an_answer_there():
    raw = {
        "age": 80,
        "licence_type": "net",
        "lecture_date": "令和6年3月1日",
        "lecture_place": "津市",
        "agree": True,
    }
    result = validate_all(flow(), raw, CTX)
    assert result.errors == {"certificate_number": ["修了証明書の番号を入力してください。"]}
    assert result.values["lecture_date"] == "2024-03-01"


def test_page_condition_on_a_date_uses_the_given_today():
    body = """\
    pages:
      - id: applicant
        title: 申請者
        fields:
          - {id: birth_date, type: date, label: 生年月日, required: true}
      - id: guardian
        title: 保護者
        show_if: {field: birth_date, gt: today-18y}
        fields:
          - {id: guardian_name, type: text, label: 保護者氏名, required: true}
    """
    defn = definition(body, "conditions-minor")
    born = {"birth_date": "2006-04-02"}
    assert validate_all(defn, born, Context(today=date(2024, 4, 1))).errors == {
        "guardian_name": ["保護者氏名を入力してください。"]
    }
    assert validate_all(defn, born, Context(today=date(2024, 4, 2))).ok
    assert [p.id for p in visible_pages(defn, born, Context(today=date(2024, 4, 2)))] == [
        "applicant"
    ]


# --- fields inside a group with a condition on an earlier top-level field -----------------

GROUP_FORM = """\
pages:
  - id: family
    title: 世帯
    fields:
      - id: has_children
        type: radio
        label: お子さんの有無
        required: true
        options: [{value: "yes", label: あり}, {value: "no", label: なし}]
      - id: household
        type: group
        label: 世帯員
        fields:
          - {id: member_name, type: text, label: 氏名, required: true}
          - id: school
            type: text
            label: 在籍する学校
            required: true
            show_if: {field: has_children, equals: "yes"}
"""


def test_inner_field_hidden_by_a_top_level_answer():
    defn = definition(GROUP_FORM, "conditions-group")
    raw = {
        "has_children": "no",
        "household": [
            {"member_name": "山田花子", "school": "津小学校"},
            {"member_name": "山田一郎"},
        ],
    }
    result = validate_all(defn, raw, CTX)
    assert result.errors == {}
    assert result.values["household"] == [{"member_name": "山田花子"}, {"member_name": "山田一郎"}]


def test_inner_field_shown_by_a_top_level_answer():
    defn = definition(GROUP_FORM, "conditions-group")
    raw = {
        "has_children": "yes",
        "household": [
            {"member_name": "山田花子", "school": "津小学校"},
            {"member_name": "山田一郎"},
        ],
    }
    result = validate_all(defn, raw, CTX)
    assert result.errors == {"household[1].school": ["在籍する学校を入力してください。"]}
    assert result.values["household"][0] == {"member_name": "山田花子", "school": "津小学校"}


def test_an_unanswered_question_does_not_make_its_dependants_required():
    """A requester who has not chosen a type yet is not asked for an organisation's name."""
    path = Path(__file__).resolve().parents[2] / "forms" / "information-disclosure.yaml"
    defn, problems = parse(path.read_text(encoding="utf-8"))
    assert not problems
    page = defn.page("requester")
    org = {"field": "requester_type", "not_equals": "individual"}
    assert evaluate(org, {}) is False and evaluate(org, {"requester_type": ""}) is False
    assert evaluate(org, {"requester_type": "corporation"}) is True
    assert evaluate({"field": "requester_type", "not_in": ["individual"]}, {}) is False
    result = validate_all(defn, {}, Context(lang="en", today=TODAY), unknown_is_error=False)
    messages = [m for f in page.fields for m in result.errors.get(f.id, [])]
    assert not any("organisation" in m for m in messages), messages


# --- which conditions a browser may evaluate as the resident answers ----------------------


@pytest.mark.parametrize(
    ("show_if", "revealed"),
    [
        ("{field: licence_type, equals: gun1}", True),
        ("{field: licence_type, not_in: [net, trap]}", True),
        ("{field: benefits, equals: child}", True),
        ("{field: floor, in: [1, 2]}", True),
        (
            "{any: [{field: licence_type, equals: net}, {not: {field: benefits, filled: true}}]}",
            True,
        ),
        # numbers, dates, free text and single tick boxes keep their words
        ("{field: age, gte: 65}", False),
        ("{field: birth_date, lte: today-18y}", False),
        ("{field: email, filled: true}", False),
        ("{field: agree, equals: true}", False),
        ("{all: [{field: licence_type, equals: gun1}, {field: age, gte: 20}]}", False),
    ],
)
def test_a_browser_reveals_only_what_it_can_evaluate_as_the_server_does(show_if, revealed):
    defn = definition(SUBJECTS % show_if, "reveal")

    def has_options(fid):
        f = defn.field(fid)
        return bool(f and f.options)

    assert revealable(condition(show_if), has_options) is revealed


def test_a_condition_as_json_reads_back_as_written():
    parsed = condition(
        "{any: [{field: licence_type, in: [gun1, gun2]}, {not: {field: floor, equals: 1}}]}"
    )
    assert json.loads(as_json(parsed)) == {
        "any": [
            {"field": "licence_type", "in": ["gun1", "gun2"]},
            {"not": {"field": "floor", "equals": "1"}},  # as stored: a string
        ]
    }
