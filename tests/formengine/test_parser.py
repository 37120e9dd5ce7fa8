"""Valid definitions become the model: the spec's complete example and each feature."""

from __future__ import annotations

import textwrap
from types import MappingProxyType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.formengine.model import Fee, FormDefinition, Option, Output, Text
from app.formengine.parser import check_file, parse

# The complete example of shared spec form-definition.md, as it is there.
EXAMPLE = """\
id: hunting-licence-renewal          # [a-z0-9-]+, unique; the URL is /apply/<id>
version: 3                           # integer; bump it when you change the form
procedure: P-0312                    # the catalogue code this form serves
title:
  ja: 狩猟免許の更新申請
  en: Renewal of a hunting licence
description:
  ja: 有効期限の3か月前から申請できます。
languages: [ja, en]                  # optional; ja is always the fallback
processing_days: 10                  # 標準処理期間, business days (optional)
fee: {amount: 2900, label: {ja: 更新手数料}}   # optional, shown on the start page
before_you_start:                    # optional list shown on the start page
  - {ja: 現在の狩猟免状, en: Your current licence}
declaration:                         # optional; shown on the check page, must be accepted
  ja: 上記のとおり申請します。記載内容は事実と相違ありません。
what_happens_next:                   # optional; shown on the done page and the receipt
  ja: 審査の結果は10営業日以内にメールでお知らせします。
outputs:                             # optional; what happens after a submission is stored
  - {type: email, to: shizen@example.pref.mie.lg.jp}     # notify the department
  - {type: webhook, url: https://backoffice.example/api/intake}   # hand-off, retried
pages:
  - id: applicant
    title: {ja: 申請者, en: Applicant}
    fields:
      - id: name
        type: name                   # family / given names, with kana
        label: {ja: 氏名, en: Full name}
        required: true
      - id: birth_date
        type: date
        label: {ja: 生年月日, en: Date of birth}
        required: true
        max: today
      - id: address
        type: address                # 郵便番号 → 住所 lookup, then street and building
        label: {ja: 住所, en: Address}
        required: true
      - id: phone
        type: tel
        label: {ja: 電話番号, en: Phone}
        required: true
      - id: email
        type: email
        label: {ja: メールアドレス, en: Email}
        help: {ja: 受付完了のお知らせを送ります。}
  - id: licence
    title: {ja: 免許の種類}
    fields:
      - id: licence_type
        type: radio
        label: {ja: 更新する免許, en: Licence to renew}
        required: true
        options:
          - {value: net, label: {ja: 網猟免許, en: Net}}
          - {value: trap, label: {ja: わな猟免許, en: Trap}}
          - {value: gun1, label: {ja: 第一種銃猟免許, en: Gun (first class)}}
      - id: gun_permit_number
        type: text
        label: {ja: 銃砲所持許可証の番号}
        pattern: '^[0-9]{6,8}$'
        pattern_message: {ja: 6〜8桁の数字で入力してください。}
        required: true
        show_if: {field: licence_type, equals: gun1}
  - id: documents
    title: {ja: 添付書類}
    fields:
      - id: photo
        type: file
        label: {ja: 顔写真, en: Photo}
        accept: [image/jpeg, image/png]
        max_size_mb: 5
        required: true
      - id: medical_certificate
        type: file
        label: {ja: 診断書}
        accept: [application/pdf, image/jpeg, image/png]
        max_size_mb: 10
  - id: consent
    title: {ja: 確認事項}
    fields:
      - id: agree
        type: checkbox
        label: {ja: 記載内容に誤りがないことを確認しました。}
        required: true
"""

HEAD = """\
id: test-form
version: 1
procedure: P-0001
title: テスト
pages:
  - id: first
    title: 最初
    fields:
"""


def fields(items: str) -> FormDefinition:
    """The form made of these fields on one page; fails on any problem."""
    return valid(HEAD + textwrap.indent(textwrap.dedent(items).lstrip("\n"), " " * 6))


def valid(text: str) -> FormDefinition:
    form, problems = parse(text, path="test.yaml")
    assert problems == [], "\n".join(map(str, problems))
    assert form is not None
    return form


@pytest.fixture(scope="module")
def example() -> FormDefinition:
    form, problems = parse(EXAMPLE, path="forms/hunting.yaml", procedures={"P-0312", "P-0001"})
    assert problems == [], "\n".join(map(str, problems))
    return form


# --- the spec's example -----------------------------------------------------------------------


def test_example_top_level(example):
    assert example.id == "hunting-licence-renewal"
    assert example.version == 3
    assert example.procedure == "P-0312"
    assert example.title.get("en") == "Renewal of a hunting licence"
    assert example.title.get("pt") == "狩猟免許の更新申請"  # ja is the fallback
    assert str(example.description) == "有効期限の3か月前から申請できます。"
    assert example.description.get("en") == "有効期限の3か月前から申請できます。"
    assert example.languages == ("ja", "en")
    assert example.processing_days == 10
    assert example.fee == Fee(2900, Text(MappingProxyType({"ja": "更新手数料"})))
    assert [t.get("en") for t in example.before_you_start] == ["Your current licence"]
    assert str(example.declaration).startswith("上記のとおり申請します。")
    assert str(example.what_happens_next).startswith("審査の結果は")
    assert example.outputs == (
        Output("email", to="shizen@example.pref.mie.lg.jp"),
        Output("webhook", url="https://backoffice.example/api/intake"),
    )
    assert example.retention_days is None


def test_example_pages_and_fields(example):
    assert [p.id for p in example.pages] == ["applicant", "licence", "documents", "consent"]
    assert [p.line for p in example.pages] == [22, 46, 64, 78]
    assert example.pages[1].title.get("en") == "免許の種類"
    assert [f.id for _, f in example.all_fields()] == [
        "name",
        "birth_date",
        "address",
        "phone",
        "email",
        "licence_type",
        "gun_permit_number",
        "photo",
        "medical_certificate",
        "agree",
    ]
    name = example.field("name")
    assert (name.type, name.required, name.line) == ("name", True, 25)
    assert name.label.get("en") == "Full name"
    assert name.extra == {}  # defaults (kana: true, charset: jis) are not filled in
    assert example.field("birth_date").get("max") == "today"
    email = example.field("email")
    assert (email.required, email.help.get("en")) == (False, "受付完了のお知らせを送ります。")
    assert example.field("agree").type == "checkbox"


def test_example_options_and_condition(example):
    licence = example.field("licence_type")
    assert [o.value for o in licence.options] == ["net", "trap", "gun1"]
    assert licence.options[2].label.get("en") == "Gun (first class)"
    assert licence.options[0] == Option(
        "net", Text(MappingProxyType({"ja": "網猟免許", "en": "Net"}))
    )
    permit = example.field("gun_permit_number")
    assert permit.show_if == {"field": "licence_type", "equals": "gun1"}
    assert permit.get("pattern") == "^[0-9]{6,8}$"
    assert str(permit.get("pattern_message")) == "6〜8桁の数字で入力してください。"
    assert isinstance(permit.get("pattern_message"), Text)


def test_example_files(example):
    photo = example.field("photo")
    assert photo.get("accept") == ("image/jpeg", "image/png")
    assert photo.get("max_size_mb") == 5
    assert photo.get("multiple") is None
    assert example.field("medical_certificate").get("max_size_mb") == 10


def test_example_source_is_the_parsed_yaml(example):
    assert example.source["pages"][0]["fields"][0]["id"] == "name"
    assert example.source["fee"] == {"amount": 2900, "label": {"ja": "更新手数料"}}


def test_example_file_on_disk(tmp_path):
    path = tmp_path / "hunting.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + EXAMPLE.encode("utf-8"))  # with a BOM, as Notepad saves
    form, problems = check_file(path, procedures=["P-0312"])
    assert problems == []
    assert form.id == "hunting-licence-renewal"
    form, problems = check_file(path, procedures=["P-0001"])
    assert form is None
    assert [str(p).split(": ")[0] for p in problems] == [f"{path}:3"]


# --- texts -----------------------------------------------------------------------------------


def test_texts_in_several_languages():
    form = fields("""
        - id: name
          type: text
          label:
            ja: 氏名
            ja-easy: なまえ
            en: Name
            pt: Nome
            vi: Họ tên
            zh-Hans: 姓名
            no: Navn
    """)
    label = form.field("name").label
    assert label.get("ja-easy") == "なまえ"
    assert label.get("vi") == "Họ tên"
    assert label.get("zh-Hans") == "姓名"
    assert label.get("no") == "Navn"  # a key is read as written, not as the boolean false
    assert label.get("ko") == "氏名"
    assert label.as_json()["pt"] == "Nome"


def test_plain_string_is_japanese():
    form = fields("- {id: name, type: text, label: 氏名}")
    assert form.field("name").label.values == {"ja": "氏名"}
    assert form.title.get("en") == "テスト"


def test_languages_always_include_japanese():
    form = valid(
        HEAD.replace("pages:", "languages: [en, ja-easy]\npages:")
        + "      - {id: a, type: text, label: A}\n"
    )
    assert form.languages == ("ja", "en", "ja-easy")
    assert fields("- {id: a, type: text, label: A}").languages == ("ja",)


# --- field types -----------------------------------------------------------------------------


def test_group_with_repeat():
    form = fields("""
        - {id: applicant_name, type: text, label: 氏名}
        - id: household
          type: group
          label: {ja: 世帯員, en: Household members}
          item_label: {ja: 世帯員, ja-easy: いっしょに すむ ひと}
          repeat: {min: 1, max: 6}
          fields:
            - {id: member_name, type: text, label: 氏名, required: true}
            - id: relation
              type: select
              label: 続柄
              options:
                - {value: spouse, label: 配偶者}
                - {value: child, label: 子}
            - {id: member_birth_date, type: date, label: 生年月日, max: today}
            - {id: member_note, type: text, label: 備考, show_if: {field: applicant_name, filled: true}}
    """)
    group = form.field("household")
    assert group.type == "group"
    assert group.get("repeat") == {"min": 1, "max": 6}
    assert group.get("item_label").get("ja-easy") == "いっしょに すむ ひと"
    assert [f.id for f in group.fields] == [
        "member_name",
        "relation",
        "member_birth_date",
        "member_note",
    ]
    assert group.fields[0].required is True
    assert [o.value for o in group.fields[1].options] == ["spouse", "child"]
    assert group.fields[3].show_if == {"field": "applicant_name", "filled": True}
    assert "fields" not in group.extra
    assert form.field("relation") is None  # only top-level fields are looked up by id


def test_heading_and_paragraph():
    form = fields("""
        - id: intro
          type: heading
          text: {ja: はじめに, en: Before you start}
        - id: notice
          type: paragraph
          text: |
            この申請には約10分かかります。
            途中で保存はできません。
    """)
    intro, notice = (f for _, f in form.all_fields())
    assert intro.label is None
    assert intro.text.get("en") == "Before you start"
    assert notice.text.get("ja").splitlines() == [
        "この申請には約10分かかります。",
        "途中で保存はできません。",
    ]
    assert "text" not in notice.extra


def test_extras_of_each_type():
    form = fields("""
        - {id: reading, type: text, label: フリガナ, kana: katakana, charset: jis, min_length: 1, max_length: 40}
        - {id: note, type: textarea, label: 備考, max_length: 400}
        - {id: count, type: integer, label: 頭数, min: 0, max: 99, unit: {ja: 頭, en: heads}}
        - {id: start, type: date, label: 開始日, min: 2025-04-01, max: today+1y}
        - id: kinds
          type: checkboxes
          label: 種類
          options: [{value: net, label: 網}, {value: trap, label: わな}]
          min_selected: 1
          max_selected: 2
        - {id: name, type: name, label: 氏名, kana: false}
        - {id: address, type: address, label: 住所, charset: jis}
        - {id: papers, type: file, label: 書類, multiple: true, max_files: 3, max_size_mb: 2.5}
    """)
    assert dict(form.field("reading").extra) == {
        "kana": "katakana",
        "charset": "jis",
        "min_length": 1,
        "max_length": 40,
    }
    assert form.field("note").get("max_length") == 400
    assert form.field("count").get("unit").get("en") == "heads"
    assert form.field("start").get("min") == "2025-04-01"  # a string, like `today`
    assert form.field("kinds").get("max_selected") == 2
    assert form.field("name").get("kana") is False
    papers = form.field("papers")
    assert (papers.get("multiple"), papers.get("max_files"), papers.get("max_size_mb")) == (
        True,
        3,
        2.5,
    )


def test_integer_option_values_become_strings():
    form = fields("""
        - id: rank
          type: radio
          label: 等級
          options:
            - {value: 1, label: 一級}
            - {value: 2, label: 二級}
        - {id: note, type: text, label: 備考, show_if: {field: rank, in: [2]}}
    """)
    assert [o.value for o in form.field("rank").options] == ["1", "2"]
    assert form.field("note").show_if == {"field": "rank", "in": ("2",)}


def test_anchors_share_a_list_of_options():
    form = fields("""
        - id: has_licence
          type: radio
          label: 免許の有無
          options: &yes_no
            - {value: "yes", label: はい}
            - {value: "no", label: いいえ}
        - {id: has_permit, type: radio, label: 許可の有無, options: *yes_no}
    """)
    assert [o.value for o in form.field("has_permit").options] == ["yes", "no"]


def test_date_bounds_of_different_units_are_not_compared():
    fields("- {id: d, type: date, label: 日付, min: today+1m, max: today+30d}")
    fields("- {id: d, type: date, label: 日付, min: today-18y, max: today}")
    fields("- {id: d, type: date, label: 日付, min: 2025-04-01, max: today}")


# --- conditions ------------------------------------------------------------------------------


def test_conditions_are_read_only_and_normalised():
    form = fields("""
        - id: kind
          type: radio
          label: 種類
          options: [{value: net, label: 網}, {value: gun1, label: 銃}]
        - {id: age, type: integer, label: 年齢}
        - {id: birth, type: date, label: 生年月日}
        - {id: kinds, type: checkboxes, label: 種類, options: [{value: a, label: A}]}
        - id: target
          type: text
          label: 対象
          show_if:
            all:
              - {field: kind, in: [net, gun1]}
              - any: [{field: age, gte: 65}, {field: birth, lt: today-65y}]
              - not: {field: kinds, equals: a}
    """)
    cond = form.field("target").show_if
    assert cond["all"][0] == {"field": "kind", "in": ("net", "gun1")}
    assert cond["all"][1]["any"][1] == {"field": "birth", "lt": "today-65y"}
    assert cond["all"][2]["not"] == {"field": "kinds", "equals": "a"}
    assert isinstance(cond["all"], tuple)
    with pytest.raises(TypeError):
        cond["all"] = ()


def test_page_condition_on_an_earlier_page():
    form = valid(
        HEAD
        + """\
      - {id: has_gun, type: checkbox, label: 銃を所持している}
  - id: gun
    title: 銃
    show_if: {field: has_gun, equals: true}
    fields:
      - {id: permit, type: text, label: 許可番号, show_if: {field: has_gun, filled: true}}
"""
    )
    page = form.page("gun")
    assert page.show_if == {"field": "has_gun", "equals": True}
    assert page.line == 10
    assert form.field("permit").show_if == {"field": "has_gun", "filled": True}


def test_text_condition_values_may_be_numbers():
    form = fields("""
        - {id: code, type: text, label: コード}
        - {id: note, type: text, label: 備考, show_if: {field: code, equals: 123}}
    """)
    assert form.field("note").show_if == {"field": "code", "equals": "123"}


# --- top level -------------------------------------------------------------------------------


def test_retention_days_and_any_procedure_without_catalogue():
    form = valid(
        HEAD.replace("pages:", "retention_days: 1825\npages:")
        + "      - {id: a, type: email, label: A}\n"
    )
    assert form.retention_days == 1825
    assert form.procedure == "P-0001"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_a_form_or_problems(text):
    form, problems = parse(text)
    assert (form is None) == bool(problems)
    assert all(p.line >= 1 for p in problems)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_example_with_lines_removed_gives_a_form_or_problems(data):
    lines = EXAMPLE.splitlines(keepends=True)
    removed = data.draw(st.sets(st.integers(0, len(lines) - 1), max_size=4))
    text = "".join(line for i, line in enumerate(lines) if i not in removed)
    form, problems = parse(text)
    assert (form is None) == bool(problems)
    assert [p.line for p in problems] == sorted(p.line for p in problems)
