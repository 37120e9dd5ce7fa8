"""Whether a file may be read as a 様式, decided before any reader opens it.

The upload rules are the project's own (app/formengine/files.py): the type comes from
the content (`sniff`), never from the name; a zip (so an .xlsx or .docx) is refused when
it would expand past `MAX_EXPANDED` or holds more than `MAX_ENTRIES` files, or cannot be
read (`archive_problem`). On top of them, what only a 様式 needs: its size, no macros, no
old binary Office formats, and the limits each reader keeps while it reads (pages of a
PDF, cells of a sheet). Every refusal is one `Refused`, whose message is
`日本語 / English`. No Flask, no database.
"""

from __future__ import annotations

import io
import zipfile

from app.formengine.files import MAX_ENTRIES, MAX_EXPANDED, SNIFF_BYTES, archive_problem, sniff

MAX_BYTES = 10 * 1024 * 1024  # a 様式 as sent: the prefecture's own are below 2 MB
MAX_PDF_PAGES = 50
MAX_PDF_FIELDS = 500
MAX_CELLS = 40_000  # cells of one sheet looked at (rows × columns of its used area)
MAX_SHEETS = 20
MAX_DOCX_BLOCKS = 3_000  # paragraphs and table rows of a Word document

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .doc (and their macros)

MESSAGES = {
    "empty": (
        "ファイルが空です。様式のファイルを選んでください。",
        "The file is empty. Choose the file of the form.",
    ),
    "too_large": (
        "ファイルが大きすぎます（{mb}MBまで）。",
        "The file is too large (at most {mb} MB).",
    ),
    "type": (
        "この形式のファイルは読み込めません。PDF（入力欄のあるもの）、Excel（.xlsx）、Word（.docx）を選んでください。",
        "This kind of file cannot be read. Choose a PDF with form fields, an Excel (.xlsx) or a Word (.docx) file.",
    ),
    "old_office": (
        "古い形式（.xls・.doc）のファイルは読み込めません。Excel や Word で .xlsx・.docx として保存し直してください。",
        "Old .xls and .doc files cannot be read. Save the file as .xlsx or .docx in Excel or Word first.",
    ),
    "macros": (
        "マクロを含むファイル（.xlsm など）は受け付けません。マクロのない .xlsx・.docx として保存し直してください。",
        "Files with macros (such as .xlsm) are not accepted. Save the file as .xlsx or .docx without macros.",
    ),
    "zip_bomb": (
        "ファイルを展開すると大きくなりすぎるため、読み込めません（{mb}MBまで、ファイル数{entries}まで）。",
        "The file would expand too much to be read (at most {mb} MB and {entries} files inside).",
    ),
    "unreadable": (
        "ファイルが壊れているか、パスワードで保護されているため読めません。",
        "The file is damaged or protected by a password and cannot be read.",
    ),
    "encrypted": (
        "パスワードで保護されたPDFは読み込めません。保護を外したPDFを選んでください。",
        "A PDF protected by a password cannot be read. Choose the PDF without its protection.",
    ),
    "pdf_pages": (
        "PDFのページが多すぎます（{pages}ページまで）。",
        "The PDF has too many pages (at most {pages}).",
    ),
    "pdf_fields": (
        "PDFの入力欄が多すぎます（{fields}個まで）。",
        "The PDF has too many form fields (at most {fields}).",
    ),
    "scanned": (
        "このPDFには入力欄（フォームフィールド）がありません。紙をスキャンしたPDFや、印刷用のPDFからは作れません。Excel・Word の様式か、入力欄のあるPDFを選んでください。",
        "This PDF has no form fields. Scanned paper and PDFs made only for printing are not supported: choose the Excel or Word form, or a PDF with form fields.",
    ),
    "too_big_sheet": (
        "シート「{sheet}」の範囲が大きすぎます（{cells}セルまで）。",
        "The sheet “{sheet}” is too large (at most {cells} cells).",
    ),
    "too_many_sheets": (
        "シートが多すぎます（{sheets}枚まで）。",
        "The workbook has too many sheets (at most {sheets}).",
    ),
    "too_long_document": (
        "文書が長すぎます（段落と表の行で{blocks}まで）。",
        "The document is too long (at most {blocks} paragraphs and table rows).",
    ),
    "nothing": (
        "質問になりそうな項目が見つかりませんでした。白紙から作るか、ひな形から作ってください。",
        "Nothing that could be a question was found. Start from a blank form or a template instead.",
    ),
}


class Refused(Exception):
    """A file that is not read; `message` is `日本語 / English`."""

    def __init__(self, code: str, **params):
        ja, en = MESSAGES[code]
        self.code = code
        self.message = f"{ja.format(**params)} / {en.format(**params)}"
        super().__init__(self.message)


def kind_of(raw: bytes, filename: str = "") -> str:
    """`pdf`, `xlsx` or `docx`, read from the content, or Refused."""
    if not raw:
        raise Refused("empty")
    if len(raw) > MAX_BYTES:
        raise Refused("too_large", mb=MAX_BYTES // 1024 // 1024)
    if raw.startswith(OLE2):
        raise Refused("old_office")
    if raw.lstrip()[:5] == b"%PDF-" or sniff(raw[:SNIFF_BYTES]) == PDF:
        return "pdf"
    if raw[:4] not in (b"PK\x03\x04", b"PK\x05\x06"):
        raise Refused("type")
    problem = archive_problem(raw)  # the upload rule: expanded size, files, readable
    if problem == "too_large":
        raise Refused("zip_bomb", mb=MAX_EXPANDED // 1024 // 1024, entries=f"{MAX_ENTRIES:,}")
    if problem == "unreadable":
        raise Refused("unreadable")
    names = _members(raw)
    if filename.lower().endswith((".xlsm", ".docm", ".xltm", ".dotm")) or any(
        "vba" in n.lower() for n in names
    ):
        raise Refused("macros")
    types = _content_types(raw)
    if "macroEnabled" in types:
        raise Refused("macros")
    found = sniff(raw[:SNIFF_BYTES])
    if found == XLSX or "xl/workbook.xml" in names:
        return "xlsx"
    if found == DOCX or "word/document.xml" in names:
        return "docx"
    raise Refused("type")


def _members(raw: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        return archive.namelist()


def _content_types(raw: bytes) -> str:
    """[Content_Types].xml as text (what says a workbook is macro-enabled), at most 1 MB."""
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        try:
            with archive.open("[Content_Types].xml") as f:
                return f.read(1024 * 1024).decode("utf-8", "replace")
        except KeyError:
            return ""
