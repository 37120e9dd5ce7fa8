"""Upload attacks, through the resident's pages and through the API.

A file that lies about its type, a name that tries to climb out of the upload folder, a
file or a request that is too large, and "decompression bombs" (an image whose header
declares 50,000 × 50,000 pixels in a few hundred bytes, a spreadsheet or a gzip file that
inflates to hundreds of megabytes) are refused with a message that names the file, in
Japanese (English when asked); nothing is stored, and the draft keeps its answers.
"""

from __future__ import annotations

import gzip
import html
import io
import json
import struct
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.formengine.files import MAX_PIXELS, image_size, safe_name
from app.submissions.models import Draft, StoredFile
from tests.hostile.conftest import (
    FORM_ID,
    PDF,
    VALID,
    XLSX_TYPE,
    jpeg,
    multipart,
    png,
    xlsx,
    zip_bomb_xlsx,
)
from tests.submissions.conftest import Resident

URL = f"/api/v1/forms/{FORM_ID}/submissions"
PERSON = {
    "name-family": "山田",
    "name-given": "太郎",
    "name-family_kana": "ヤマダ",
    "name-given_kana": "タロウ",
    "email": "taro@example.jp",
    "kind": "a",
}
MB = 1024 * 1024


class Web:
    """A resident's browser on the attachments page, the pages before it answered."""

    def __init__(self, app):
        self.resident = Resident(app)
        self.resident.start(form=FORM_ID)
        assert self.resident.page("person", PERSON, form=FORM_ID).request.path.endswith("/details")
        r = self.resident.page("details", {"agree": "y"}, form=FORM_ID)
        assert r.request.path.endswith("/attachments")

    def upload(self, field: str, filename: bytes, content: bytes, ctype: str = "image/jpeg"):
        """→ (accepted, what the resident reads)."""
        body, content_type = multipart({"action": "next"}, [(field, filename, content, ctype)])
        r = self.resident.client.post(
            f"/apply/{FORM_ID}/attachments",
            data=body,
            content_type=content_type,
            follow_redirects=True,
        )
        assert r.status_code in (200, 422), r.status_code
        accepted = r.request.path.endswith("/check")
        return accepted, html.unescape(r.get_data(as_text=True))


class Api:
    """Software submitting the whole form at once, as multipart."""

    def __init__(self, app):
        self.client = app.test_client()

    def upload(self, field: str, filename: bytes, content: bytes, ctype: str = "image/jpeg"):
        body, content_type = multipart(
            {"answers": json.dumps(VALID), "declaration": "true"},
            [(field, filename, content, ctype)],
        )
        r = self.client.post(URL, data=body, content_type=content_type)
        assert r.status_code in (201, 422), r.get_data(as_text=True)
        if r.status_code == 201:
            self.receipt = r.get_json()
        return r.status_code == 201, json.dumps(r.get_json(), ensure_ascii=False)


@pytest.fixture(params=["web", "api"])
def channel(request, hostile_app):
    return (Web if request.param == "web" else Api)(hostile_app)


def stored(app) -> list[StoredFile]:
    with app.app_context():
        rows = list(db.session.scalars(select(StoredFile)))
        db.session.expunge_all()
        return rows


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


# --- a type that lies ---------------------------------------------------------------------------

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
HTML_PAGE = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'


@pytest.mark.parametrize(
    ("content", "found"),
    [
        (EXE, "application/x-msdownload"),
        (HTML_PAGE, "不明な形式"),
        (SVG, "不明な形式"),
        (PDF, "PDF"),
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "GIF"),  # an image, of a type not listed
    ],
)
def test_a_photo_that_is_not_an_image_is_refused_by_its_content(
    channel, hostile_app, content, found
):
    accepted, text = channel.upload("photo", b"photo.jpg", content, "image/jpeg")
    assert not accepted
    assert (
        f"photo.jpg の形式（{found}）は受け付けられません。JPEG、PNG のファイルを添付してください。"
        in text
    )
    assert stored(hostile_app) == []
    assert files_under(Path(hostile_app.config["UPLOAD_DIR"])) == []


def test_any_content_in_a_field_without_accept_is_only_ever_downloaded(channel, hostile_app):
    accepted, _ = channel.upload("other", b"page.html", HTML_PAGE, "text/html")
    assert accepted
    (row,) = stored(hostile_app)
    assert row.content_type == "application/octet-stream"  # never the browser's text/html
    if isinstance(channel, Web):
        client, url = channel.resident.client, f"/apply/{FORM_ID}/files/{row.id}"
    else:
        client = hostile_app.test_client()
        receipt, code = channel.receipt["receipt_no"], channel.receipt["access_code"]
        client.post("/status", data={"receipt_no": receipt, "access_code": code})
        url = f"/status/{receipt}/files/{row.id}"
    r = client.get(url)
    r.close()
    assert r.status_code == 200
    assert r.mimetype == "application/octet-stream"
    assert r.headers["Content-Disposition"].startswith("attachment;")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]


# --- names --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        (b"../../etc/passwd.png", "passwd.png"),
        (b"..\\\\..\\\\windows\\\\x.png", "x.png"),  # backslashes, escaped as the RFC asks
        (b"..\\..\\x.png", "....x.png"),  # unescaped: the parser drops them, a name remains
        (b"/var/lib/app/uploads/evil.png", "evil.png"),
        (b"C:\\\\Users\\\\me\\\\photo.png", "photo.png"),
        (b"a\x00b.png", "ab.png"),
        (b"photo\xe2\x80\xaegnp.exe", "photognp.exe"),  # U+202E would show it as photoexe.png
        (b"...", "file"),
        (b"..", "file"),
        (b"x" * 5000 + b".png", "x" * 196 + ".png"),
        ("顔写真（正面）.png".encode(), "顔写真（正面）.png"),
        ("ｶﾞ.png".encode(), "ｶﾞ.png"),
        ("テ\u3099スト.png".encode(), "デスト.png"),  # NFD, as a Mac sends it → NFC
    ],
)
def test_a_name_is_only_a_name_never_a_path(channel, hostile_app, tmp_path, sent, kept):
    before = set(files_under(tmp_path))
    accepted, text = channel.upload("photo", sent, png(), "image/png")
    assert accepted, text[:2000]
    (row,) = stored(hostile_app)
    assert row.original_name == kept
    uploads = Path(hostile_app.config["UPLOAD_DIR"]).resolve()
    path = (uploads / row.path).resolve()
    assert path.is_relative_to(uploads) and path.name == row.id
    assert path.read_bytes() == png()
    assert set(files_under(tmp_path)) - before == {path}  # nothing written anywhere else
    if isinstance(channel, Web):
        assert kept in text  # the check page shows the kept name
        r = channel.resident.client.get(f"/apply/{FORM_ID}/files/{row.id}")
        r.close()
        disposition = r.headers["Content-Disposition"]
        assert "\n" not in disposition and "/" not in disposition and "\\" not in disposition


def test_a_name_with_nul_is_stored_on_postgresql_too(hostile_backend_app):
    accepted, _ = Api(hostile_backend_app).upload("photo", b"a\x00b.png", png(), "image/png")
    assert accepted
    assert [row.original_name for row in stored(hostile_backend_app)] == ["ab.png"]


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        (None, "file"),
        ("", "file"),
        (" . ", "file"),
        ("\ufeffa.png", "a.png"),
        ("a\r\nContent-Type: text/html.png", "html.png"),
        ("x" * 300, "x" * 200),
        ("x" * 300 + ".extension-far-too-long", "x" * 200),
    ],
)
def test_safe_name(name, kept):
    assert safe_name(name) == kept


# --- another draft's files ----------------------------------------------------------------------


def test_a_draft_never_reaches_another_drafts_files(hostile_app):
    """Removing, replacing or naming a file of someone else's draft changes nothing of it:
    a draft's files are only ever its own."""
    victim = Web(hostile_app)
    accepted, _ = victim.upload("photo", b"mine.png", png(), "image/png")
    assert accepted
    (theirs,) = stored(hostile_app)
    uploads = Path(hostile_app.config["UPLOAD_DIR"])

    attacker = Web(hostile_app)
    body, ctype = multipart(
        {"action": "next", "remove-photo": theirs.id, "photo": json.dumps({"id": theirs.id})}, []
    )
    r = attacker.resident.client.post(
        f"/apply/{FORM_ID}/attachments", data=body, content_type=ctype, follow_redirects=True
    )
    assert r.request.path.endswith("/check") and "mine.png" not in r.get_data(as_text=True)
    # a reference to it planted in the attacker's own draft, then replaced
    with hostile_app.app_context():
        mine = db.session.scalars(select(Draft).order_by(Draft.id)).all()[-1]
        mine.pending = {"attachments": {"photo": {"id": theirs.id, "name": "x", "size": 1}}}
        db.session.commit()
    accepted, _ = attacker.upload("photo", b"new.png", png(), "image/png")
    assert accepted
    names = {row.original_name: row for row in stored(hostile_app)}
    assert set(names) == {"mine.png", "new.png"}
    assert names["mine.png"].draft_id == theirs.draft_id
    assert (uploads / theirs.path).read_bytes() == png()
    r = victim.resident.get(f"/apply/{FORM_ID}/check")
    assert "mine.png" in r.get_data(as_text=True)


def test_saving_a_page_with_files_again_and_again_keeps_only_the_last_ones(hostile_app):
    """The hardening report's case: a page saved five times with the same two files grew
    the upload folder by five times their size. Each save now replaces the files before."""
    web = Web(hostile_app)
    uploads = Path(hostile_app.config["UPLOAD_DIR"])
    other = b"\x00" * (200 * 1024)
    for _ in range(5):
        body, ctype = multipart(
            {"action": "save"},
            [
                ("photo", b"photo.png", png(), "image/png"),
                ("other", b"scan.bin", other, "application/octet-stream"),
            ],
        )
        r = web.resident.client.post(f"/apply/{FORM_ID}/attachments", data=body, content_type=ctype)
        assert r.status_code == 302 and r.headers["Location"].endswith("/saved")
    rows = stored(hostile_app)
    assert sorted(row.original_name for row in rows) == ["photo.png", "scan.bin"]
    assert sorted(p.name for p in files_under(uploads)) == sorted(row.id for row in rows)
    assert sum(p.stat().st_size for p in files_under(uploads)) == len(png()) + len(other)


# --- size ---------------------------------------------------------------------------------------


def test_a_file_over_the_fields_size_is_refused_with_its_size(channel, hostile_app):
    big = jpeg(640, 480) + b"\x00" * (600 * 1024)
    accepted, text = channel.upload("photo", b"photo.jpg", big)
    assert not accepted
    assert "photo.jpg は0.6MBです。0.5MB以下のファイルを添付してください。" in text
    assert stored(hostile_app) == []


def test_a_request_over_the_body_limit_is_a_clear_413_page_and_the_draft_is_kept(hostile_app):
    web = Web(hostile_app)
    body, ctype = multipart(
        {"action": "next"},
        [("other", b"huge.bin", b"\x00" * (33 * MB), "application/octet-stream")],
    )
    r = web.resident.client.post(f"/apply/{FORM_ID}/attachments", data=body, content_type=ctype)
    page = html.unescape(r.get_data(as_text=True))
    assert r.status_code == 413
    assert "送信されたデータが大きすぎます。ファイルを小さくするか、分けて送ってください" in page
    assert "1回に送れるのは合計32MBまでです" in page
    assert f'href="/apply/{FORM_ID}/attachments"' in page  # the way back
    assert "Traceback" not in page and "RequestEntityTooLarge" not in page
    # back on the form, nothing answered before is lost
    r = web.resident.get(f"/apply/{FORM_ID}/attachments")
    assert r.status_code == 200 and "添付書類" in r.get_data(as_text=True)
    with hostile_app.app_context():
        (draft,) = db.session.scalars(select(Draft))
        assert draft.answers["name"]["family"] == "山田" and draft.answers["agree"] is True
    r = web.resident.get(f"/apply/{FORM_ID}/check")
    assert r.request.path.endswith("/check") and "山田 太郎" in r.get_data(as_text=True)
    # in English when the resident reads English
    web.resident.get(f"/apply/{FORM_ID}/attachments?lang=en")
    r = web.resident.client.post(f"/apply/{FORM_ID}/attachments", data=body, content_type=ctype)
    assert "What was sent is too large." in r.get_data(as_text=True)
    assert "Back to the page you were filling in" in r.get_data(as_text=True)


@pytest.mark.parametrize(
    ("accept_language", "message"),
    [
        (None, "送信されたデータが大きすぎます。"),
        ("en", "What was sent is too large. Make the files smaller or send them separately"),
    ],
)
def test_a_request_over_the_body_limit_is_a_413_in_json(hostile_app, accept_language, message):
    body, ctype = multipart(
        {"answers": json.dumps(VALID)},
        [("other", b"huge.bin", b"\x00" * (33 * MB), "application/octet-stream")],
    )
    headers = {"Accept-Language": accept_language} if accept_language else {}
    r = hostile_app.test_client().post(URL, data=body, content_type=ctype, headers=headers)
    assert r.status_code == 413
    assert r.get_json()["error"] == "too_large"
    text = r.get_json()["message"]  # 日本語 / English, whatever the client's languages
    assert text.startswith("送信されたデータが大きすぎます。") and message in text
    assert text.count("32") == 2


# --- decompression bombs ------------------------------------------------------------------------

BOMB_JA = (
    "は50,000×50,000ピクセルの画像で、大きすぎます。1億画素以下に縮小してから添付してください。"
)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        (b"photo.png", png(50_000, 50_000, rows=1)),  # 225 bytes on disk, 7.5 GB decoded
        (b"photo.jpg", jpeg(50_000, 50_000)),
        (b"photo.jpg", jpeg(50_000, 50_000, exif=70_000)),  # its frame header after 8 KB
    ],
)
def test_an_image_that_declares_enormous_dimensions_is_refused(channel, hostile_app, name, content):
    accepted, text = channel.upload("photo", name, content)
    assert not accepted
    assert f"{name.decode()} {BOMB_JA}" in text
    assert stored(hostile_app) == []


def test_the_pixel_limit_itself_is_accepted(channel, hostile_app):
    accepted, text = channel.upload("photo", b"photo.png", png(10_000, 10_000, rows=1))
    assert MAX_PIXELS == 10_000 * 10_000
    assert accepted, text[:2000]


def test_the_pixel_message_in_english():
    from app.formengine.files import check_upload
    from tests.formengine.test_field_types import upload_field

    photo = upload_field("- {id: photo, type: file, label: Photo, accept: [image/png]}")
    message = check_upload(photo, "p.png", png(50_000, 50_000, rows=1), 225, "en")
    assert message == (
        "p.png is an image of 50,000 × 50,000 pixels, which is too large. "
        "Make it smaller (100 million pixels at most) and attach it again."
    )


def test_a_spreadsheet_that_inflates_beyond_the_limit_is_refused(channel, hostile_app):
    bomb = zip_bomb_xlsx(150)
    assert len(bomb) < 1 * MB  # within the field's 1 MB
    accepted, text = channel.upload("documents", b"book.xlsx", bomb, XLSX_TYPE)
    assert not accepted
    assert (
        "book.xlsx は展開すると100MBを超えるため、受け付けられません。ファイルを分けて添付してください。"
        in text
    )
    assert stored(hostile_app) == []


def test_a_spreadsheet_that_lies_about_its_size_is_refused(channel, hostile_app):
    """Its directory says 100 bytes; the data would inflate to 150 MB. Reading stops at
    the declared size, where the checksum does not match: refused as damaged, at once."""
    bomb = bytearray(zip_bomb_xlsx(150))
    at = bomb.rfind(b"PK\x01\x02")  # the last entry of the central directory: the sheet
    struct.pack_into("<I", bomb, at + 24, 100)  # its uncompressed size
    accepted, text = channel.upload("documents", b"book.xlsx", bytes(bomb), XLSX_TYPE)
    assert not accepted
    assert "book.xlsx を読み取れませんでした。" in text
    assert stored(hostile_app) == []


def test_a_damaged_spreadsheet_is_refused(channel, hostile_app):
    accepted, text = channel.upload("documents", b"book.xlsx", xlsx()[:300], XLSX_TYPE)
    assert not accepted
    assert (
        "book.xlsx を読み取れませんでした。壊れているか、パスワードが設定されている可能性があります。"
        in text
    )


def test_an_ordinary_spreadsheet_is_accepted(channel, hostile_app):
    accepted, text = channel.upload("documents", b"book.xlsx", xlsx(), XLSX_TYPE)
    assert accepted, text[:2000]
    assert [row.content_type for row in stored(hostile_app)] == [XLSX_TYPE]


def _gzip_of_zeros(megabytes: int) -> bytes:
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as z:
        block = b"\x00" * MB
        for _ in range(megabytes):
            z.write(block)
    return out.getvalue()


def test_a_gzip_bomb_in_a_field_that_takes_anything_is_refused(channel, hostile_app):
    accepted, text = channel.upload("other", b"logs.gz", _gzip_of_zeros(120), "application/gzip")
    assert not accepted
    assert "logs.gz は展開すると100MBを超えるため、受け付けられません。" in text
    accepted, text = channel.upload("other", b"logs.gz", _gzip_of_zeros(1), "application/gzip")
    assert accepted, text[:2000]


# --- dimensions of every image type the engine knows --------------------------------------------


def _gif(width: int, height: int, frame: tuple[int, int]) -> bytes:
    head = b"GIF89a" + struct.pack("<HHBBB", width, height, 0, 0, 0)
    image = b"\x2c" + struct.pack("<HHHHB", 0, 0, *frame, 0) + b"\x02\x02\x44\x01\x00"
    return head + b"\x21\xf9\x04\x00\x00\x00\x00\x00" + image + b"\x3b"


def _webp(chunk: bytes, payload: bytes) -> bytes:
    body = b"WEBP" + chunk + struct.pack("<I", len(payload)) + payload
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _heic(width: int, height: int) -> bytes:
    ftyp = struct.pack(">I", 24) + b"ftypheic" + b"\x00\x00\x00\x00mif1heic"
    ispe = struct.pack(">I", 20) + b"ispe" + b"\x00\x00\x00\x00" + struct.pack(">II", width, height)
    return ftyp + struct.pack(">I", 8 + len(ispe)) + b"meta" + ispe


@pytest.mark.parametrize(
    ("data", "size"),
    [
        (png(3, 2), (3, 2)),
        (jpeg(640, 480, exif=10_000), (640, 480)),
        (_gif(10, 10, (10, 10)), (10, 10)),
        (_gif(10, 10, (60_000, 60_000)), (60_000, 60_000)),  # a frame larger than the screen
        (_webp(b"VP8X", b"\x00" * 4 + (49_999).to_bytes(3, "little") * 2), (50_000, 50_000)),
        (_webp(b"VP8L", b"\x2f" + ((16383) | (16383 << 14)).to_bytes(4, "little")), (16384, 16384)),
        (
            _webp(b"VP8 ", b"\x00" * 3 + b"\x9d\x01\x2a" + struct.pack("<HH", 16383, 16383)),
            (16383, 16383),
        ),
        (
            b"BM" + b"\x00" * 16 + struct.pack("<ii", 40_000, -40_000) + b"\x00" * 28,
            (40_000, 40_000),
        ),
        (_heic(60_000, 60_000), (60_000, 60_000)),
        (PDF, None),
        (b"\x89PNG\r\n\x1a\n", None),  # cut short
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", None),
    ],
)
def test_image_size_is_read_from_the_header(data, size):
    assert image_size(data) == size
