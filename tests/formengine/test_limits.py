"""Every text a resident can send has a maximum, and every error list is short.

The maximum belongs to the field type (text 200, textarea 2000, name parts 50, email
254, address parts, tel, the typed parts of a date); `max_length` in the YAML moves it
within a hard ceiling. At the maximum an answer is accepted; one character more and it
is refused with that type's message — through `validate_all`, the path of the pages and
the API alike.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.formengine import Context, FormDefinition, validate_all, validate_page
from app.formengine.answers import MAX_ERRORS, MORE
from app.formengine.parser import parse
from app.formengine.registry import FIELD_TYPES

TODAY = date(2024, 4, 1)

FORM = """\
id: limits
version: 1
procedure: P-0001
title: 上限
pages:
  - id: p
    title: {ja: 申請内容, en: Application}
    fields:
      - {id: town, type: text, label: {ja: 町名, en: Town}}
      - {id: long_town, type: text, label: {ja: 長い町名, en: Long town}, max_length: 1000}
      - {id: note, type: textarea, label: {ja: 備考, en: Notes}}
      - {id: long_note, type: textarea, label: {ja: 長い備考, en: Long notes}, max_length: 10000}
      - {id: email, type: email, label: {ja: メールアドレス, en: Email}}
      - {id: phone, type: tel, label: {ja: 電話番号, en: Phone}}
      - {id: staff, type: integer, label: {ja: 従業員数, en: Employees}}
      - {id: born, type: date, label: {ja: 生年月日, en: Date of birth}}
      - {id: name, type: name, label: {ja: 氏名, en: Name}}
      - {id: address, type: address, label: {ja: 住所, en: Address}}
      - id: days
        type: checkboxes
        label: {ja: 曜日, en: Days}
        options: [{value: mon, label: 月}, {value: wed, label: 水}, {value: fri, label: 金}]
      - id: household
        type: group
        label: {ja: 世帯員, en: Household}
        fields:
          - {id: member, type: text, label: {ja: 氏名, en: Name}, required: true}
          - {id: age, type: integer, label: {ja: 年齢, en: Age}, required: true}
      - id: officers
        type: group
        label: {ja: 役員, en: Officers}
        repeat: {max: 100}
        fields:
          - {id: officer, type: text, label: {ja: 氏名, en: Name}, required: true}
          - {id: since, type: integer, label: {ja: 就任年, en: Since}, required: true}
"""


@cache
def form() -> FormDefinition:
    defn, problems = parse(FORM)
    assert not problems, problems
    return defn


def ctx(lang: str = "ja") -> Context:
    return Context(lang=lang, today=TODAY)


NAME = {"family": "山田", "given": "太郎", "family_kana": "ヤマダ", "given_kana": "タロウ"}
ADDRESS = {
    "postal_code": "514-0006",
    "prefecture": "三重県",
    "city": "津市広明町",
    "street": "13番地",
    "building": "",
}
DATE_PARTS = {"era": "", "year": "2000", "month": "1", "day": "2"}


@dataclass(frozen=True)
class Text:
    """A text of a field (or of one part of it): its maximum, an answer whose text there
    has exactly n characters, the error key and the message for one too many."""

    name: str
    limit: int
    answer: Callable[[int], object]
    key: str
    message: dict[str, str]

    def __repr__(self) -> str:
        return self.name


def pad(n: int, base: str, filler: str, *, at: int | None = None) -> str:
    """`base` with `filler` put in (at `at`, or at the end) up to n characters."""
    at = len(base) if at is None else at
    return base[:at] + filler * (n - len(base)) + base[at:]


TEXTS = [
    Text("text", 200, lambda n: "町" * n, "town",
         {"ja": "町名は200文字以内で入力してください。", "en": "Town must be 200 characters or fewer."}),
    Text("text, max_length at the ceiling", 1000, lambda n: "町" * n, "long_town",
         {"ja": "長い町名は1000文字以内で入力してください。",
          "en": "Long town must be 1000 characters or fewer."}),
    Text("textarea", 2000, lambda n: "あ" * n, "note",
         {"ja": "備考は2000文字以内で入力してください。", "en": "Notes must be 2000 characters or fewer."}),
    Text("textarea, max_length at the ceiling", 10_000, lambda n: "あ" * n, "long_note",
         {"ja": "長い備考は10000文字以内で入力してください。",
          "en": "Long notes must be 10000 characters or fewer."}),
    Text("email", 254, lambda n: pad(n, "taro@example.jp", "a", at=0), "email",
         {"ja": "メールアドレスは254文字以内で入力してください。",
          "en": "Email must be 254 characters or fewer."}),
    Text("tel", 20, lambda n: pad(n, "059-224-2000", "-", at=3), "phone",
         {"ja": "電話番号は10桁または11桁の電話番号で入力してください（例: 059-224-2000）。",
          "en": "Enter Phone as a Japanese phone number of 10 or 11 digits, like 059-224-2000."}),
    Text("integer", 40, lambda n: pad(n, "1,000", "0", at=0), "staff",
         {"ja": "従業員数は数字で入力してください。", "en": "Enter Employees as a whole number."}),
    Text("date written out", 40, lambda n: pad(n, "2000-01-02", " ", at=5), "born",
         {"ja": "生年月日を正しい日付で入力してください（例: 2024年4月1日、令和6年4月1日）。",
          "en": "Enter Date of birth as a real date, like 2024-04-01."}),
    Text("date year", 4, lambda n: {**DATE_PARTS, "year": pad(n, "2000", "0", at=0)}, "born",
         {"ja": "生年月日を正しい日付で入力してください（例: 2024年4月1日、令和6年4月1日）。",
          "en": "Enter Date of birth as a real date, like 2024-04-01."}),
    Text("date month", 2, lambda n: {**DATE_PARTS, "month": pad(n, "1", "0", at=0)}, "born",
         {"ja": "生年月日を正しい日付で入力してください（例: 2024年4月1日、令和6年4月1日）。",
          "en": "Enter Date of birth as a real date, like 2024-04-01."}),
    Text("date day", 2, lambda n: {**DATE_PARTS, "day": pad(n, "2", "0", at=0)}, "born",
         {"ja": "生年月日を正しい日付で入力してください（例: 2024年4月1日、令和6年4月1日）。",
          "en": "Enter Date of birth as a real date, like 2024-04-01."}),
    Text("date era", 2, lambda n: {"era": "令和"[:n] + "和" * (n - 2), "year": "2", "month": "1",
                                   "day": "2"}, "born",
         {"ja": "生年月日を正しい日付で入力してください（例: 2024年4月1日、令和6年4月1日）。",
          "en": "Enter Date of birth as a real date, like 2024-04-01."}),
    *[
        Text(f"name {part}", 50, lambda n, part=part: {**NAME, part: NAME[part][0] * n},
             f"name.{part}",
             {"ja": f"氏名の{ja}は50文字以内で入力してください。",
              "en": f"The {en} of Name must be 50 characters or fewer."})
        for part, ja, en in [
            ("family", "姓", "family name"),
            ("given", "名", "given name"),
            ("family_kana", "姓（フリガナ）", "family name reading"),
            ("given_kana", "名（フリガナ）", "given name reading"),
        ]
    ],
    Text("address postal_code", 10,
         lambda n: {**ADDRESS, "postal_code": pad(n, "〒514-0006", " ", at=1)},
         "address.postal_code",
         {"ja": "郵便番号は7桁の数字で入力してください（例: 514-0006）。",
          "en": "Enter the postcode as 7 digits, like 514-0006."}),
    Text("address prefecture", 4, lambda n: {**ADDRESS, "prefecture": pad(n, "神奈川県", "県")},
         "address.prefecture",
         {"ja": "都道府県名が正しくありません。", "en": "That is not a Japanese prefecture."}),
    *[
        Text(f"address {part}", limit, lambda n, part=part: {**ADDRESS, part: "町" * n},
             f"address.{part}",
             {"ja": f"住所の{ja}は{limit}文字以内で入力してください。",
              "en": f"The {en} of Address must be {limit} characters or fewer."})
        for part, limit, ja, en in [
            ("city", 50, "市区町村・町名", "city, town and district"),
            ("street", 100, "番地", "street number"),
            ("building", 100, "建物名・部屋番号", "building and room"),
        ]
    ],
]  # fmt: skip


def test_every_text_of_every_type_is_in_the_table():
    """A new type or part that carries text must come with its maximum, and be tested."""
    tested = {t.name.split(",")[0].split(" ")[0] for t in TEXTS}
    with_text = {name for name, t in FIELD_TYPES.items() if t.max_length or t.part_max_length}
    assert with_text == {"text", "textarea", "email", "tel", "integer", "date", "name", "address"}
    assert with_text <= tested
    for name in ("name", "address", "date"):
        parts = {t.name.split(" ")[1] for t in TEXTS if t.name.startswith(name + " ")}
        assert set(FIELD_TYPES[name].part_max_length) <= parts


@pytest.mark.parametrize("text", TEXTS, ids=repr)
def test_at_the_maximum_accepted(text):
    field_id = text.key.split(".")[0]
    result = validate_all(form(), {field_id: text.answer(text.limit)}, ctx())
    assert result.errors == {}
    assert field_id in result.values


@settings(max_examples=300, deadline=None)
@given(
    text=st.sampled_from(TEXTS),
    over=st.one_of(st.integers(1, 3), st.integers(4, 30_000)),
    lang=st.sampled_from(["ja", "en"]),
)
def test_longer_than_the_maximum_gets_the_types_message(text, over, lang):
    field_id = text.key.split(".")[0]
    result = validate_all(form(), {field_id: text.answer(text.limit + over)}, ctx(lang))
    assert result.errors == {text.key: [text.message[lang]]}  # and so nothing is stored


@pytest.mark.parametrize("text", TEXTS, ids=repr)
def test_two_million_characters_are_refused_by_their_length(text):
    field_id = text.key.split(".")[0]
    result = validate_all(form(), {field_id: text.answer(2_000_000)}, ctx())
    assert result.errors == {text.key: [text.message["ja"]]}


def test_a_text_a_little_over_its_maximum_still_meets_every_rule():
    """Up to the type's ceiling every rule runs, so the resident learns all at once."""
    spec = "- {id: code, type: text, label: 整理番号, max_length: 4, pattern: '^[0-9]+$'}"
    defn, _ = parse(f"id: x\nversion: 1\nprocedure: P\ntitle: x\npages:\n  - id: p\n"
                    f"    title: p\n    fields:\n{textwrap.indent(spec, '      ')}\n")  # fmt: skip
    result = validate_all(defn, {"code": "12345a"}, ctx())
    assert result.errors == {
        "code": ["整理番号は4文字以内で入力してください。", "整理番号の形式が正しくありません。"]
    }
    assert validate_all(defn, {"code": "1" * 1001}, ctx()).errors == {
        "code": ["整理番号は4文字以内で入力してください。"]
    }


# --- integers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "errors"),
    [
        (2**31 - 1, {}),
        (-(2**31), {}),
        ("2,147,483,647", {}),
        (2**31, {"staff": ["従業員数は2,147,483,647以下にしてください。"]}),
        (-(2**31) - 1, {"staff": ["従業員数は-2,147,483,648以上にしてください。"]}),
        (10**4000, {"staff": ["従業員数は2,147,483,647以下にしてください。"]}),
        ("9" * 39, {"staff": ["従業員数は2,147,483,647以下にしてください。"]}),
        ("9" * 5000, {"staff": ["従業員数は数字で入力してください。"]}),
    ],
)
def test_an_integer_fits_a_32_bit_column_unless_the_form_says_less(typed, errors):
    assert validate_all(form(), {"staff": typed}, ctx()).errors == errors


# --- lists ---------------------------------------------------------------------------------


def test_checkboxes_take_no_more_values_than_there_are_options():
    assert validate_all(form(), {"days": ["mon", "wed", "fri"]}, ctx()).ok
    for sent in (["mon", "wed", "fri", "mon"], ["mon"] * 2_000_000):
        assert validate_all(form(), {"days": sent}, ctx()).errors == {
            "days": ["曜日は選択肢から選んでください。"]
        }


def test_a_group_without_repeat_max_takes_twenty_items():
    items = [{"member": "山田", "age": 30}] * 20
    assert validate_all(form(), {"household": items}, ctx()).ok
    result = validate_all(form(), {"household": items + items[:1]}, ctx())
    assert result.errors == {"household": ["世帯員は20件までです。"]}


def test_two_million_items_are_refused_by_their_count():
    result = validate_all(form(), {"household": [{"member": "x" * 10}] * 2_000_000}, ctx())
    assert result.errors == {"household": ["世帯員は20件までです。"]}


# --- error lists -----------------------------------------------------------------------------


def test_unknown_keys_are_one_error_naming_the_first_few():
    sent = {f"field{i}": "x" for i in range(200_000)}
    result = validate_all(form(), sent, ctx())
    assert result.errors == {
        "field0": [
            "この様式にない項目です。ほかにも、この様式にない項目が199,999件送られています"
            "（field1、field2、field3、field4、field5…）。"
        ]
    }
    english = validate_all(form(), {"a": 1, "b" * 100: 2}, ctx("en"))
    assert english.errors == {
        "a": [
            "This form has no such field. 1 more fields the form does not have were sent"
            f" ({'b' * 39}…)."
        ]
    }
    assert validate_all(form(), {"a": 1}, ctx()).errors == {"a": ["この様式にない項目です。"]}


def test_unknown_keys_of_a_group_item_are_one_error():
    item = {"member": "山田", "age": 1, **{f"k{i}": 1 for i in range(10_000)}}
    result = validate_all(form(), {"household": [item]}, ctx())
    assert list(result.errors) == ["household[0].k0"]
    assert "9,999件" in result.errors["household[0].k0"][0]


def test_at_most_fifty_messages_and_one_saying_how_many_more():
    blank_items = [{"officer": "", "since": "x"}] * 30  # two errors each
    result = validate_all(form(), {"officers": blank_items}, ctx())
    messages = [m for msgs in result.errors.values() for m in msgs]
    assert len(messages) == MAX_ERRORS + 1
    assert result.errors[MORE] == [
        "ほかに10件の誤りがあります。上の誤りを直してから、もう一度送ってください。"
    ]
    assert MORE not in validate_all(form(), {"officers": blank_items[:25]}, ctx()).errors


def test_the_pages_cap_their_errors_the_same_way():
    page = form().pages[0]
    raw = {"officers": [{"officer": "", "since": "x"}] * 25, "staff": "x"}
    result = validate_page(form(), page, raw, {}, ctx("en"))
    assert sum(len(m) for m in result.errors.values()) == MAX_ERRORS + 1
    assert result.errors[MORE] == [
        "There are 1 more problems. Correct the ones above and send the answers again."
    ]
