"""The corpus of sample 様式 the importer is measured on (`make import-quality`) and
tested with (tests/builder/): two of each format, written here from code so that
anyone can see what they hold and make them again.

    .venv/bin/python bench/yoshiki_corpus.py [FOLDER]   # default tests/builder/yoshiki

Beside each file, `<name>.yaml` (kept in git, written by hand, not by this script) is the
form a careful author makes from that 様式: the measure compares the importer's draft
with it. The files follow the common shapes of the prefecture's 様式: label cells beside
bordered blanks (merged), a section named in a tall cell on the left, フリガナ above 氏名,
〒 above 住所, `□男　□女`, `年　月　日`, `（　）円`, data-validation lists, a 印 box, a
収入証紙 box, the 添付書類 list, a 記入例 sheet; PDFs with form fields as WeasyPrint
writes them from an HTML form (`pdf_forms=True`).
"""

from __future__ import annotations

import io
import sys
from datetime import datetime
from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.datavalidation import DataValidation
from weasyprint import HTML

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "tests" / "builder" / "yoshiki"
FIXED = datetime(2026, 4, 1, 9, 0, 0)  # the files' own dates, so that they do not change
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


# --- Excel ---------------------------------------------------------------------------------


def _put(ws, ref: str, value: str = "", *, merge: str = "", box: bool = True, bold=False):
    cell = ws[ref]
    if value:
        cell.value = value
    if merge:
        ws.merge_cells(f"{ref}:{merge}")
        for row in ws[f"{ref}:{merge}"]:
            for c in row:
                if box:
                    c.border = BOX
    elif box:
        cell.border = BOX
    if bold:
        cell.font = Font(bold=True)
    cell.alignment = Alignment(vertical="center", wrap_text=True)


def _workbook_bytes(wb: Workbook) -> bytes:
    wb.properties.created = FIXED
    wb.properties.modified = FIXED
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _hunting_sheet(ws, example: bool) -> None:
    """狩猟免許申請書: a section in a tall cell on the left, label | blank rows."""
    v = (lambda text: text) if example else (lambda text: "")
    _put(ws, "A1", "様式第1号（第3条関係）", box=False)
    _put(ws, "A2", "狩猟免許申請書", merge="H2", box=False, bold=True)
    _put(ws, "G3", "令和　　年　　月　　日", merge="H3", box=False)
    _put(ws, "A4", "三重県知事　様", merge="C4", box=False)
    _put(
        ws,
        "A5",
        "鳥獣の保護及び管理並びに狩猟の適正化に関する法律第40条の規定により、下記のとおり狩猟免許を申請します。",
        merge="H5",
        box=False,
    )
    _put(ws, "A6", "申請者", merge="A13")
    rows = [
        ("フリガナ", v("ミエ　タロウ")),
        ("氏　　名", v("三重　太郎")),
        ("生年月日", "昭和・平成　　年　　月　　日"),
        ("性別", "□男　　□女"),
        ("〒", v("514-8570")),
        ("住　　所", v("津市広明町13番地")),
        ("電話番号", v("059-224-3070")),
        ("メールアドレス", v("taro@example.jp")),
    ]
    for n, (label, blank) in enumerate(rows, start=6):
        _put(ws, f"B{n}", label)
        _put(ws, f"C{n}", blank, merge=f"F{n}")
    _put(ws, "G7", "印")
    _put(ws, "A14", "免許", merge="A18")
    licence = [
        ("免許の種類", v("わな猟免許")),
        ("受験する会場", v("津市")),
        ("猟友会の会員番号", v("24-0123")),
        ("過去の免許の取消し", "□有　　□無"),
        ("収入証紙", ""),
    ]
    for n, (label, blank) in enumerate(licence, start=14):
        _put(ws, f"B{n}", label)
        _put(ws, f"C{n}", blank, merge=f"F{n}")
    kinds = DataValidation(
        type="list", formula1='"網猟免許,わな猟免許,第一種銃猟免許,第二種銃猟免許"'
    )
    ws.add_data_validation(kinds)
    kinds.add("C14")
    venues = DataValidation(type="list", formula1="リスト!$A$1:$A$3")
    ws.add_data_validation(venues)
    venues.add("C15")
    _put(ws, "A20", "添付書類", merge="H20", box=False, bold=True)
    for n, line in enumerate(
        ["1　医師の診断書", "2　写真（縦3cm×横2.4cm）", "3　住民票の写し"], start=21
    ):
        _put(ws, f"A{n}", line, merge=f"H{n}", box=False)
    _put(ws, "A25", "※　太枠内を記入してください。", merge="H25", box=False)


def hunting_licence() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "様式"
    _hunting_sheet(ws, example=False)
    _hunting_sheet(wb.create_sheet("記入例"), example=True)
    lists = wb.create_sheet("リスト")
    for n, place in enumerate(["津市", "四日市市", "伊勢市"], start=1):
        lists[f"A{n}"] = place
    lists.sheet_state = "hidden"
    return _workbook_bytes(wb)


def subsidy() -> bytes:
    """補助金交付申請書 of a corporation: a table with a heading row, data validation."""
    wb = Workbook()
    ws = wb.active
    ws.title = "交付申請書"
    _put(ws, "A1", "様式第2号", box=False)
    _put(ws, "A2", "中小企業デジタル化補助金交付申請書", merge="F2", box=False, bold=True)
    _put(ws, "E3", "令和　年　月　日", merge="F3", box=False)
    _put(ws, "A4", "三重県知事　様", merge="C4", box=False)
    _put(
        ws,
        "A5",
        "標記の補助金の交付を受けたいので、関係書類を添えて申請します。",
        merge="F5",
        box=False,
    )
    _put(ws, "A6", "1　申請者", merge="F6", box=False, bold=True)
    rows = [
        ("法人名", ""),
        ("法人番号", ""),
        ("代表者職氏名", ""),
        ("〒", ""),
        ("所在地", ""),
        ("担当者氏名", ""),
        ("担当者電話番号", ""),
        ("メールアドレス", ""),
        ("企業の区分", ""),
    ]
    for n, (label, blank) in enumerate(rows, start=7):
        _put(ws, f"A{n}", label, merge=f"B{n}")
        _put(ws, f"C{n}", blank, merge=f"E{n}" if label == "代表者職氏名" else f"F{n}")
    _put(ws, "F9", "印")
    kinds = DataValidation(type="list", formula1='"小規模事業者,中小企業,個人事業主"')
    ws.add_data_validation(kinds)
    kinds.add("C15")
    _put(ws, "A17", "2　事業の内容", merge="F17", box=False, bold=True)
    _put(ws, "A18", "事業の名称", merge="B18")
    _put(ws, "C18", "", merge="F18")
    _put(ws, "A19", "事業の目的", merge="B21")
    _put(ws, "C19", "", merge="F21")
    _put(ws, "A22", "事業の開始予定日", merge="B22")
    _put(ws, "C22", "令和　　年　　月　　日", merge="F22")
    _put(ws, "A23", "補助金交付申請額", merge="B23")
    _put(ws, "C23", "（　　　　　　　　）円", merge="F23")
    _put(ws, "A24", "従業員数", merge="B24")
    _put(ws, "C24", "", merge="E24")
    _put(ws, "F24", "人")
    _put(ws, "A25", "導入するシステム", merge="B25")
    _put(ws, "C25", "□会計　□受発注　□勤怠管理　□その他", merge="F25")
    _put(ws, "A27", "添付書類", merge="F27", box=False, bold=True)
    for n, line in enumerate(["(1) 事業計画書", "(2) 収支予算書", "(3) 登記事項証明書"], start=28):
        _put(ws, f"A{n}", line, merge=f"F{n}", box=False)
    example = wb.create_sheet("記入例")
    example["A1"] = "法人名"
    example["B1"] = "株式会社みえデジタル"
    return _workbook_bytes(wb)


# --- Word ----------------------------------------------------------------------------------


def _doc() -> docx.document.Document:
    d = docx.Document()
    d.core_properties.created = FIXED
    d.core_properties.modified = FIXED
    return d


def _para(d, text: str, *, bold=False, centre=False):
    p = d.add_paragraph()
    run = p.add_run(text)
    run.bold = bold
    if centre:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return p


def _rows(d, rows: list[tuple[str, ...]]):
    width = max(len(r) for r in rows)
    table = d.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
        if len(row) < width:  # the last cell spans the rest of the row
            table.cell(r, len(row) - 1).merge(table.cell(r, width - 1))
    return table


def _docx_bytes(d) -> bytes:
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def animal_business() -> bytes:
    """第一種動物取扱業登録申請書: tables of label and blank, a □ list, a 印."""
    d = _doc()
    _para(d, "様式第1（第2条関係）")
    _para(d, "第一種動物取扱業登録申請書", bold=True, centre=True)
    _para(d, "令和　　年　　月　　日")
    _para(d, "三重県知事　様")
    _para(d, "動物の愛護及び管理に関する法律第10条第1項の規定により、次のとおり登録を申請します。")
    _para(d, "1　申請者", bold=True)
    _rows(
        d,
        [
            ("フリガナ", "", ""),
            ("氏名又は名称", "", "印"),
            ("住所", "〒　　　－"),
            ("電話番号", ""),
            ("生年月日", "　　　年　　月　　日"),
        ],
    )
    _para(d, "2　事業所", bold=True)
    _rows(
        d,
        [
            ("事業所の名称", ""),
            ("事業所の所在地", ""),
            ("業種（該当するものすべて）", "□販売　□保管　□貸出し　□訓練　□展示"),
            ("動物取扱責任者の氏名", ""),
            ("主として取り扱う動物の種類", ""),
            ("営業時間", ""),
        ],
    )
    _para(d, "添付書類", bold=True)
    _para(d, "1　事業所の平面図")
    _para(d, "2　動物取扱責任者の資格を証する書類")
    _para(d, "※　法人にあっては、登記事項証明書を添付すること。")
    return _docx_bytes(d)


def road_use() -> bytes:
    """道路占用許可申請書: a section named in the first column, an amount, a date."""
    d = _doc()
    _para(d, "道路占用許可申請書", bold=True, centre=True)
    _para(d, "令和　　年　　月　　日")
    _para(d, "三重県　建設事務所長　様")
    _para(d, "道路法第32条の規定により、次のとおり申請します。")
    _rows(
        d,
        [
            ("申請者", "住所", ""),
            ("申請者", "氏名", ""),
            ("申請者", "電話番号", ""),
            ("申請者", "メールアドレス", ""),
            ("占用", "占用の目的", ""),
            ("占用", "占用の場所", ""),
            ("占用", "占用の開始日", "令和　　年　　月　　日"),
            ("占用", "占用の終了日", "令和　　年　　月　　日"),
            ("占用", "占用物件の数量", ""),
            ("占用", "工事の方法", "□直営　□請負"),
            ("占用", "占用料の見込額", "（　　　　　　）円"),
            ("占用", "備考", ""),
        ],
    )
    _para(d, "添付書類", bold=True)
    _para(d, "・位置図")
    _para(d, "・平面図")
    return _docx_bytes(d)


# --- PDF (WeasyPrint writes the form fields of an HTML form) --------------------------------

PDF_STYLE = """
@page { size: A4; margin: 15mm }
body { font-family: 'IPAexGothic', 'Noto Sans CJK JP', sans-serif; font-size: 10.5pt }
h1 { font-size: 14pt; text-align: center }
div { margin: 3mm 0 }
label { display: inline-block; width: 55mm }
input[type=text], select, textarea { width: 100mm; border: 1px solid #000;
  font-family: 'Liberation Sans', sans-serif }  /* a field's font is embedded whole */
input[type=radio], input[type=checkbox] { width: 4mm; height: 4mm }
textarea { height: 18mm }
"""


def _pdf(title: str, body: str) -> bytes:
    html = (
        f"<html lang=ja><head><meta charset=utf-8><title>{title}</title>"
        f"<style>{PDF_STYLE}</style></head><body><h1>{title}</h1><form>{body}</form></body></html>"
    )
    return HTML(string=html).write_pdf(pdf_forms=True)


def _input(name: str, label: str, **attrs) -> str:
    extra = " ".join(f'{k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return f'<div><label for="{name}">{label}</label><input type="text" id="{name}" name="{name}" {extra}></div>'


def dog_registration() -> bytes:
    body = "".join(
        [
            _input("owner_name", "飼い主の氏名"),
            _input("owner_address", "飼い主の住所"),
            _input("owner_tel", "電話番号", maxlength=13),
            _input("owner_mail", "メールアドレス"),
            _input("dog_name", "犬の名前"),
            '<div><label for="breed">犬の種類</label><select id="breed" name="breed">'
            "<option>柴</option><option>トイ・プードル</option><option>チワワ</option>"
            "<option>ミニチュア・ダックスフンド</option><option>雑種</option><option>その他</option></select></div>",
            _input("colour", "毛色"),
            '<div>性別 <input type="radio" name="dog_sex" value="雄" title="性別">雄'
            ' <input type="radio" name="dog_sex" value="雌" title="性別">雌</div>',
            _input("dog_birth", "犬の生年月日"),
            '<div><input type="checkbox" id="rabies" name="rabies">'
            '<label for="rabies">狂犬病予防注射を受けている</label></div>',
            '<div><label for="notes">備考</label><textarea id="notes" name="notes"></textarea></div>',
        ]
    )
    return _pdf("犬の登録申請書", body)


def event_notice() -> bytes:
    body = "".join(
        [
            _input("org", "団体名"),
            _input("rep", "代表者氏名"),
            _input("zip", "郵便番号", maxlength=8),
            _input("addr", "所在地"),
            _input("tel", "連絡先電話番号"),
            _input("event", "催しの名称"),
            _input("day", "開催日"),
            _input("people", "参加予定人数"),
            _input("fee", "参加費の額"),
            '<div>会場の種類 <input type="radio" name="venue" value="屋内" title="会場の種類">屋内'
            ' <input type="radio" name="venue" value="屋外" title="会場の種類">屋外</div>',
            '<div><label for="purpose">開催の目的</label><textarea id="purpose" name="purpose"></textarea></div>',
            '<div><input type="text" name="Text12"></div>',
        ]
    )
    return _pdf("催し物開催届出書", body)


CORPUS = {
    "hunting-licence.xlsx": hunting_licence,
    "subsidy.xlsx": subsidy,
    "animal-business.docx": animal_business,
    "road-use.docx": road_use,
    "dog-registration.pdf": dog_registration,
    "event-notice.pdf": event_notice,
}


def write(folder: Path = FOLDER, names=None) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, make in CORPUS.items():
        if names and name not in names:
            continue
        path = folder / name
        path.write_bytes(make())
        out.append(path)
    return out


if __name__ == "__main__":
    for path in write(Path(sys.argv[1]) if len(sys.argv) > 1 else FOLDER):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
