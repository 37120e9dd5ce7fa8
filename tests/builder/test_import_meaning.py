"""様式から作る: each rule of meaning and shape, one thing found at a time
(app/builder/importing/meaning.py), then the rules that join rows (draft.py)."""

from __future__ import annotations

import pytest

from app.builder import document
from app.builder.importing.draft import build
from app.builder.importing.found import Extracted, Found
from app.builder.importing.meaning import clean, key, options_in, read, shape_of_text, split_label
from app.formengine import parser


def field_of(label, **found):
    got = read(Found(label, "Sheet!C3", **found))
    assert got.question is not None, got
    return got.question


@pytest.mark.parametrize(
    ("label", "kind", "extra"),
    [
        ("氏　　名", "name", {}),
        ("申請者氏名", "name", {}),
        ("住　　所", "address", {}),
        ("所在地", "address", {}),
        ("電話番号", "tel", {}),
        ("メールアドレス", "email", {}),
        ("E-mail", "email", {}),
        ("生年月日", "date", {"max": "today"}),
        ("法人名", "text", {"max_length": 100, "charset": "jis"}),
        ("代表者氏名", "name", {}),
        ("法人番号", "text", {"pattern": "^[0-9]{13}$"}),
        ("金額", "integer", {"unit": "円", "min": 0}),
        ("参加予定人数", "integer", {"unit": "人"}),
        ("開催日", "date", {}),
        ("申請の理由", "textarea", {}),
    ],
)
def test_a_label_is_read_by_its_meaning(label, kind, extra):
    q = field_of(label)
    assert q.field["type"] == kind
    assert q.sure
    for k, v in extra.items():
        assert q.field[k] == v


def test_a_label_with_no_meaning_is_one_line_of_text_marked_unsure():
    q = field_of("猟友会の会員番号")
    assert q.field["type"] == "text" and not q.sure
    assert "1行の文字" in q.why and " / " in q.why  # 日本語 / English


def test_an_amount_blank_makes_a_number_in_yen():
    q = field_of("補助金交付申請額", context="（　　　）円")
    assert (q.field["type"], q.field["unit"]) == ("integer", "円")


def test_a_date_blank_makes_a_date():
    q = field_of("交付を受けた日", context="令和　　年　　月　　日")
    assert q.field["type"] == "date" and q.sure


def test_boxes_make_a_choice_with_the_options_in_order():
    q = field_of("性別", context="□男　　□女")
    assert q.field["type"] == "radio"
    assert [o["label"]["ja"] for o in q.field["options"]] == ["男", "女"]
    assert [o["value"] for o in q.field["options"]] == ["male", "female"]
    q = field_of("導入する設備（該当するものすべて）", context="☐ 会計 ☐ 勤怠 ☐ その他")
    assert q.field["type"] == "checkboxes"


def test_a_data_validation_list_makes_a_choice():
    q = field_of("企業の区分", shape="select", options=["小規模事業者", "中小企業"])
    assert q.field["type"] == "radio" and q.sure
    many = [f"会場{n}" for n in range(8)]
    assert field_of("会場", shape="select", options=many).field["type"] == "select"


def test_a_postcode_blank_alone_asks_a_postcode_unsure():
    got = read(Found("〒", "Sheet!C4"))
    assert got.postal and got.question.field["pattern"] and not got.question.sure


def test_a_seal_box_becomes_a_note_and_nothing_asked():
    got = read(Found("印", "Sheet!G7", shape="seal"))
    assert got.question is None and got.seal
    assert "押印" in got.note and "seal" in got.note and "Sheet!G7" in got.note
    assert read(Found("㊞", "Sheet!G7")).seal


def test_a_revenue_stamp_box_becomes_a_note_about_the_fee():
    got = read(Found("収入証紙", "Sheet!C18"))
    assert got.question.field["type"] == "paragraph" and not got.question.sure
    assert "手数料" in got.question.field["text"]["ja"]


def test_the_date_of_application_is_not_asked():
    got = read(Found("", "Sheet!G3", shape="date"))
    assert got.question is None and got.applied_on and "申請日" in got.note
    assert read(Found("申請年月日", "Sheet!G3")).applied_on


def test_an_attachment_line_asks_a_file():
    q = field_of("1　住民票の写し", shape="attachment")
    assert q.field["type"] == "file" and q.field["label"]["ja"] == "住民票の写し"
    assert "application/pdf" in q.field["accept"]


def test_a_pdf_field_with_only_a_machine_name_is_unsure():
    q = field_of("Text12", trusted_label=False)
    assert not q.sure and "PDF" in q.why


def test_labels_are_cleaned_as_an_author_writes_them():
    assert clean("（1）氏　　名：") == "氏名"
    assert clean("・写真") == "写真"
    assert key("Ｅ－ｍａｉｌ") == "e-mail"
    assert split_label("性別　□男　□女") == ("性別", "□男　□女")
    assert split_label("生年月日") == ("生年月日", "")
    assert options_in("□有　□無") == ["有", "無"]
    assert shape_of_text("（　　）円") == "amount"
    assert shape_of_text("〒　　－") == "postal"


def test_readings_and_postcodes_join_the_question_beside_them():
    found = Extracted("xlsx", title="狩猟免許申請書")
    for label, where in [("フリガナ", "S!C6"), ("氏名", "S!C7"), ("〒", "S!C8"), ("住所", "S!C9")]:
        found.add(Found(label, where, section="申請者"))
    got = build(found, "hunting", "P-1")
    fields = got.data["pages"][0]["fields"]
    assert [f["type"] for f in fields] == ["name", "address"]
    assert got.marks["questions"]["name"]["from"] == "S!C6, S!C7"
    assert got.marks["questions"]["address"]["from"] == "S!C8, S!C9"
    assert got.marks["questions"]["address"]["sure"]
    assert got.problems == []


def test_the_draft_is_checked_by_the_parser_and_attachments_get_their_page():
    found = Extracted("docx", title="道路占用許可申請書", declaration="次のとおり申請します。")
    found.add(Found("氏名", "表1 行1", section="申請者"))
    found.add(Found("位置図", "段落9", shape="attachment"))
    found.add(Found("印", "表1 行1", shape="seal"))
    got = build(found, "road-use", "P-1")
    _, problems = parser.parse(document.dump(got.data), path="x.yaml")
    assert problems == [] and got.problems == []
    assert [p["title"]["ja"] for p in got.data["pages"]] == ["申請者", "添付書類"]
    assert got.data["declaration"] == {"ja": "次のとおり申請します。"}
    assert got.marks["seal"] is True


def test_an_attachment_keeps_what_is_in_brackets_as_its_hint():
    q = field_of("2　写真（縦3cm×横2.4cm）", shape="attachment")
    assert q.field["label"] == {"ja": "写真"} and q.field["help"] == {"ja": "縦3cm×横2.4cm"}


def test_the_representative_s_title_and_name_are_two_questions():
    found = Extracted("xlsx")
    found.add(Found("法人名", "S!C7"))
    found.add(Found("代表者職氏名", "S!C9"))
    got = build(found, "subsidy", "P-1")
    fields = got.data["pages"][0]["fields"]
    assert [(f["label"]["ja"], f["type"]) for f in fields] == [
        ("法人名", "text"),
        ("代表者の役職", "text"),
        ("代表者の氏名", "name"),
    ]
    assert got.marks["questions"]["representative_title"]["from"] == "S!C9"
    assert got.problems == []
