"""Answers against a whole form: unknown fields, page-by-page validation, pruning after a
change, the shared rendering (check page, receipt, emails), and the HTML (WTForms) side
giving the same verdict as the JSON API.
"""

from __future__ import annotations

import textwrap
from datetime import date
from functools import cache

import pytest
from werkzeug.datastructures import MultiDict

from app.formengine import Context, FormDefinition, flat, prune, render, validate_all, validate_page
from app.formengine.parser import parse
from app.formengine.postal import lookup
from app.formengine.wtf import answers_from, bind

TODAY = date(2024, 4, 1)
CTX = Context(today=TODAY, postal_lookup=lookup)


def definition(body: str, form_id: str) -> FormDefinition:
    text = f"id: {form_id}\nversion: 1\nprocedure: P-0001\ntitle: 試験\n" + textwrap.dedent(body)
    defn, problems = parse(text)
    assert not problems, problems
    return defn


FORM = """\
languages: [ja, en, ja-easy]
pages:
  - id: applicant
    title: {ja: 申請者, en: Applicant, ja-easy: しんせいする ひと}
    fields:
      - {id: name, type: name, label: {ja: 氏名, en: Full name, ja-easy: なまえ}, required: true}
      - id: birth_date
        type: date
        label: {ja: 生年月日, en: Date of birth}
        required: true
        max: today
      - {id: phone, type: tel, label: {ja: 電話番号, en: Phone}}
  - id: licence
    title: {ja: 免許の種類, en: Licence}
    fields:
      - {id: intro, type: heading, text: {ja: 更新する免許, en: Licence to renew}}
      - id: licence_type
        type: radio
        label: {ja: 更新する免許, en: Licence to renew}
        required: true
        options:
          - {value: net, label: {ja: 網猟免許, en: Net}}
          - {value: gun1, label: {ja: 第一種銃猟免許, en: Gun (first class)}}
      - id: gun_permit_number
        type: text
        label: {ja: 銃砲所持許可証の番号, en: Gun permit number}
        required: true
        pattern: '^[0-9]{6,8}$'
        show_if: {field: licence_type, equals: gun1}
      - id: guardian_consent
        type: checkbox
        label: {ja: 保護者の同意を得ています, en: My guardian agrees}
        required: true
        show_if: {field: birth_date, gt: today-20y}
      - id: extras
        type: checkboxes
        label: {ja: 追加の申請, en: Also apply for}
        options:
          - {value: card, label: {ja: 免状の再交付, en: New licence card}}
          - {value: address, label: {ja: 住所変更, en: Change of address}}
      - {id: fee, type: integer, label: {ja: 手数料, en: Fee}, unit: {ja: 円, en: " yen"}}
  - id: household
    title: {ja: 世帯, en: Household}
    fields:
      - id: has_children
        type: radio
        label: {ja: お子さんの有無, en: Children}
        options: [{value: "yes", label: {ja: あり, en: "Yes"}}, {value: "no", label: {ja: なし, en: "No"}}]
      - id: members
        type: group
        label: {ja: 世帯員, en: Household members}
        item_label: {ja: 世帯員, en: Member}
        fields:
          - id: relation
            type: select
            label: {ja: 続柄, en: Relationship, ja-easy: かぞくの かんけい}
            options: [{value: spouse, label: {ja: 配偶者, en: Spouse}}, {value: child, label: {ja: 子, en: Child}}]
          - {id: member_name, type: text, label: {ja: 氏名, en: Name}}
          - {id: school, type: text, label: {ja: 学校名, en: School}, show_if: {field: has_children, equals: "yes"}}
  - id: senior
    title: {ja: 高齢者講習, en: Course for older drivers}
    show_if: {field: birth_date, lte: today-75y}
    fields:
      - {id: lecture_date, type: date, label: {ja: 受講日, en: Course date}, required: true}
  - id: consent
    title: {ja: 確認事項, en: Declaration}
    fields:
      - {id: agree, type: checkbox, label: {ja: 内容に誤りはありません, en: My answers are correct}, required: true}
"""


@cache
def form() -> FormDefinition:
    return definition(FORM, "answers")


YAMADA = {"family": "山田", "given": "太郎", "family_kana": "ヤマダ", "given_kana": "タロウ"}
ANSWERS = {  # the stored answers of a complete application
    "name": YAMADA,
    "birth_date": "1980-05-05",
    "phone": "0592242000",
    "licence_type": "gun1",
    "gun_permit_number": "1234567",
    "extras": ["card", "address"],
    "fee": 2900,
    "has_children": "yes",
    "members": [
        {"relation": "spouse", "member_name": "山田花子"},
        {"relation": "child", "member_name": "山田一郎", "school": "津市立南が丘小学校"},
    ],
    "agree": True,
}


def test_complete_answers_are_valid_and_kept_as_they_are():
    result = validate_all(form(), ANSWERS, CTX)
    assert result.errors == {}
    assert result.values == ANSWERS


# --- validate_all -------------------------------------------------------------------------


def test_answer_for_a_field_the_form_does_not_have():
    raw = {**ANSWERS, "nickname": "たろう"}
    result = validate_all(form(), raw, CTX)
    assert result.errors == {"nickname": ["この様式にない項目です。"]}
    assert "nickname" not in result.values
    english = validate_all(form(), raw, Context(lang="en", today=TODAY))
    assert english.errors == {"nickname": ["This form has no such field."]}


@pytest.mark.parametrize("key", ["relation", "intro", "senior", "name.family"])
def test_inner_fields_headings_and_pages_are_not_answers(key):
    """Only top-level fields with an answer are; a group's fields live in its items."""
    result = validate_all(form(), {**ANSWERS, key: "x"}, CTX)
    assert result.errors == {key: ["この様式にない項目です。"]}


def test_unknown_answers_ignored_when_asked():
    result = validate_all(form(), {**ANSWERS, "nickname": "たろう"}, CTX, unknown_is_error=False)
    assert result.ok
    assert result.values == ANSWERS


def test_answer_for_a_field_on_a_hidden_page_is_dropped_not_an_error():
    result = validate_all(form(), {**ANSWERS, "lecture_date": "2024-03-01"}, CTX)
    assert result.ok
    assert "lecture_date" not in result.values


def test_every_error_of_the_form_at_once():
    raw = {
        "name": {**YAMADA, "given": ""},
        "birth_date": "1980-02-30",
        "licence_type": "gun1",
        "members": [{"relation": "cousin"}],
    }
    assert validate_all(form(), raw, CTX).errors == {
        "name.given": ["氏名の名を入力してください。"],
        "birth_date": [
            "生年月日を正しい日付で入力してください（例: 2024年4月1日、令和6年4月1日）。"
        ],
        "gun_permit_number": ["銃砲所持許可証の番号を入力してください。"],
        "members[0].relation": ["続柄は選択肢から選んでください。"],
        "agree": ["内容に誤りはありませんにチェックを入れてください。"],
    }


# --- validate_page ------------------------------------------------------------------------


def test_validate_page_sees_the_answers_of_earlier_pages():
    page = form().page("licence")
    raw = {"licence_type": "net"}
    minor = validate_page(form(), page, raw, {"birth_date": "2010-01-01"}, CTX)
    assert minor.errors == {
        "guardian_consent": ["保護者の同意を得ていますにチェックを入れてください。"]
    }
    adult = validate_page(form(), page, raw, {"birth_date": "1980-05-05"}, CTX)
    assert adult.errors == {}
    assert adult.values == {"licence_type": "net"}  # this page's answers only


def test_validate_page_replaces_the_kept_answers_of_the_same_page():
    """What is posted counts, not what was kept from the last visit to the page."""
    page = form().page("licence")
    earlier = {"birth_date": "1980-05-05", "licence_type": "net", "gun_permit_number": "1234567"}
    result = validate_page(
        form(), page, {"licence_type": "gun1", "gun_permit_number": ""}, earlier, CTX
    )
    assert result.errors == {"gun_permit_number": ["銃砲所持許可証の番号を入力してください。"]}
    result = validate_page(
        form(), page, {"licence_type": "net", "gun_permit_number": "abc"}, earlier, CTX
    )
    assert result.ok
    assert result.values == {"licence_type": "net"}


def test_validate_page_normalises():
    page = form().page("applicant")
    raw = {
        "name": {**YAMADA, "family_kana": "やまだ", "given_kana": "ﾀﾛｳ"},
        "birth_date": "S55.5.5",
        "phone": "０５９－２２４－２０００",
    }
    result = validate_page(form(), page, raw, {}, CTX)
    assert result.values == {"name": YAMADA, "birth_date": "1980-05-05", "phone": "0592242000"}


# --- prune --------------------------------------------------------------------------------


def test_prune_after_a_change_on_an_earlier_page():
    changed = {**ANSWERS, "licence_type": "net"}
    kept = prune(form(), changed, CTX)
    assert "gun_permit_number" not in kept
    assert kept == {k: v for k, v in changed.items() if k != "gun_permit_number"}


def test_prune_drops_the_answers_of_a_page_that_is_now_skipped():
    senior = {**ANSWERS, "birth_date": "1945-01-01", "lecture_date": "2024-03-01"}
    assert prune(form(), senior, CTX)["lecture_date"] == "2024-03-01"
    younger = {**senior, "birth_date": "1980-05-05"}
    assert "lecture_date" not in prune(form(), younger, CTX)


def test_prune_drops_answers_of_fields_inside_a_group_that_are_now_hidden():
    kept = prune(form(), {**ANSWERS, "has_children": "no"}, CTX)
    assert kept["members"] == [
        {"relation": "spouse", "member_name": "山田花子"},
        {"relation": "child", "member_name": "山田一郎"},
    ]


def test_prune_keeps_form_order_and_drops_what_the_form_does_not_have():
    shuffled = dict(reversed(list(ANSWERS.items())))
    kept = prune(form(), {**shuffled, "nickname": "たろう"}, CTX)
    assert list(kept) == list(ANSWERS)


def test_prune_cascades():
    """Adult again: guardian_consent goes; nothing else depends on it."""
    minor = {**ANSWERS, "birth_date": "2010-01-01", "guardian_consent": True}
    assert prune(form(), minor, CTX)["guardian_consent"] is True
    assert "guardian_consent" not in prune(form(), {**minor, "birth_date": "1980-05-05"}, CTX)


# --- render: the one rendering of answers -------------------------------------------------


def shown(sections):
    """Sections as (title, [(label, value or [(item title, [(label, value)])])])."""
    out = []
    for s in sections:
        rows = []
        for r in s.rows:
            if r.items:
                rows.append(
                    (r.label, [(t, [(x.label, x.value) for x in items]) for t, items in r.items])
                )
            else:
                rows.append((r.label, r.value))
        out.append((s.title, rows))
    return out


def test_render_in_japanese():
    assert shown(render(form(), ANSWERS, "ja", CTX)) == [
        (
            "申請者",
            [
                ("氏名", "山田 太郎（ヤマダ タロウ）"),
                ("生年月日", "1980年5月5日（昭和55年）"),
                ("電話番号", "059-224-2000"),
            ],
        ),
        (
            "免許の種類",
            [
                ("更新する免許", "第一種銃猟免許"),
                ("銃砲所持許可証の番号", "1234567"),
                ("追加の申請", "免状の再交付、住所変更"),
                ("手数料", "2,900円"),
            ],
        ),
        (
            "世帯",
            [
                ("お子さんの有無", "あり"),
                (
                    "世帯員",
                    [
                        ("世帯員 1", [("続柄", "配偶者"), ("氏名", "山田花子")]),
                        (
                            "世帯員 2",
                            [
                                ("続柄", "子"),
                                ("氏名", "山田一郎"),
                                ("学校名", "津市立南が丘小学校"),
                            ],
                        ),
                    ],
                ),
            ],
        ),
        ("確認事項", [("内容に誤りはありません", "はい")]),
    ]


def test_render_in_english():
    assert shown(render(form(), ANSWERS, "en", CTX)) == [
        (
            "Applicant",
            [
                ("Full name", "山田 太郎（ヤマダ タロウ）"),
                ("Date of birth", "5 May 1980"),
                ("Phone", "059-224-2000"),
            ],
        ),
        (
            "Licence",
            [
                ("Licence to renew", "Gun (first class)"),
                ("Gun permit number", "1234567"),
                ("Also apply for", "New licence card, Change of address"),
                ("Fee", "2,900 yen"),
            ],
        ),
        (
            "Household",
            [
                ("Children", "Yes"),
                (
                    "Household members",
                    [
                        ("Member 1", [("Relationship", "Spouse"), ("Name", "山田花子")]),
                        (
                            "Member 2",
                            [
                                ("Relationship", "Child"),
                                ("Name", "山田一郎"),
                                ("School", "津市立南が丘小学校"),
                            ],
                        ),
                    ],
                ),
            ],
        ),
        ("Declaration", [("My answers are correct", "Yes")]),
    ]


def test_render_in_easy_japanese_falls_back_to_japanese():
    sections = shown(render(form(), ANSWERS, "ja-easy", CTX))
    assert sections[0] == (
        "しんせいする ひと",
        [
            ("なまえ", "山田 太郎（ヤマダ タロウ）"),
            ("生年月日", "1980年5月5日（昭和55年）"),
            ("電話番号", "059-224-2000"),
        ],
    )
    assert sections[1][0] == "免許の種類"
    household = dict(sections[2][1])
    assert household["世帯員"][0] == (
        "世帯員 1",
        [("かぞくの かんけい", "配偶者"), ("氏名", "山田花子")],
    )


def test_render_dates_by_era():
    senior = {**ANSWERS, "birth_date": "1945-01-01", "lecture_date": "2019-05-01"}
    sections = {s.page_id: s for s in render(form(), senior, "ja", CTX)}
    assert sections["applicant"].rows[1].value == "1945年1月1日（昭和20年）"
    assert sections["senior"].rows[0].value == "2019年5月1日（令和元年）"
    assert render(form(), {**senior, "lecture_date": "2024-04-01"}, "ja", CTX)[3].rows[0].value == (
        "2024年4月1日（令和6年）"
    )
    assert render(form(), senior, "en", CTX)[3].rows[0].value == "1 May 2019"


def test_render_shows_only_visible_pages_and_fields():
    net = {**ANSWERS, "licence_type": "net", "lecture_date": "2024-03-01"}  # stale answers
    sections = render(form(), net, "ja", CTX)
    assert [s.page_id for s in sections] == ["applicant", "licence", "household", "consent"]
    licence = next(s for s in sections if s.page_id == "licence")
    assert [r.field_id for r in licence.rows] == ["licence_type", "extras", "fee"]  # no heading
    senior = {**net, "birth_date": "1945-01-01"}
    assert [s.page_id for s in render(form(), senior, "ja", CTX)] == [
        "applicant",
        "licence",
        "household",
        "senior",
        "consent",
    ]


def test_render_leaves_out_hidden_fields_inside_a_group():
    sections = render(form(), {**ANSWERS, "has_children": "no"}, "ja", CTX)
    members = sections[2].rows[1]
    assert [[r.label for r in rows] for _, rows in members.items] == [
        ["続柄", "氏名"],
        ["続柄", "氏名"],
    ]


def test_render_unanswered_optional_field_is_blank():
    without = {k: v for k, v in ANSWERS.items() if k not in ("phone", "extras")}
    rows = {r.field_id: r.value for s in render(form(), without, "ja", CTX) for r in s.rows}
    assert rows["phone"] == ""
    assert rows["extras"] == ""


def test_flat_spells_out_group_items():
    pairs = flat(render(form(), ANSWERS, "ja", CTX))
    assert ("世帯員 / 世帯員 2 / 学校名", "津市立南が丘小学校") in pairs
    assert pairs[0] == ("氏名", "山田 太郎（ヤマダ タロウ）")
    assert ("世帯員", "") not in pairs


# --- WTForms: the HTML flow reads posted forms into the JSON shape ------------------------

ALL_TYPES = """\
pages:
  - id: everything
    title: すべて
    fields:
      - {id: full_name, type: name, label: 氏名, required: true}
      - {id: birth_date, type: date, label: 生年月日, required: true, max: today}
      - {id: age, type: integer, label: 年齢, min: 0}
      - {id: email, type: email, label: メールアドレス}
      - {id: phone, type: tel, label: 電話番号}
      - {id: town, type: text, label: 町名, charset: jis}
      - {id: memo, type: textarea, label: 備考}
      - id: licence_type
        type: select
        label: 免許
        options: [{value: net, label: 網猟免許}, {value: gun1, label: 第一種銃猟免許}]
      - id: method
        type: radio
        label: 受け取り方法
        options: [{value: post, label: 郵送}, {value: counter, label: 窓口}]
      - id: extras
        type: checkboxes
        label: 追加の申請
        max_selected: 2
        options: [{value: a, label: 甲}, {value: b, label: 乙}, {value: c, label: 丙}]
      - {id: agree, type: checkbox, label: 同意する, required: true}
      - {id: address, type: address, label: 住所, required: true}
      - {id: note, type: paragraph, text: 世帯員を記入してください。}
      - id: household
        type: group
        label: 世帯員
        repeat: {max: 3}
        fields:
          - id: relation
            type: select
            label: 続柄
            required: true
            options: [{value: spouse, label: 配偶者}, {value: child, label: 子}]
          - {id: born, type: date, label: 生年月日}
          - id: needs
            type: checkboxes
            label: 支援
            options: [{value: care, label: 介護}, {value: school, label: 就学}]
      - {id: photo, type: file, label: 写真}
"""

# What a browser posts: every text input, even empty; ticked boxes and chosen radios only.
POSTED = [
    ("full_name-family", "山田"),
    ("full_name-given", "太郎"),
    ("full_name-family_kana", "やまだ"),
    ("full_name-given_kana", "ﾀﾛｳ"),
    ("birth_date-era", "昭和"),
    ("birth_date-year", "55"),
    ("birth_date-month", "5"),
    ("birth_date-day", "5"),
    ("age", "４４"),
    ("email", "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ"),
    ("phone", "０５９－２２４－２０００"),
    ("town", " 広明町 "),
    ("memo", "一行目\r\n二行目"),
    ("licence_type", "gun1"),
    ("method", "post"),
    ("extras", "c"),
    ("extras", "a"),
    ("agree", "y"),
    ("address-postal_code", "514-0006"),
    ("address-prefecture", ""),
    ("address-city", ""),
    ("address-street", "13番地"),
    ("address-building", ""),
    ("household-0-relation", "spouse"),
    ("household-0-born-era", ""),
    ("household-0-born-year", "1980"),
    ("household-0-born-month", "1"),
    ("household-0-born-day", "2"),
    ("household-1-relation", "child"),
    ("household-1-born-era", "令和"),
    ("household-1-born-year", "2"),
    ("household-1-born-month", "3"),
    ("household-1-born-day", "4"),
    ("household-1-needs", "school"),
    ("household-2-relation", ""),
    ("household-2-born-era", ""),
    ("household-2-born-year", ""),
    ("household-2-born-month", ""),
    ("household-2-born-day", ""),
]

# The same, read by WTForms into the JSON shape of each answer (nothing normalised yet).
FROM_FORM = {
    "full_name": {"family": "山田", "given": "太郎", "family_kana": "やまだ", "given_kana": "ﾀﾛｳ"},
    "birth_date": {"era": "昭和", "year": "55", "month": "5", "day": "5"},
    "age": "４４",
    "email": "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ",
    "phone": "０５９－２２４－２０００",
    "town": " 広明町 ",
    "memo": "一行目\r\n二行目",
    "licence_type": "gun1",
    "method": "post",
    "extras": ["c", "a"],
    "agree": True,
    "address": {
        "postal_code": "514-0006",
        "prefecture": "",
        "city": "",
        "street": "13番地",
        "building": "",
    },
    "household": [
        {
            "relation": "spouse",
            "born": {"era": "", "year": "1980", "month": "1", "day": "2"},
            "needs": [],
        },
        {
            "relation": "child",
            "born": {"era": "令和", "year": "2", "month": "3", "day": "4"},
            "needs": ["school"],
        },
        {"relation": "", "born": {"era": "", "year": "", "month": "", "day": ""}, "needs": []},
    ],
    "photo": None,  # uploads are stored by the caller, which puts their references in
}

# The same answers as an API client sends them.
API = {
    "full_name": YAMADA,
    "birth_date": "昭和55年5月5日",
    "age": 44,
    "email": "taro@example.jp",
    "phone": "059-224-2000",
    "town": "広明町",
    "memo": "一行目\n二行目",
    "licence_type": "gun1",
    "method": "post",
    "extras": ["a", "c"],
    "agree": True,
    "address": {"postal_code": "5140006", "street": "13番地"},
    "household": [
        {"relation": "spouse", "born": "1980-01-02"},
        {"relation": "child", "born": "R2.3.4", "needs": ["school"]},
    ],
}

STORED = {
    "full_name": YAMADA,
    "birth_date": "1980-05-05",
    "age": 44,
    "email": "taro@example.jp",
    "phone": "0592242000",
    "town": "広明町",
    "memo": "一行目\n二行目",
    "licence_type": "gun1",
    "method": "post",
    "extras": ["a", "c"],
    "agree": True,
    "address": {
        "postal_code": "514-0006",
        "prefecture": "三重県",
        "city": "津市広明町",
        "street": "13番地",
        "building": "",
    },
    "household": [
        {"relation": "spouse", "born": "1980-01-02"},
        {"relation": "child", "born": "2020-03-04", "needs": ["school"]},
    ],
}


@cache
def all_types() -> FormDefinition:
    return definition(ALL_TYPES, "answers-wtforms")


def page():
    return all_types().pages[0]


def posted(changes: dict | None = None) -> MultiDict:
    """POSTED with some inputs changed (a list for several values) or left out (None)."""
    data = MultiDict(POSTED)
    for key, value in (changes or {}).items():
        if value is None:
            data.poplist(key)
        else:
            data.setlist(key, value if isinstance(value, list) else [value])
    return data


def from_form(formdata: MultiDict, lang: str = "ja") -> dict:
    return answers_from(all_types(), page(), bind(all_types(), page(), lang, formdata=formdata))


def test_wtforms_reads_every_type_into_the_json_shape():
    assert from_form(posted()) == FROM_FORM


def test_wtforms_reads_the_same_in_every_language():
    assert from_form(posted(), "en") == FROM_FORM


def test_wtforms_and_json_get_the_same_verdict_and_values():
    html = validate_page(all_types(), page(), from_form(posted()), {}, CTX)
    api = validate_page(all_types(), page(), API, {}, CTX)
    assert html.errors == {}
    assert html.values == STORED
    assert api == html
    assert validate_all(all_types(), API, CTX) == html


def test_wtforms_with_nothing_posted():
    html = validate_page(all_types(), page(), from_form(MultiDict()), {}, CTX)
    api = validate_page(all_types(), page(), {}, {}, CTX)
    assert html == api
    assert html.errors == {
        "full_name": ["氏名を入力してください。"],
        "birth_date": ["生年月日を入力してください。"],
        "agree": ["同意するにチェックを入れてください。"],
        "address": ["住所を入力してください。"],
    }


def members(*rows):
    return [{"relation": "spouse", "born": "1980-01-02"}, *rows]


@pytest.mark.parametrize(
    ("post", "api", "errors"),
    [
        (
            {"full_name-given_kana": "taro"},
            {"full_name": {**YAMADA, "given_kana": "taro"}},
            {"full_name.given_kana": ["名（フリガナ）はカタカナで入力してください。"]},
        ),
        (
            {"full_name-given": "", "full_name-given_kana": ""},
            {"full_name": {**YAMADA, "given": "", "given_kana": ""}},
            {
                "full_name.given": ["氏名の名を入力してください。"],
                "full_name.given_kana": ["氏名の名（フリガナ）を入力してください。"],
            },
        ),
        (
            {
                "birth_date-era": "平成",
                "birth_date-year": "31",
                "birth_date-month": "5",
                "birth_date-day": "1",
            },
            {"birth_date": "平成31年5月1日"},
            {
                "birth_date": [
                    "生年月日を正しい日付で入力してください（例: 2024年4月1日、令和6年4月1日）。"
                ]
            },
        ),
        (
            {
                "birth_date-era": "",
                "birth_date-year": "2024",
                "birth_date-month": "4",
                "birth_date-day": "2",
            },
            {"birth_date": "2024-04-02"},
            {"birth_date": ["生年月日は2024年4月1日（令和6年）以前の日付にしてください。"]},
        ),
        ({"age": "四十四"}, {"age": "四十四"}, {"age": ["年齢は数字で入力してください。"]}),
        ({"age": "-1"}, {"age": -1}, {"age": ["年齢は0以上にしてください。"]}),
        (
            {"email": "taro@"},
            {"email": "taro@"},
            {"email": ["メールアドレスを正しい形式（例: name@example.jp）で入力してください。"]},
        ),
        (
            {"phone": "059-224-200"},
            {"phone": "059224200"},
            {
                "phone": [
                    "電話番号は10桁または11桁の電話番号で入力してください（例: 059-224-2000）。"
                ]
            },
        ),
        (
            {"town": "𠮷野町"},
            {"town": "𠮷野町"},
            {
                "town": [
                    "町名に使えない文字「𠮷」が含まれています。別の字体（例: 𠮷→吉）で入力してください。"
                ]
            },
        ),
        (
            {"licence_type": "gun9"},
            {"licence_type": "gun9"},
            {"licence_type": ["免許は選択肢から選んでください。"]},
        ),
        (
            {"method": "drone"},
            {"method": "drone"},
            {"method": ["受け取り方法は選択肢から選んでください。"]},
        ),
        (
            {"extras": ["a", "b", "c"]},
            {"extras": ["a", "b", "c"]},
            {"extras": ["追加の申請は2つまで選べます。"]},
        ),
        (
            {"extras": ["z"]},
            {"extras": ["z"]},
            {"extras": ["追加の申請は選択肢から選んでください。"]},
        ),
        ({"agree": None}, {"agree": False}, {"agree": ["同意するにチェックを入れてください。"]}),
        (
            {"address-postal_code": "999-9999"},
            {"address": {"postal_code": "999-9999", "street": "13番地"}},
            {
                "address.prefecture": ["住所の都道府県を入力してください。"],
                "address.city": ["住所の市区町村・町名を入力してください。"],
                "address.postal_code": [
                    "郵便番号 999-9999 は見つかりませんでした。番号を確かめてください。"
                ],
            },
        ),
        (
            {"address-street": ""},
            {"address": {"postal_code": "514-0006", "street": ""}},
            {"address.street": ["住所の番地を入力してください。"]},
        ),
        (
            {"household-1-relation": "cousin"},
            {"household": members({"relation": "cousin", "born": "R2.3.4", "needs": ["school"]})},
            {"household[1].relation": ["続柄は選択肢から選んでください。"]},
        ),
        (
            {
                "household-0-relation": "",
                "household-0-born-year": "",
                "household-0-born-month": "",
                "household-0-born-day": "",
                "household-1-relation": "",
            },
            {"household": [{}, {"born": "R2.3.4", "needs": ["school"]}]},
            {"household[1].relation": ["続柄を選んでください。"]},
        ),
        (
            {"household-2-relation": "child", "household-3-relation": "child"},
            {
                "household": members(
                    {"relation": "child", "born": "R2.3.4", "needs": ["school"]},
                    {"relation": "child"},
                    {"relation": "child"},
                )
            },
            {"household": ["世帯員は3件までです。"]},
        ),
    ],
)
def test_wtforms_and_json_get_the_same_errors(post, api, errors):
    html = validate_page(all_types(), page(), from_form(posted(post)), {}, CTX)
    json = validate_page(all_types(), page(), {**API, **api}, {}, CTX)
    assert html.errors == errors
    assert json == html


def test_kept_answers_shown_again_and_posted_back_stay_the_same():
    """A resident goes back to the page and presses 次へ without changing anything."""
    again = bind(all_types(), page(), "ja", answers=STORED)
    assert again.full_name.family.data == "山田"
    assert again.birth_date.year.data == "1980"
    assert [entry.relation.data for entry in again.household.entries] == ["spouse", "child"]
    result = validate_page(all_types(), page(), answers_from(all_types(), page(), again), {}, CTX)
    assert result.errors == {}
    assert result.values == STORED


def test_adding_a_group_item_gives_a_blank_row_that_is_not_an_answer():
    form = bind(all_types(), page(), "ja", answers=STORED, extra_items={"household": 1})
    raw = answers_from(all_types(), page(), form)
    assert len(raw["household"]) == 3
    assert validate_page(all_types(), page(), raw, {}, CTX).values == STORED
