"""Hostile input: a form with every field type, loaded into a fresh app, and files that lie.

The form is the one the fuzzers and the upload attacks aim at; the builders make small
files whose content disagrees with their name, or whose header promises far more than
the bytes on disk.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib

import pytest

from app.catalogue.services import import_catalogue
from app.submissions import versions
from config import TestConfig

FORM_ID = "hostile-form"

# The fuzzers try a few hundred cases in `make test` and their full count in CI
# (`.ci/run` sets CI=true), or what FUZZ_EXAMPLES says.
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or (10_000 if TestConfig.CI else 300))

FORM = """\
id: hostile-form
version: 1
procedure: A
title: {ja: 入力検査用の申請, en: Input check application}
languages: [ja, en]
pages:
  - id: person
    title: {ja: 申請者, en: Applicant}
    fields:
      - {id: name, type: name, label: {ja: 氏名, en: Name}, required: true}
      - {id: email, type: email, label: {ja: メールアドレス, en: Email}, required: true}
      - {id: phone, type: tel, label: {ja: 電話番号, en: Phone}}
      - {id: address, type: address, label: {ja: 住所, en: Address}}
      - {id: born, type: date, label: {ja: 生年月日, en: Date of birth}, max: today}
      - id: kind
        type: radio
        label: {ja: 種類, en: Kind}
        required: true
        options:
          - {value: a, label: {ja: 甲, en: A}}
          - {value: b, label: {ja: 乙, en: B}}
      - id: topics
        type: checkboxes
        label: {ja: 分野, en: Topics}
        max_selected: 2
        options:
          - {value: farm, label: {ja: 農業, en: Farming}}
          - {value: fish, label: {ja: 漁業, en: Fishing}}
          - {value: wood, label: {ja: 林業, en: Forestry}}
      - id: office
        type: select
        label: {ja: 窓口, en: Office}
        options:
          - {value: "1", label: {ja: 津, en: Tsu}}
          - {value: "2", label: {ja: 四日市, en: Yokkaichi}}
  - id: details
    title: {ja: 詳細, en: Details}
    fields:
      - {id: intro, type: heading, text: {ja: 事業の内容, en: Your business}}
      - {id: code, type: text, label: {ja: 事業者番号, en: Business number}, pattern: "^[0-9]{6}$"}
      - {id: reading, type: text, label: {ja: 屋号（フリガナ）, en: Trade name reading}, kana: katakana}
      - {id: summary, type: textarea, label: {ja: 概要, en: Summary}, max_length: 500}
      - {id: staff, type: integer, label: {ja: 従業員数, en: Employees}, min: 0, max: 10000, unit: {ja: 人, en: " people"}}
      - id: members
        type: group
        label: {ja: 役員, en: Officers}
        item_label: {ja: 役員, en: Officer}
        repeat: {min: 0, max: 3}
        fields:
          - {id: member_name, type: text, label: {ja: 氏名, en: Name}, required: true}
          - {id: age, type: integer, label: {ja: 年齢, en: Age}, min: 0, max: 150}
      - {id: agree, type: checkbox, label: {ja: 規約に同意する, en: I agree to the terms}, required: true}
  - id: attachments
    title: {ja: 添付書類, en: Attachments}
    fields:
      - {id: photo, type: file, label: {ja: 写真, en: Photo}, accept: [image/jpeg, image/png], max_size_mb: 0.5}
      - {id: documents, type: file, label: {ja: 書類, en: Documents}, accept: [application/pdf, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet], multiple: true, max_files: 3, max_size_mb: 1}
      - {id: other, type: file, label: {ja: その他, en: Other}}
"""

# The smallest answers the form takes through the API (JSON).
VALID = {
    "name": {"family": "山田", "given": "太郎", "family_kana": "ヤマダ", "given_kana": "タロウ"},
    "email": "taro@example.jp",
    "kind": "a",
    "agree": True,
}


def _publish(app, worked_example, tmp_path):
    path = tmp_path / f"{FORM_ID}.yaml"
    path.write_text(FORM, encoding="utf-8")
    with app.app_context():
        assert import_catalogue(worked_example).ok
        report = versions.load_forms([path])
        assert not report.problems, report.problems
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    return app


@pytest.fixture
def hostile_app(app, worked_example, tmp_path):
    """The app with the worked-example catalogue and the hostile form published."""
    return _publish(app, worked_example, tmp_path)


@pytest.fixture
def hostile_backend_app(backend_app, worked_example, tmp_path):
    """The same, on SQLite and on PostgreSQL."""
    return _publish(backend_app, worked_example, tmp_path)


# --- files ------------------------------------------------------------------------------------


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int = 1, height: int = 1, *, rows: int | None = None) -> bytes:
    """A PNG whose header says width × height; its pixel data holds `rows` rows
    (all of them by default), so a huge image can be a few hundred bytes on disk."""
    rows = height if rows is None else rows
    raw = (b"\x00" + b"\x00\x00\x00" * width) * rows
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + _chunk(b"IDAT", zlib.compress(raw, 9))
        + _chunk(b"IEND", b"")
    )


def jpeg(width: int = 1, height: int = 1, *, exif: int = 0) -> bytes:
    """A baseline JPEG frame header of width × height (and `exif` bytes of APP1 before it,
    as a phone puts its metadata first); the scan is a token one."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    app1 = b""
    left = exif
    while left > 0:  # segments hold at most 65533 bytes
        n = min(left, 65000)
        app1 += b"\xff\xe1" + struct.pack(">H", n + 2) + b"Exif\x00\x00" + b"\x00" * (n - 6)
        left -= n
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    dqt = b"\xff\xdb" + struct.pack(">H", 67) + b"\x00" + b"\x01" * 64
    dht = b"\xff\xc4" + struct.pack(">H", 20) + b"\x00" + b"\x01" + b"\x00" * 15 + b"\x00"
    sos = b"\xff\xda" + struct.pack(">HB", 8, 1) + b"\x01\x00\x00\x3f\x00"
    return b"\xff\xd8" + app0 + app1 + dqt + sof + dht + sos + b"\x00" * 16 + b"\xff\xd9"


PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx(extra: dict[str, bytes] | None = None, *, sheet: bytes = b"<worksheet/>") -> bytes:
    """A spreadsheet as Excel writes one (a zip whose first entry is [Content_Types].xml)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", b'<?xml version="1.0"?><Types/>')
        z.writestr("_rels/.rels", b"<Relationships/>")
        z.writestr("xl/workbook.xml", b"<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return out.getvalue()


def zip_bomb_xlsx(expanded_mb: int) -> bytes:
    """A spreadsheet whose sheet inflates to `expanded_mb` MB from a few kilobytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", b'<?xml version="1.0"?><Types/>')
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            block = b"\x00" * (1024 * 1024)
            for _ in range(expanded_mb):
                sheet.write(block)
    return out.getvalue()


def multipart(
    fields: dict[str, str], files: list[tuple[str, bytes, bytes, str]]
) -> tuple[bytes, str]:
    """A multipart/form-data body written byte for byte, as a hostile client would:
    `files` are (part name, filename exactly as sent, content, claimed type). → (body,
    content type). The test client would otherwise tidy the filenames up."""
    boundary = b"hostile-boundary-7f3a"
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(b"--" + boundary + b"\r\n")
        out.write(f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.write(value.encode() + b"\r\n")
    for name, filename, content, ctype in files:
        out.write(b"--" + boundary + b"\r\n")
        out.write(f'Content-Disposition: form-data; name="{name}"; filename="'.encode())
        out.write(filename + b'"\r\n')
        out.write(f"Content-Type: {ctype}\r\n\r\n".encode())
        out.write(content + b"\r\n")
    out.write(b"--" + boundary + b"--\r\n")
    return out.getvalue(), f"multipart/form-data; boundary={boundary.decode()}"
