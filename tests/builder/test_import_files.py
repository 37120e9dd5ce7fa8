"""様式から作る on whole files: the corpus (tests/builder/yoshiki/, written by
bench/yoshiki_corpus.py) read into drafts the parser accepts, and every hostile file
refused with its message in Japanese and English, never an exception."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.styles import Border, Side
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject
from weasyprint import HTML

from app.builder import document
from app.builder.importing import Refused, read_file
from app.builder.importing.checks import MAX_BYTES, MAX_CELLS, MAX_PDF_FIELDS, MAX_PDF_PAGES
from app.formengine import parser
from bench import import_quality, yoshiki_corpus

CORPUS = Path(__file__).resolve().parent / "yoshiki"


def imported(name: str):
    return read_file((CORPUS / name).read_bytes(), name, form_id="sample", procedure="P-1")


@pytest.mark.parametrize("name", sorted(yoshiki_corpus.CORPUS))
def test_every_sample_becomes_a_draft_the_parser_accepts(name):
    got = imported(name)
    _, problems = parser.parse(document.dump(got.data), path="sample.yaml")
    assert problems == [] and got.problems == []
    assert got.marks["questions"] and set(got.marks["questions"]) <= set(document.all_ids(got.data))


def test_the_excel_sample_shows_where_each_question_came_from():
    got = imported("hunting-licence.xlsx")
    marks = got.marks["questions"]
    assert marks["name"]["from"] == "様式!C6, 様式!C7"  # フリガナ and 氏名
    assert marks["birth_date"] == {"from": "様式!C8", "sure": True, "why": ""}
    first = document.pages(got.data)[1]["fields"][0]
    assert first["type"] == "radio" and len(first["options"]) == 4  # a validation list
    venue = document.pages(got.data)[1]["fields"][1]
    assert [o["label"]["ja"] for o in venue["options"]] == ["津市", "四日市市", "伊勢市"]
    assert len(got.unsure) == 2  # the club number and the revenue stamp
    assert got.marks["ignored"] == ["記入例"] and got.marks["seal"]
    assert "三重　太郎" not in document.dump(got.data)  # the 記入例 sheet is left out


def test_the_word_sample_reads_its_tables_and_the_attachments():
    got = imported("animal-business.docx")
    assert got.data["title"]["ja"] == "第一種動物取扱業登録申請書"
    files = document.pages(got.data)[-1]["fields"]
    assert [f["label"]["ja"] for f in files] == [
        "事業所の平面図",
        "動物取扱責任者の資格を証する書類",
    ]
    assert got.marks["questions"]["name"]["from"] == "表1 行1, 表1 行2"
    kinds = {f["label"]["ja"]: f["type"] for p in document.pages(got.data) for f in p["fields"]}
    assert kinds["業種（該当するものすべて）"] == "checkboxes"


def test_the_pdf_sample_reads_its_fields_in_order_with_their_tooltips():
    got = imported("dog-registration.pdf")
    fields = document.pages(got.data)[0]["fields"]
    assert [f["label"]["ja"] for f in fields][:3] == ["飼い主の氏名", "飼い主の住所", "電話番号"]
    kinds = {f["label"]["ja"]: f for f in fields}
    assert [o["label"]["ja"] for o in kinds["性別"]["options"]] == ["雄", "雌"]
    assert kinds["犬の種類"]["type"] == "radio" and len(kinds["犬の種類"]["options"]) == 6
    assert kinds["狂犬病予防注射を受けている"]["type"] == "checkbox"
    assert kinds["備考"]["type"] == "textarea"
    assert got.marks["questions"]["name"]["from"] == "PDF: owner_name"


def test_the_quality_of_every_format_meets_the_target():
    totals = import_quality.measure()
    assert set(totals) == {"pdf", "xlsx", "docx"}
    for fmt, t in totals.items():
        assert t["right_share"] >= 0.8 and t["found_share"] >= 0.8, (fmt, t)


def test_the_corpus_script_makes_the_same_samples(tmp_path):
    for path in yoshiki_corpus.write(tmp_path, names={"subsidy.xlsx", "road-use.docx"}):
        again = read_file(path.read_bytes(), path.name, form_id="sample", procedure="P-1")
        assert again.data == imported(path.name).data


# --- hostile files ------------------------------------------------------------------------


def refused(raw: bytes, name: str = "様式.xlsx") -> str:
    with pytest.raises(Refused) as caught:
        read_file(raw, name, form_id="sample", procedure="P-1")
    ja, sep, en = caught.value.message.partition(" / ")
    assert sep and ja and en  # Japanese first, then English
    return caught.value.code


def _xlsx(**members: bytes) -> bytes:
    wb = Workbook()
    wb.active["A1"] = "氏名"
    out = io.BytesIO()
    wb.save(out)
    if not members:
        return out.getvalue()
    with zipfile.ZipFile(out, "a") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_read():
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(101):
                member.write(chunk)
    assert len(raw.getvalue()) < 1024 * 1024
    assert refused(raw.getvalue()) == "zip_bomb"
    assert refused(raw.getvalue(), "様式.docx") == "zip_bomb"


def test_a_zip_of_too_many_files_is_refused():
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as zf:
        for n in range(10_001):
            zf.writestr(f"x/{n}", b"")
    assert refused(raw.getvalue()) == "zip_bomb"


def test_macros_are_refused_by_content_and_by_name():
    assert refused(_xlsx(**{"xl/vbaProject.bin": b"\0" * 10})) == "macros"
    assert refused(_xlsx(), "様式.xlsm") == "macros"
    types = b'<Types><Override ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/></Types>'
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as zf:
        zf.writestr("[Content_Types].xml", types)
        zf.writestr("xl/workbook.xml", b"<workbook/>")
    assert refused(raw.getvalue()) == "macros"


def test_the_type_comes_from_the_content_not_the_name():
    pdf = (CORPUS / "event-notice.pdf").read_bytes()
    got = read_file(pdf, "様式.xlsx", form_id="sample", procedure="P-1")
    assert got.marks["format"] == "pdf"
    assert refused("<html><body>氏名</body></html>".encode(), "様式.xlsx") == "type"
    assert refused(b"MZ\x90\x00" + b"\0" * 100, "様式.pdf") == "type"
    assert refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "様式.xls") == "old_office"
    assert refused(b"", "様式.xlsx") == "empty"


def test_a_damaged_file_is_refused():
    raw = _xlsx()
    assert refused(raw[: len(raw) // 2]) in ("unreadable", "type")
    assert refused(b"%PDF-1.7\n" + b"\0" * 200, "様式.pdf") in ("unreadable", "scanned")


def test_a_huge_file_is_refused_by_its_size():
    assert refused(b"%PDF-1.7\n" + b" " * MAX_BYTES, "様式.pdf") == "too_large"


def _pdf(pages: int = 1, password: str = "") -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_pdf_of_too_many_pages_is_refused():
    assert refused(_pdf(MAX_PDF_PAGES + 1), "様式.pdf") == "pdf_pages"


def test_an_encrypted_pdf_is_refused():
    assert refused(_pdf(password="secret"), "様式.pdf") == "encrypted"


def test_a_pdf_without_form_fields_is_scanned_paper_which_is_not_supported():
    with pytest.raises(Refused) as caught:
        read_file(_pdf(), "様式.pdf", form_id="sample", procedure="P-1")
    assert "スキャン" in caught.value.message and "Scanned paper" in caught.value.message


def test_a_sheet_too_large_to_look_at_is_refused():
    wb = Workbook()
    wb.active.cell(row=MAX_CELLS // 10, column=11).value = "x"
    out = io.BytesIO()
    wb.save(out)
    assert refused(out.getvalue()) == "too_big_sheet"


def test_a_file_with_nothing_to_ask_says_so():
    wb = Workbook()
    out = io.BytesIO()
    wb.save(out)
    assert refused(out.getvalue()) == "nothing"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(sorted(yoshiki_corpus.CORPUS)),
    cuts=st.lists(st.tuples(st.integers(0, 200_000), st.binary(max_size=8)), max_size=4),
)
def test_a_damaged_sample_is_read_or_refused_never_an_error(name, cuts):
    raw = bytearray((CORPUS / name).read_bytes())
    for at, junk in cuts:
        at %= len(raw)
        raw[at : at + len(junk)] = junk
    try:
        got = read_file(bytes(raw), name, form_id="sample", procedure="P-1")
    except Refused as exc:
        assert " / " in exc.message
    else:
        _, problems = parser.parse(document.dump(got.data), path="sample.yaml")
        assert problems == []


def test_a_table_of_repeated_rows_is_left_out_with_a_note():
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wb = Workbook()
    ws = wb.active
    ws["A1"], ws["B1"] = "氏名", ""
    ws["B1"].border = box
    for col, heading in zip("ABC", ["氏名", "続柄", "生年月日"], strict=True):
        ws[f"{col}3"] = heading
        for row in (3, 4, 5):
            ws[f"{col}{row}"].border = box
    out = io.BytesIO()
    wb.save(out)
    got = read_file(out.getvalue(), "世帯.xlsx", form_id="sample", procedure="P-1")
    assert [f["label"]["ja"] for p in got.data["pages"] for f in p["fields"]] == ["氏名"]
    assert any("Sheet!A3:C3" in n and "repeating group" in n for n in got.marks["notes"])
    d = docx.Document()
    d.add_paragraph("世帯員届")
    single = d.add_table(rows=1, cols=2)
    single.cell(0, 0).text = "氏名"
    table = d.add_table(rows=3, cols=3)
    for c, heading in enumerate(["氏名", "続柄", "生年月日"]):
        table.cell(0, c).text = heading
    out = io.BytesIO()
    d.save(out)
    got = read_file(out.getvalue(), "世帯.docx", form_id="sample", procedure="P-1")
    assert any("表2" in n for n in got.marks["notes"])
    assert [f["label"]["ja"] for p in got.data["pages"] for f in p["fields"]] == ["氏名"]


def test_pdf_fields_keep_their_required_flag_and_maximum_length():
    reader = PdfReader(io.BytesIO((CORPUS / "event-notice.pdf").read_bytes()))
    writer = PdfWriter(clone_from=reader)
    for ref in writer._root_object["/AcroForm"]["/Fields"]:
        f = ref.get_object()
        if f.get("/T") == "org":
            f[NameObject("/Ff")] = NumberObject(int(f.get("/Ff", 0)) | 2)  # required
        if f.get("/T") == "event":
            f[NameObject("/MaxLen")] = NumberObject(60)
    out = io.BytesIO()
    writer.write(out)
    got = read_file(out.getvalue(), "届.pdf", form_id="sample", procedure="P-1")
    fields = {f["label"]["ja"]: f for p in got.data["pages"] for f in p["fields"]}
    assert fields["団体名"]["required"] is True
    assert fields["催しの名称"]["max_length"] == 60
    machine = next(m for m in got.marks["questions"].values() if m["from"] == "PDF: Text12")
    assert not machine["sure"] and "PDF" in machine["why"]  # labelled only by its name


def test_pdf_fields_are_read_by_page_then_top_to_bottom_then_left_to_right():
    html = (
        "<html lang=ja><body><form>"
        '<div style="display:flex"><label>電話番号<input name="b" type="text"></label>'
        '<label>メールアドレス<input name="c" type="text"></label></div>'
        '<div style="break-before:page"><label>住所<input name="a" type="text"></label></div>'
        "</form></body></html>"
    )
    raw = HTML(string=html).write_pdf(pdf_forms=True)
    got = read_file(raw, "x.pdf", form_id="sample", procedure="P-1")
    order = [f["type"] for p in got.data["pages"] for f in p["fields"]]
    assert order == ["tel", "email", "address"]


def test_a_pdf_of_too_many_fields_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    fields = ArrayObject()
    for n in range(MAX_PDF_FIELDS + 1):
        field = DictionaryObject(
            {NameObject("/FT"): NameObject("/Tx"), NameObject("/T"): TextStringObject(f"f{n}")}
        )
        fields.append(writer._add_object(field))
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject({NameObject("/Fields"): fields})
    out = io.BytesIO()
    writer.write(out)
    assert refused(out.getvalue(), "様式.pdf") == "pdf_fields"
