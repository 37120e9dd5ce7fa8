"""Every field type of the spec, as a resident meets it: what is accepted, what is stored
(normalised), and the message shown when an answer is refused, in Japanese and English.

Each case puts a field definition (YAML, as department staff write it) next to what
the resident types and what they see. Answers go through `validate_all`, the same
path the HTML flow and the API use.
"""

from __future__ import annotations

import textwrap
from datetime import date
from functools import cache

import pytest

from app.formengine import Context, FormDefinition, Result, kind, validate_all
from app.formengine.files import check_upload
from app.formengine.parser import parse
from app.formengine.postal import lookup
from app.formengine.types import FileType

TODAY = date(2024, 4, 1)  # 令和6年4月1日


@cache
def one_field(spec: str) -> FormDefinition:
    """A form with one page holding the field(s) `spec` (a YAML list of fields)."""
    text = "id: field-types\nversion: 1\nprocedure: P-0001\ntitle: 試験\npages:\n"
    text += "  - id: p\n    title: {ja: 申請内容, en: Application}\n    fields:\n"
    text += textwrap.indent(textwrap.dedent(spec).strip("\n"), "      ") + "\n"
    defn, problems = parse(text)
    assert not problems, problems
    return defn


def answer(spec: str, raw, *, lang: str = "ja", **ctx) -> Result:
    """The verdict on `raw` as the answer to the first field of `spec`."""
    defn = one_field(spec)
    field_id = defn.pages[0].fields[0].id
    return validate_all(defn, {field_id: raw}, Context(lang=lang, today=TODAY, **ctx))


def accepted(spec: str, raw, **ctx):
    """The stored (normalised) answer, after checking that there is no error."""
    result = answer(spec, raw, **ctx)
    assert result.errors == {}, result.errors
    defn = one_field(spec)
    return result.values.get(defn.pages[0].fields[0].id)


# --- text ---------------------------------------------------------------------------------

TEXT = """
- id: town
  type: text
  label: {ja: 町名, en: Town}
"""
TEXT_LENGTHS = """
- id: nickname
  type: text
  label: {ja: 呼び名, en: Nickname}
  min_length: 2
  max_length: 5
"""
PERMIT = """
- id: permit
  type: text
  label: {ja: 許可証の番号, en: Permit number}
  pattern: '^[0-9]{6,8}$'
  pattern_message: {ja: 6〜8桁の数字で入力してください。, en: Enter 6 to 8 digits.}
"""
PERMIT_NO_MESSAGE = """
- id: permit
  type: text
  label: {ja: 許可証の番号, en: Permit number}
  pattern: '^[0-9]{6,8}$'
"""
READING = """
- id: reading
  type: text
  label: {ja: フリガナ, en: Reading}
  kana: katakana
"""
HIRAGANA = """
- id: yomi
  type: text
  label: {ja: よみがな, en: Reading}
  kana: hiragana
"""
JIS = """
- id: company
  type: text
  label: {ja: 会社名, en: Company}
  charset: jis
"""


@pytest.mark.parametrize(
    ("spec", "typed", "stored"),
    [
        (TEXT, "  広明町  ", "広明町"),
        (TEXT, "\u3000広明町\u3000", "広明町"),  # full-width spaces around, too
        (TEXT, "あ" * 200, "あ" * 200),  # the default max_length is 200
        (TEXT, "𠮷野町", "𠮷野町"),  # no charset: any character
        (TEXT_LENGTHS, "たろ", "たろ"),
        (TEXT_LENGTHS, "たろうくん", "たろうくん"),
        (PERMIT, "1234567", "1234567"),
        (PERMIT, "１２３４５６", "123456"),  # full-width digits match a digit pattern
        (READING, "ヤマダ　タロウ", "ヤマダ　タロウ"),
        (READING, "やまだ", "ヤマダ"),  # hiragana → katakana
        (READING, "ﾀﾛｳ", "タロウ"),  # half-width → full-width
        (READING, "ﾀﾞｲｽｹ", "ダイスケ"),  # with the voiced mark as a separate character
        (READING, "ｺｰﾋｰ", "コーヒー"),
        (HIRAGANA, "タロウ", "たろう"),
        (HIRAGANA, "ｶﾞｯｺｳ", "がっこう"),
        (HIRAGANA, "やまだ", "やまだ"),
        (JIS, "髙橋商店", "髙橋商店"),  # 髙 is in CP932 (an IBM extension)
        (JIS, "①丸商事", "①丸商事"),
    ],
)
def test_text_accepts_and_normalises(spec, typed, stored):
    assert accepted(spec, typed) == stored


@pytest.mark.parametrize(
    ("spec", "typed", "lang", "message"),
    [
        (TEXT, "あ" * 201, "ja", "町名は200文字以内で入力してください。"),
        (TEXT, "あ" * 201, "en", "Town must be 200 characters or fewer."),
        (TEXT_LENGTHS, "た", "ja", "呼び名は2文字以上で入力してください。"),
        (TEXT_LENGTHS, "た", "en", "Nickname must be at least 2 characters."),
        (TEXT_LENGTHS, "たろうくんです", "ja", "呼び名は5文字以内で入力してください。"),
        (PERMIT, "12345", "ja", "6〜8桁の数字で入力してください。"),
        (PERMIT, "12345", "en", "Enter 6 to 8 digits."),
        (PERMIT, "12345a", "ja", "6〜8桁の数字で入力してください。"),
        (PERMIT_NO_MESSAGE, "12-345", "ja", "許可証の番号の形式が正しくありません。"),
        (PERMIT_NO_MESSAGE, "12-345", "en", "Permit number is not in the right format."),
        (READING, "山田", "ja", "フリガナはカタカナで入力してください。"),
        (READING, "yamada", "en", "Enter Reading in katakana."),
        (HIRAGANA, "山田", "ja", "よみがなはひらがなで入力してください。"),
        (HIRAGANA, "taro", "en", "Enter Reading in hiragana."),
        (
            JIS,
            "𠮷野家",
            "ja",
            "会社名に使えない文字「𠮷」が含まれています。別の字体（例: 𠮷→吉）で入力してください。",
        ),
        (
            JIS,
            "丂商店",
            "en",
            "Company contains a character our systems cannot store: “丂”. "
            "Use a common form of it (e.g. 𠮷 → 吉).",
        ),
    ],
)
def test_text_rejects(spec, typed, lang, message):
    result = answer(spec, typed, lang=lang)
    field_id = one_field(spec).pages[0].fields[0].id
    assert result.errors == {field_id: [message]}


def test_pattern_message_falls_back_to_japanese_for_a_language_it_lacks():
    spec = """
    - id: permit
      type: text
      label: {ja: 許可証の番号, en: Permit number}
      pattern: '^[0-9]{6}$'
      pattern_message: {ja: 6桁の数字で入力してください。}
    """
    assert answer(spec, "123", lang="en").errors == {"permit": ["6桁の数字で入力してください。"]}


def test_text_breaking_two_rules_shows_both():
    spec = """
    - id: code
      type: text
      label: 整理番号
      max_length: 4
      pattern: '^[0-9]+$'
    """
    assert answer(spec, "12345a").errors == {
        "code": ["整理番号は4文字以内で入力してください。", "整理番号の形式が正しくありません。"]
    }


def test_text_required_and_blank():
    spec = """
    - {id: town, type: text, label: {ja: 町名, en: Town}, required: true}
    """
    assert answer(spec, "   ").errors == {"town": ["町名を入力してください。"]}
    assert answer(spec, None, lang="en").errors == {"town": ["Enter Town."]}
    assert answer(TEXT, "").values == {}  # optional and blank: no answer at all


# --- textarea -----------------------------------------------------------------------------

NOTE = """
- id: note
  type: textarea
  label: {ja: 備考, en: Notes}
"""


def test_textarea_keeps_lines_and_allows_2000_characters():
    assert accepted(NOTE, "一行目\r\n二行目\n") == "一行目\n二行目"
    assert accepted(NOTE, "あ" * 2000) == "あ" * 2000
    assert answer(NOTE, "あ" * 2001).errors == {"note": ["備考は2000文字以内で入力してください。"]}
    assert answer(NOTE, "あ" * 2001, lang="en").errors == {
        "note": ["Notes must be 2000 characters or fewer."]
    }


def test_textarea_max_length():
    spec = "- {id: note, type: textarea, label: 備考, max_length: 10}"
    assert accepted(spec, "あ" * 10) == "あ" * 10
    assert answer(spec, "あ" * 11).errors == {"note": ["備考は10文字以内で入力してください。"]}


# --- integer ------------------------------------------------------------------------------

AGE = """
- id: age
  type: integer
  label: {ja: 年齢, en: Age}
  min: 0
  max: 120
"""
INCOME = """
- id: income
  type: integer
  label: {ja: 年収, en: Annual income}
  unit: {ja: 円, en: " yen"}
  min: 1
  max: 100000000
"""
ADULTS = "- {id: adults, type: integer, label: 大人の人数}"


@pytest.mark.parametrize(
    ("spec", "typed", "stored"),
    [
        (AGE, "１２", 12),
        (ADULTS, "１２３", 123),
        (AGE, " 42 ", 42),
        (AGE, 42, 42),  # the API sends a number
        (AGE, "0", 0),  # the minimum itself
        (AGE, "120", 120),  # the maximum itself
        (INCOME, "3,500,000", 3500000),
        (INCOME, "３，５００，０００円", 3500000),  # the unit typed after the number
        (ADULTS, "－３", -3),  # no minimum: any whole number
    ],
)
def test_integer_accepts_and_normalises(spec, typed, stored):
    assert accepted(spec, typed) == stored


@pytest.mark.parametrize(
    ("spec", "typed", "lang", "message"),
    [
        (AGE, "十二", "ja", "年齢は数字で入力してください。"),
        (AGE, "十二", "en", "Enter Age as a whole number."),
        (AGE, "1.5", "ja", "年齢は数字で入力してください。"),
        (AGE, 1.5, "ja", "年齢は数字で入力してください。"),
        (AGE, True, "ja", "年齢は数字で入力してください。"),
        (AGE, "-1", "ja", "年齢は0以上にしてください。"),
        (AGE, "121", "ja", "年齢は120以下にしてください。"),
        (AGE, "121", "en", "Age must be 120 or less."),
        (INCOME, "0", "en", "Annual income must be 1 or more."),
        (INCOME, "100000001", "ja", "年収は100,000,000以下にしてください。"),
    ],
)
def test_integer_rejects(spec, typed, lang, message):
    result = answer(spec, typed, lang=lang)
    field_id = one_field(spec).pages[0].fields[0].id
    assert result.errors == {field_id: [message]}


# --- email --------------------------------------------------------------------------------

EMAIL = """
- id: email
  type: email
  label: {ja: メールアドレス, en: Email}
"""


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("taro@example.jp", "taro@example.jp"),
        (" taro.yamada+shinsei@mail.example.co.jp ", "taro.yamada+shinsei@mail.example.co.jp"),
        ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", "taro@example.jp"),  # typed with the IME on
        ("taro１２３@example.jp", "taro123@example.jp"),
    ],
)
def test_email_accepts_and_normalises(typed, stored):
    assert accepted(EMAIL, typed) == stored


@pytest.mark.parametrize("typed", ["taro", "taro@", "taro@example", "@example.jp", "taro@exa mple"])
def test_email_rejects(typed):
    assert answer(EMAIL, typed).errors == {
        "email": ["メールアドレスを正しい形式（例: name@example.jp）で入力してください。"]
    }
    assert answer(EMAIL, typed, lang="en").errors == {
        "email": ["Enter Email in the right format, like name@example.jp."]
    }


# --- tel ----------------------------------------------------------------------------------

TEL = """
- id: phone
  type: tel
  label: {ja: 電話番号, en: Phone}
"""


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("059-224-2000", "0592242000"),
        ("０５９－２２４－２０００", "0592242000"),
        ("059ー224ー2000", "0592242000"),  # the long-vowel mark typed for a hyphen
        ("(059) 224-2000", "0592242000"),
        ("090 1234 5678", "09012345678"),
        ("０９０１２３４５６７８", "09012345678"),
    ],
)
def test_tel_accepts_and_normalises(typed, stored):
    assert accepted(TEL, typed) == stored


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("０５９２２４２０００", "059-224-2000"),  # 津: a two-digit area code after the 0
        ("03 1234 5678", "03-1234-5678"),
        ("09012345678", "090-1234-5678"),
        ("0120123456", "0120-123-456"),
    ],
)
def test_tel_is_shown_grouped_as_japanese_numbers_are_written(typed, shown):
    defn = one_field(TEL)
    assert (
        kind(defn.pages[0].fields[0]).display(defn.pages[0].fields[0], accepted(TEL, typed), "ja")
        == shown
    )


@pytest.mark.parametrize(
    "typed", ["059-224-200", "090-1234-56789", "1592242000", "+81 59 224 2000", "でんわ"]
)
def test_tel_rejects(typed):
    assert answer(TEL, typed).errors == {
        "phone": ["電話番号は10桁または11桁の電話番号で入力してください（例: 059-224-2000）。"]
    }
    assert answer(TEL, typed, lang="en").errors == {
        "phone": ["Enter Phone as a Japanese phone number of 10 or 11 digits, like 059-224-2000."]
    }


# --- date ---------------------------------------------------------------------------------

BIRTH = """
- id: birth_date
  type: date
  label: {ja: 生年月日, en: Date of birth}
"""
BIRTH_PAST = """
- id: birth_date
  type: date
  label: {ja: 生年月日, en: Date of birth}
  max: today
"""
ADULT = """
- id: birth_date
  type: date
  label: {ja: 生年月日, en: Date of birth}
  max: today-18y
"""
VISIT = """
- id: visit
  type: date
  label: {ja: 来庁希望日, en: Visit date}
  min: today+30d
  max: 2024-12-31
"""


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("2024-04-01", "2024-04-01"),
        ("2024/4/1", "2024-04-01"),
        ("2024年4月1日", "2024-04-01"),
        ("２０２４年４月１日", "2024-04-01"),
        ("令和6年4月1日", "2024-04-01"),
        ("R6.4.1", "2024-04-01"),
        ("r6.4.1", "2024-04-01"),
        ("Ｒ６．４．１", "2024-04-01"),
        ("令和元年5月1日", "2019-05-01"),  # the first day of 令和
        ("平成31年4月30日", "2019-04-30"),  # the last day of 平成
        ("H31.4.30", "2019-04-30"),
        ("昭和64年1月7日", "1989-01-07"),
        ("S50.12.31", "1975-12-31"),
        ({"era": "令和", "year": "6", "month": "4", "day": "1"}, "2024-04-01"),  # the HTML parts
        ({"era": "令和", "year": "元", "month": "5", "day": "1"}, "2019-05-01"),
        ({"era": "平成", "year": "８", "month": "１２", "day": "３"}, "1996-12-03"),
        ({"era": "", "year": "1980", "month": "2", "day": "29"}, "1980-02-29"),  # 西暦
        (date(2024, 4, 1), "2024-04-01"),
    ],
)
def test_date_accepts_and_normalises(typed, stored):
    assert accepted(BIRTH, typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "平成31年5月1日",  # that day was 令和元年5月1日
        "昭和65年1月1日",
        "令和元年4月30日",  # still 平成
        "2024-02-30",
        "2023-02-29",
        "令和6年13月1日",
        "2024年4月",
        "きのう",
        {"era": "", "year": "6", "month": "4", "day": "1"},  # 6 AD, or 令和 not chosen
        {"era": "令和", "year": "6", "month": "2", "day": "30"},
        {"era": "", "year": "2024", "month": "", "day": ""},
        20240401,
    ],
)
def test_date_rejects(typed):
    assert answer(BIRTH, typed).errors == {
        "birth_date": [
            "生年月日を正しい日付で入力してください（例: 2024年4月1日、令和6年4月1日）。"
        ]
    }
    assert answer(BIRTH, typed, lang="en").errors == {
        "birth_date": ["Enter Date of birth as a real date, like 2024-04-01."]
    }


def test_date_parts_left_blank_are_no_answer():
    """The era select always posts something; that alone is not an answer."""
    required = "- {id: birth_date, type: date, label: 生年月日, required: true}"
    blank = {"era": "令和", "year": "", "month": "", "day": ""}
    assert answer(BIRTH, blank).values == {}
    assert answer(required, blank).errors == {"birth_date": ["生年月日を入力してください。"]}


@pytest.mark.parametrize(
    ("spec", "typed", "lang", "message"),
    [
        (BIRTH_PAST, "2024-04-01", None, None),  # today itself
        (
            BIRTH_PAST,
            "2024-04-02",
            "ja",
            "生年月日は2024年4月1日（令和6年）以前の日付にしてください。",
        ),
        (BIRTH_PAST, "令和6年4月2日", "en", "Date of birth must be on or before 1 April 2024."),
        (ADULT, "2006-04-01", None, None),  # 18 today
        (ADULT, "2006-04-02", "ja", "生年月日は2006年4月1日（平成18年）以前の日付にしてください。"),
        (ADULT, "H18.4.2", "en", "Date of birth must be on or before 1 April 2006."),
        (VISIT, "2024-05-01", None, None),  # 30 days after 1 April
        (
            VISIT,
            "2024-04-30",
            "ja",
            "来庁希望日は2024年5月1日（令和6年）以降の日付にしてください。",
        ),
        (VISIT, "2024-04-30", "en", "Visit date must be on or after 1 May 2024."),
        (VISIT, "2024-12-31", None, None),
        (
            VISIT,
            "2025-01-01",
            "ja",
            "来庁希望日は2024年12月31日（令和6年）以前の日付にしてください。",
        ),
    ],
)
def test_date_bounds_count_from_today(spec, typed, lang, message):
    result = answer(spec, typed, lang=lang or "ja")
    field_id = one_field(spec).pages[0].fields[0].id
    assert result.errors == ({field_id: [message]} if message else {})


def test_date_bound_moves_with_today():
    later = Context(today=date(2024, 4, 2))
    assert validate_all(one_field(ADULT), {"birth_date": "2006-04-02"}, later).ok


def test_date_bound_today_minus_years_on_29_february():
    """18 years before 29 February 2024 is 28 February 2006 (2006 has no 29th)."""
    ctx = Context(today=date(2024, 2, 29))
    assert validate_all(one_field(ADULT), {"birth_date": "2006-02-28"}, ctx).ok
    assert validate_all(one_field(ADULT), {"birth_date": "2006-03-01"}, ctx).errors == {
        "birth_date": ["生年月日は2006年2月28日（平成18年）以前の日付にしてください。"]
    }


# --- select and radio ---------------------------------------------------------------------

LICENCE = """
- id: licence_type
  type: {type}
  label: {{ja: 更新する免許, en: Licence to renew}}
  required: true
  options:
    - {{value: net, label: {{ja: 網猟免許, en: Net}}}}
    - {{value: trap, label: {{ja: わな猟免許, en: Trap}}}}
    - {{value: gun1, label: {{ja: 第一種銃猟免許, en: Gun (first class)}}}}
"""
CHOICES = [LICENCE.format(type="select"), LICENCE.format(type="radio")]


@pytest.mark.parametrize("spec", CHOICES)
def test_choice_accepts_an_option_value(spec):
    assert accepted(spec, "gun1") == "gun1"
    assert accepted(spec, " trap ") == "trap"


@pytest.mark.parametrize("spec", CHOICES)
@pytest.mark.parametrize("typed", ["gun9", "第一種銃猟免許", "GUN1", ["gun1"], {"value": "gun1"}])
def test_choice_rejects_what_is_not_an_option(spec, typed):
    assert answer(spec, typed).errors == {
        "licence_type": ["更新する免許は選択肢から選んでください。"]
    }
    assert answer(spec, typed, lang="en").errors == {
        "licence_type": ["Select Licence to renew from the list."]
    }


@pytest.mark.parametrize("spec", CHOICES)
def test_choice_required(spec):
    assert answer(spec, "").errors == {"licence_type": ["更新する免許を選んでください。"]}
    assert answer(spec, None, lang="en").errors == {"licence_type": ["Select Licence to renew."]}


def test_option_values_written_as_numbers_are_strings():
    spec = """
    - id: floor
      type: radio
      label: 階
      options: [{value: 1, label: 1階}, {value: 2, label: 2階}]
    """
    assert accepted(spec, 2) == "2"
    assert accepted(spec, "1") == "1"


# --- checkboxes ---------------------------------------------------------------------------

BENEFITS = """
- id: benefits
  type: checkboxes
  label: {ja: 受給中の手当, en: Benefits}
  min_selected: 1
  max_selected: 2
  options:
    - {value: child, label: {ja: 児童手当, en: Child allowance}}
    - {value: single, label: {ja: 児童扶養手当, en: Single-parent allowance}}
    - {value: disability, label: {ja: 障害児福祉手当, en: Disability allowance}}
"""
INTERESTS = """
- id: interests
  type: checkboxes
  label: 関心のある分野
  required: true
  options:
    - {value: a, label: 子育て}
    - {value: b, label: 介護}
    - {value: c, label: 防災}
"""


@pytest.mark.parametrize(
    ("spec", "ticked", "stored"),
    [
        (BENEFITS, ["child"], ["child"]),
        (BENEFITS, ["disability", "child"], ["child", "disability"]),  # in the options' order
        (BENEFITS, "single", ["single"]),  # one box posted on its own
        (INTERESTS, ["c", "b", "a"], ["a", "b", "c"]),
        (INTERESTS, ["b", "b"], ["b"]),
    ],
)
def test_checkboxes_accept_in_the_order_of_the_options(spec, ticked, stored):
    assert accepted(spec, ticked) == stored


@pytest.mark.parametrize(
    ("spec", "ticked", "lang", "message"),
    [
        (BENEFITS, ["child", "single", "disability"], "ja", "受給中の手当は2つまで選べます。"),
        (BENEFITS, ["child", "single", "disability"], "en", "Select no more than 2 for Benefits."),
        (BENEFITS, ["pension"], "ja", "受給中の手当は選択肢から選んでください。"),
        (BENEFITS, ["child", "pension"], "en", "Select Benefits from the list."),
        (BENEFITS, [["child"]], "ja", "受給中の手当は選択肢から選んでください。"),
        (BENEFITS, {"child": True}, "ja", "受給中の手当は選択肢から選んでください。"),
        (INTERESTS, [], "ja", "関心のある分野を選んでください。"),
        (INTERESTS, None, "en", "Select 関心のある分野."),
    ],
)
def test_checkboxes_reject(spec, ticked, lang, message):
    result = answer(spec, ticked, lang=lang)
    field_id = one_field(spec).pages[0].fields[0].id
    assert result.errors == {field_id: [message]}


def test_checkboxes_min_selected():
    spec = """
    - id: days
      type: checkboxes
      label: {ja: 希望する曜日, en: Days}
      min_selected: 2
      options: [{value: mon, label: 月}, {value: wed, label: 水}, {value: fri, label: 金}]
    """
    assert answer(spec, ["wed"]).errors == {"days": ["希望する曜日は2つ以上選んでください。"]}
    assert answer(spec, ["wed"], lang="en").errors == {"days": ["Select at least 2 for Days."]}
    assert accepted(spec, ["fri", "mon"]) == ["mon", "fri"]


# --- checkbox -----------------------------------------------------------------------------

AGREE = """
- id: agree
  type: checkbox
  label: {ja: 記載内容に誤りがないことを確認しました, en: I have checked my answers}
  required: true
"""
NEWSLETTER = "- {id: newsletter, type: checkbox, label: お知らせを受け取る}"


@pytest.mark.parametrize("ticked", [True, "y", "on", "true", "1"])
def test_checkbox_ticked(ticked):
    assert accepted(AGREE, ticked) is True


@pytest.mark.parametrize("unticked", [False, None, "", "false"])
def test_required_checkbox_must_be_ticked(unticked):
    assert answer(AGREE, unticked).errors == {
        "agree": ["記載内容に誤りがないことを確認しましたにチェックを入れてください。"]
    }
    assert answer(AGREE, unticked, lang="en").errors == {
        "agree": ["Tick the box: I have checked my answers"]
    }


def test_optional_checkbox_is_true_or_false():
    assert accepted(NEWSLETTER, None) is False  # an unticked box is not posted at all
    assert accepted(NEWSLETTER, "on") is True
    assert answer(NEWSLETTER, "maybe").errors == {
        "newsletter": ["お知らせを受け取るの値が正しくありません。"]
    }


# --- name ---------------------------------------------------------------------------------

NAME = """
- id: name
  type: name
  label: {ja: 氏名, en: Full name}
  required: true
"""
NAME_NO_KANA = """
- id: name
  type: name
  label: {ja: 氏名, en: Full name}
  required: true
  kana: false
"""
NAME_OPTIONAL = "- {id: name, type: name, label: 氏名}"


def yamada(**parts):
    full = {"family": "山田", "given": "太郎", "family_kana": "ヤマダ", "given_kana": "タロウ"}
    return {**full, **parts}


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (yamada(), yamada()),
        (yamada(family=" 山田 ", given="\u3000太郎"), yamada()),
        (yamada(family_kana="やまだ", given_kana="ﾀﾛｳ"), yamada()),  # readings made katakana
        (yamada(family_kana="ヤマ ダ", given_kana="タ\u3000ロウ"), yamada()),  # spaces dropped
        (
            yamada(family="髙橋", family_kana="タカハシ"),
            yamada(family="髙橋", family_kana="タカハシ"),
        ),
    ],
)
def test_name_accepts_and_normalises(typed, stored):
    assert accepted(NAME, typed) == stored


@pytest.mark.parametrize(
    ("typed", "lang", "errors"),
    [
        (None, "ja", {"name": ["氏名を入力してください。"]}),
        ({"family": "", "given": ""}, "en", {"name": ["Enter Full name."]}),
        (yamada(given=""), "ja", {"name.given": ["氏名の名を入力してください。"]}),
        (yamada(given=""), "en", {"name.given": ["Enter given name of Full name."]}),
        (
            yamada(family_kana="", given_kana=""),
            "ja",
            {
                "name.family_kana": ["氏名の姓（フリガナ）を入力してください。"],
                "name.given_kana": ["氏名の名（フリガナ）を入力してください。"],
            },
        ),
        (
            yamada(family_kana="yamada"),
            "ja",
            {"name.family_kana": ["姓（フリガナ）はカタカナで入力してください。"]},
        ),
        (
            yamada(given_kana="太郎"),
            "en",
            {"name.given_kana": ["Enter given name reading in katakana."]},
        ),
        (
            yamada(family="𠮷田", family_kana="ヨシダ"),
            "ja",
            {
                "name.family": [
                    "氏名に使えない文字「𠮷」が含まれています。別の字体（例: 𠮷→吉）で入力してください。"
                ]
            },
        ),
        (
            yamada(given="太" * 51),
            "ja",
            {"name.given": ["氏名の名は50文字以内で入力してください。"]},
        ),
        ("山田太郎", "ja", {"name": ["氏名の値が正しくありません。"]}),
    ],
)
def test_name_rejects(typed, lang, errors):
    assert answer(NAME, typed, lang=lang).errors == errors


def test_name_without_kana_asks_only_for_the_names():
    assert accepted(NAME_NO_KANA, {"family": "山田", "given": "太郎"}) == {
        "family": "山田",
        "given": "太郎",
    }
    assert answer(NAME_NO_KANA, {"family": "山田", "given": ""}).errors == {
        "name.given": ["氏名の名を入力してください。"]
    }


def test_optional_name_left_blank_is_no_answer_but_half_filled_is_incomplete():
    blank = {"family": "", "given": "", "family_kana": "", "given_kana": ""}
    assert answer(NAME_OPTIONAL, blank).values == {}
    assert answer(NAME_OPTIONAL, blank).ok
    assert answer(NAME_OPTIONAL, yamada(family_kana="", given_kana="")).errors == {
        "name.family_kana": ["氏名の姓（フリガナ）を入力してください。"],
        "name.given_kana": ["氏名の名（フリガナ）を入力してください。"],
    }


# --- address ------------------------------------------------------------------------------

ADDRESS = """
- id: address
  type: address
  label: {ja: 住所, en: Address}
  required: true
"""
ADDRESS_OPTIONAL = "- {id: address, type: address, label: 住所}"
KENCHO = {
    "postal_code": "514-0006",
    "prefecture": "三重県",
    "city": "津市広明町",
    "street": "13番地",
    "building": "",
}


def with_lookup(spec, raw, lang="ja"):
    return answer(spec, raw, lang=lang, postal_lookup=lookup)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ({"postal_code": "514-0006", "street": "13番地"}, KENCHO),  # filled from the postcode
        ({"postal_code": "5140006", "prefecture": "", "city": "", "street": "13番地"}, KENCHO),
        ({"postal_code": "〒５１４－０００６", "street": "13番地", "building": ""}, KENCHO),
        (
            {"postal_code": "514-0006", "street": "13番地", "building": "県庁舎3階"},
            {**KENCHO, "building": "県庁舎3階"},
        ),
        (  # what the resident typed is kept
            {
                "postal_code": "514-0006",
                "prefecture": "三重県",
                "city": "津市広明町（県庁）",
                "street": "13",
            },
            {**KENCHO, "city": "津市広明町（県庁）", "street": "13"},
        ),
    ],
)
def test_address_postal_lookup_fills_prefecture_and_city(typed, stored):
    assert accepted(ADDRESS, typed, postal_lookup=lookup) == stored


def test_address_without_a_lookup_needs_prefecture_and_city_typed():
    assert answer(ADDRESS, {"postal_code": "514-0006", "street": "13番地"}).errors == {
        "address.prefecture": ["住所の都道府県を入力してください。"],
        "address.city": ["住所の市区町村・町名を入力してください。"],
    }
    assert accepted(ADDRESS, {**KENCHO, "postal_code": "5140006"}) == KENCHO


@pytest.mark.parametrize(
    ("typed", "lang", "errors"),
    [
        (
            {**KENCHO, "postal_code": "514-006"},
            "ja",
            {"address.postal_code": ["郵便番号は7桁の数字で入力してください（例: 514-0006）。"]},
        ),
        (
            {**KENCHO, "postal_code": "ABC-DEFG"},
            "en",
            {"address.postal_code": ["Enter the postcode as 7 digits, like 514-0006."]},
        ),
        (
            {"postal_code": "999-9999", "street": "1番地"},
            "ja",
            {
                "address.prefecture": ["住所の都道府県を入力してください。"],
                "address.city": ["住所の市区町村・町名を入力してください。"],
                "address.postal_code": [
                    "郵便番号 999-9999 は見つかりませんでした。番号を確かめてください。"
                ],
            },
        ),
        (
            {"postal_code": "９９９９９９９", "street": "1番地"},
            "en",
            {
                "address.prefecture": ["Enter prefecture of Address."],
                "address.city": ["Enter city, town and district of Address."],
                "address.postal_code": ["We could not find postcode 999-9999. Check the number."],
            },
        ),
        ({**KENCHO, "street": ""}, "ja", {"address.street": ["住所の番地を入力してください。"]}),
        (
            {**KENCHO, "prefecture": "三重"},
            "ja",
            {"address.prefecture": ["都道府県名が正しくありません。"]},
        ),
        (
            {**KENCHO, "prefecture": "Mie"},
            "en",
            {"address.prefecture": ["That is not a Japanese prefecture."]},
        ),
        (
            {**KENCHO, "building": "𠮷野ハイツ"},
            "ja",
            {
                "address.building": [
                    "住所に使えない文字「𠮷」が含まれています。別の字体（例: 𠮷→吉）で入力してください。"
                ]
            },
        ),
        ({}, "ja", {"address": ["住所を入力してください。"]}),
        ("三重県津市広明町13", "ja", {"address": ["住所の値が正しくありません。"]}),
    ],
)
def test_address_rejects(typed, lang, errors):
    assert with_lookup(ADDRESS, typed, lang=lang).errors == errors


def test_address_building_is_optional_even_when_required():
    assert accepted(ADDRESS, {k: v for k, v in KENCHO.items() if k != "building"}) == KENCHO


def test_optional_address_left_blank_is_no_answer():
    blank = dict.fromkeys(KENCHO, "")
    result = with_lookup(ADDRESS_OPTIONAL, blank)
    assert result.ok
    assert result.values == {}


# --- file ---------------------------------------------------------------------------------

PHOTO = """
- id: photo
  type: file
  label: {ja: 顔写真, en: Photo}
  accept: [image/jpeg, image/png]
  max_size_mb: 5
  required: true
"""
CERTIFICATES = """
- id: certificates
  type: file
  label: {ja: 証明書, en: Certificates}
  multiple: true
  max_files: 2
"""
REF = {"id": "f-1", "name": "photo.png", "size": 204800, "type": "image/png"}
REF2 = {"id": "f-2", "name": "scan.pdf", "size": 1048576, "type": "application/pdf"}
REF3 = {"id": "f-3", "name": "scan2.pdf", "size": 2048, "type": "application/pdf"}


def test_file_reference_is_stored_as_given():
    assert accepted(PHOTO, REF) == REF
    assert accepted(CERTIFICATES, [REF2, REF3]) == [REF2, REF3]
    assert accepted(PHOTO, REF, file_exists=lambda ref: ref["id"] == "f-1") == REF


@pytest.mark.parametrize(
    ("spec", "given", "lang", "errors"),
    [
        (PHOTO, None, "ja", {"photo": ["顔写真を添付してください。"]}),
        (PHOTO, [], "en", {"photo": ["Attach Photo."]}),
        (
            PHOTO,
            {"name": "photo.png", "size": 10},
            "ja",
            {"photo": ["顔写真の添付ファイルが見つかりません。もう一度添付してください。"]},
        ),
        (
            PHOTO,
            "photo.png",
            "en",
            {"photo": ["We could not find the file attached for Photo. Attach it again."]},
        ),
        (PHOTO, [REF, REF2], "ja", {"photo": ["顔写真は1ファイルまで添付できます。"]}),
        (
            CERTIFICATES,
            [REF, REF2, REF3],
            "ja",
            {"certificates": ["証明書は2ファイルまで添付できます。"]},
        ),
        (
            CERTIFICATES,
            [REF, REF2, REF3],
            "en",
            {"certificates": ["Attach no more than 2 file(s) for Certificates."]},
        ),
    ],
)
def test_file_rejects(spec, given, lang, errors):
    assert answer(spec, given, lang=lang).errors == errors


def test_file_that_is_no_longer_stored():
    assert answer(PHOTO, REF, file_exists=lambda ref: False).errors == {
        "photo": ["顔写真の添付ファイルが見つかりません。もう一度添付してください。"]
    }
    seen = []
    answer(CERTIFICATES, [REF2, REF3], file_exists=lambda ref: seen.append(ref["id"]) or True)
    assert seen == ["f-2", "f-3"]  # every reference is looked up


# files.check_upload: the type is read from the content, never from the name

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
MB = 1024 * 1024


def upload_field(spec: str):
    return one_field(spec).pages[0].fields[0]


PDF_ONLY = (
    "- {id: certificate, type: file, label: 診断書, accept: [application/pdf], max_size_mb: 5}"
)
ANY_FILE = "- {id: attachment, type: file, label: 添付}"


@pytest.mark.parametrize(
    ("spec", "name", "head"),
    [
        (PHOTO, "photo.png", PNG),
        (PHOTO, "photo.jpg", JPEG),
        (PHOTO, "photo.pdf", PNG),  # a PNG renamed .pdf is still a PNG
        (PHOTO, "IMG_0001", JPEG),  # no extension at all
        (PDF_ONLY, "診断書.pdf", PDF),
        (ANY_FILE, "notes.txt", b"plain text"),  # no accept: any content
    ],
)
def test_upload_accepted_by_content(spec, name, head):
    assert check_upload(upload_field(spec), name, head, 1000, "ja") is None


@pytest.mark.parametrize(
    ("spec", "name", "head", "lang", "message"),
    [
        (
            PDF_ONLY,
            "scan.pdf",
            PNG,
            "ja",
            "scan.pdf の形式（PNG）は受け付けられません。PDF のファイルを添付してください。",
        ),
        (
            PDF_ONLY,
            "scan.pdf",
            PNG,
            "en",
            "scan.pdf is PNG, which we cannot accept. Attach a file of type PDF.",
        ),
        (
            PHOTO,
            "photo.png",
            PDF,
            "ja",
            "photo.png の形式（PDF）は受け付けられません。JPEG、PNG のファイルを添付してください。",
        ),
        (
            PHOTO,
            "photo.png",
            PDF,
            "en",
            "photo.png is PDF, which we cannot accept. Attach a file of type JPEG, PNG.",
        ),
    ],
)
def test_upload_rejected_by_content(spec, name, head, lang, message):
    assert check_upload(upload_field(spec), name, head, 1000, lang) == message


def test_upload_of_unknown_content_is_refused_when_types_are_listed():
    message = check_upload(upload_field(PDF_ONLY), "scan.pdf", b"just some text", 14, "ja")
    assert message is not None
    assert message.startswith("scan.pdf ")
    assert message.endswith("PDF のファイルを添付してください。")


def test_upload_empty_file():
    assert (
        check_upload(upload_field(PHOTO), "photo.png", b"", 0, "ja")
        == "photo.png は空のファイルです。"
    )
    assert check_upload(upload_field(PHOTO), "photo.png", b"", 0, "en") == "photo.png is empty."


@pytest.mark.parametrize(
    ("spec", "size", "lang", "message"),
    [
        (PHOTO, 5 * MB, "ja", None),  # the limit itself
        (PHOTO, 5 * MB + 1, "ja", "photo.png は5.1MBです。5MB以下のファイルを添付してください。"),
        (PHOTO, int(7.25 * MB), "en", "photo.png is 7.3 MB. Attach a file of 5 MB or less."),
        (ANY_FILE, 10 * MB, "ja", None),  # max_size_mb defaults to 10
        (ANY_FILE, 12 * MB, "ja", "photo.png は12.0MBです。10MB以下のファイルを添付してください。"),
    ],
)
def test_upload_size(spec, size, lang, message):
    assert check_upload(upload_field(spec), "photo.png", PNG, size, lang) == message


# --- group --------------------------------------------------------------------------------

HOUSEHOLD = """
- id: household
  type: group
  label: {ja: 世帯員, en: Household members}
  item_label: {ja: 世帯員, en: Member}
  repeat: {min: 1, max: 3}
  fields:
    - id: relation
      type: select
      label: {ja: 続柄, en: Relationship}
      required: true
      options: [{value: spouse, label: 配偶者}, {value: child, label: 子}]
    - {id: member_name, type: text, label: {ja: 氏名, en: Name}}
    - {id: age, type: integer, label: {ja: 年齢, en: Age}, min: 0}
    - {id: note, type: paragraph, text: 同居している方を記入してください。}
"""
HOUSEHOLD_OPTIONAL = """
- id: household
  type: group
  label: 世帯員
  fields:
    - {id: relation, type: text, label: 続柄}
"""


@pytest.mark.parametrize(
    ("rows", "stored"),
    [
        (
            [{"relation": "spouse", "member_name": "山田花子", "age": "４５"}],
            [{"relation": "spouse", "member_name": "山田花子", "age": 45}],
        ),
        (  # blank rows left on the page are dropped
            [
                {"relation": "", "member_name": "", "age": ""},
                {"relation": "child", "age": "3"},
                {"relation": None, "member_name": None, "age": None},
            ],
            [{"relation": "child", "age": 3}],
        ),
        ([{"relation": "child", "age": 0}], [{"relation": "child", "age": 0}]),  # a baby
        ([{"relation": "child", "csrf_token": "x"}], [{"relation": "child"}]),
    ],
)
def test_group_accepts_and_normalises_each_item(rows, stored):
    assert accepted(HOUSEHOLD, rows) == stored


@pytest.mark.parametrize(
    ("rows", "lang", "errors"),
    [
        ([], "ja", {"household": ["世帯員を1件以上入力してください。"]}),
        (
            [{"relation": "", "age": ""}],
            "en",
            {"household": ["Add at least 1 to Household members."]},
        ),
        ([{"relation": "child"}] * 4, "ja", {"household": ["世帯員は3件までです。"]}),
        (
            [{"relation": "child"}] * 4,
            "en",
            {"household": ["Household members can have at most 3."]},
        ),
        (
            [{"relation": "spouse"}, {"relation": "grandchild"}],
            "ja",
            {"household[1].relation": ["続柄は選択肢から選んでください。"]},
        ),
        (
            [{"relation": "spouse", "age": "-1"}, {"member_name": "山田一郎"}],
            "en",
            {
                "household[0].age": ["Age must be 0 or more."],
                "household[1].relation": ["Select Relationship."],
            },
        ),
        (  # a row with only an age of 0 is not blank: it needs its relation
            [{"age": 0}],
            "ja",
            {"household[0].relation": ["続柄を選んでください。"]},
        ),
        (
            [{"relation": "child", "nickname": "たっくん"}],
            "ja",
            {"household[0].nickname": ["この様式にない項目です。"]},
        ),
        (
            [{"relation": "child"}, "山田一郎"],
            "ja",
            {"household[1]": ["世帯員の値が正しくありません。"]},
        ),
        ({"relation": "child"}, "ja", {"household": ["世帯員の値が正しくありません。"]}),
    ],
)
def test_group_rejects(rows, lang, errors):
    assert answer(HOUSEHOLD, rows, lang=lang).errors == errors


def test_group_error_names_the_row_as_posted_even_after_a_blank_row():
    """The page shows the rows as posted; the error must point at the second one."""
    rows = [{"relation": "", "member_name": "", "age": ""}, {"relation": "grandchild"}]
    assert answer(HOUSEHOLD, rows).errors == {
        "household[1].relation": ["続柄は選択肢から選んでください。"]
    }


def test_optional_group_may_stay_empty():
    assert answer(HOUSEHOLD_OPTIONAL, []).ok
    assert answer(HOUSEHOLD_OPTIONAL, [{"relation": ""}]).values == {}


# --- heading and paragraph ----------------------------------------------------------------

WITH_TEXT = """
- {id: intro, type: heading, text: {ja: 申請者について, en: About you}}
- {id: explain, type: paragraph, text: 住民票のとおりに記入してください。}
- {id: town, type: text, label: 町名}
"""


def test_heading_and_paragraph_have_no_answer():
    defn = one_field(WITH_TEXT)
    result = validate_all(defn, {"town": "広明町"}, Context(today=TODAY))
    assert result.values == {"town": "広明町"}
    assert result.ok
    sent = validate_all(defn, {"intro": "x", "town": "広明町"}, Context(today=TODAY))
    assert sent.errors == {"intro": ["この様式にない項目です。"]}


# --- what a type knows about its page: its first input, its buttons, its files -----------

FIELDS_OF_EVERY_SHAPE = """
- {id: born, type: date, label: 生年月日}
- {id: kind, type: radio, label: 種類, options: [{value: a, label: 甲}]}
- {id: name, type: name, label: 氏名}
- {id: home, type: address, label: 住所}
- {id: town, type: text, label: 町名}
- {id: photo, type: file, label: 写真}
- {id: photos, type: file, label: 写真, multiple: true}
- id: household
  type: group
  label: 世帯
  repeat: {max: 2}
  fields:
    - {id: relation, type: text, label: 続柄}
"""


@pytest.mark.parametrize(
    ("key", "anchor"),
    [
        ("born", "born-year"),
        ("kind", "kind-0"),
        ("name", "name-family"),
        ("name.given_kana", "name-given_kana"),
        ("home", "home-postal_code"),
        ("home.street", "home-street"),
        ("town", "town"),
        ("household", "household-0"),
        ("household[1].relation", "household-1-relation"),
    ],
)
def test_an_error_points_at_the_input_its_type_names(key, anchor):
    defn = one_field(FIELDS_OF_EVERY_SHAPE)
    f = defn.field(key.split(".")[0].split("[")[0])
    assert kind(f).anchor(f, key) == anchor


def test_a_groups_buttons_add_up_to_its_maximum_and_remove_by_number():
    f = one_field(FIELDS_OF_EVERY_SHAPE).field("household")
    ctx = Context(today=TODAY)
    items = kind(f).act(f, [], "add", "", ctx)
    items = kind(f).act(f, items, "add", "", ctx)
    assert kind(f).act(f, items, "add", "", ctx) == [{}, {}]  # repeat.max 2
    assert kind(f).act(f, [{"relation": "父"}, {"relation": "母"}], "remove", "0", ctx) == [
        {"relation": "母"}
    ]
    assert kind(f).act(f, [{"relation": "父"}], "remove", "9" * 5000, ctx) == [{"relation": "父"}]


def test_the_address_button_fills_prefecture_and_city_from_the_postcode_only():
    f = one_field(FIELDS_OF_EVERY_SHAPE).field("home")
    ctx = Context(today=TODAY, postal_lookup=lookup)
    found = kind(f).act(f, {"postal_code": "５１４－８５７０"}, "lookup", "", ctx)
    assert found["postal_code"] == "514-8570" and found["prefecture"] == "三重県"
    asked = []
    spy = Context(today=TODAY, postal_lookup=lambda code: asked.append(code))
    kind(f).act(f, {"postal_code": "津市広明町"}, "lookup", "", spy)
    assert asked == []  # text that is no postcode is never looked up


def test_the_files_given_make_one_answer_for_pages_and_api_alike():
    defn = one_field(FIELDS_OF_EVERY_SHAPE)
    one, many = defn.field("photo"), defn.field("photos")
    a, b = {"id": "a", "size": 1}, {"id": "b", "size": 1}
    assert FileType.answer_of(one, []) is None and FileType.answer_of(many, []) is None
    assert FileType.answer_of(one, [a]) == a and FileType.answer_of(many, [a]) == [a]
    # two files for a one-file field: kept as they came, and refused (none dropped silently)
    assert FileType.answer_of(one, [a, b]) == [a, b]
    result = validate_all(defn, {"photo": [a, b]}, Context(today=TODAY))
    assert "photo" in result.errors
