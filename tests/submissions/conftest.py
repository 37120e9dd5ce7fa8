"""A small form over the worked-example catalogue, loaded into a fresh app."""

from __future__ import annotations

import re
import struct
import zlib

import pytest

from app.catalogue.services import import_catalogue
from app.submissions import versions

FORM = """\
id: test-permit
version: 1
procedure: A
title: {ja: テスト許可申請, en: Test permit}
languages: [ja, en]
declaration: {ja: 上記のとおり申請します。, en: I apply as above.}
what_happens_next: {ja: 10日以内に連絡します。}
pages:
  - id: applicant
    title: {ja: 申請者, en: Applicant}
    fields:
      - {id: name, type: name, label: {ja: 氏名, en: Name}, required: true}
      - {id: email, type: email, label: {ja: メールアドレス, en: Email}, required: true}
      - id: kind
        type: radio
        label: {ja: 種類, en: Kind}
        required: true
        options:
          - {value: a, label: {ja: 甲, en: A}}
          - {value: b, label: {ja: 乙, en: B}}
      - {id: reason, type: text, label: {ja: 理由, en: Reason}, required: true, show_if: {field: kind, equals: b}}
  - id: more
    title: {ja: 詳細, en: Details}
    show_if: {field: kind, equals: b}
    fields:
      - {id: count, type: integer, label: {ja: 人数, en: People}, min: 1, max: 10, required: true}
  - id: docs
    title: {ja: 添付, en: Attachments}
    fields:
      - {id: photo, type: file, label: {ja: 写真, en: Photo}, accept: [image/png], max_size_mb: 0.01}
"""

RECEIPT = re.compile(r"^\d{4}-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$")


def png() -> bytes:
    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def form_app(app, worked_example, tmp_path):
    path = tmp_path / "test-permit.yaml"
    path.write_text(FORM, encoding="utf-8")
    with app.app_context():
        assert import_catalogue(worked_example).ok
        report = versions.load_forms([path])
        assert not report.problems, report.problems
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    return app


def csrf(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    return m.group(1) if m else ""


class Resident:
    """A browser without JavaScript: follows redirects, posts forms."""

    def __init__(self, app):
        self.client = app.test_client()

    def get(self, url, **kw):
        return self.client.get(url, follow_redirects=True, **kw)

    def post(self, url, data=None, **kw):
        return self.client.post(url, data=data or {}, follow_redirects=True, **kw)

    def start(self, form="test-permit"):
        self.get(f"/apply/{form}")
        return self.post(f"/apply/{form}/start")

    def page(self, page_id, data, form="test-permit", **kw):
        return self.post(
            f"/apply/{form}/{page_id}",
            data={"action": "next", **data},
            content_type="multipart/form-data",
            **kw,
        )


@pytest.fixture
def resident(form_app):
    return Resident(form_app)


GOOD = {
    "name-family": "山田",
    "name-given": "太郎",
    "name-family_kana": "やまだ",
    "name-given_kana": "ﾀﾛｳ",
    "email": "taro@example.jp",
    "kind": "b",
    "reason": "事業のため",
}
