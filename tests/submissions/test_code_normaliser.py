"""Receipt numbers and access codes as a Japanese keyboard types them: one normaliser,
used by the status page and the API alike."""

from __future__ import annotations

import unicodedata

import pytest
from sqlalchemy import select

from app.extensions import db
from app.submissions.codes import (
    normalise_access_code,
    normalise_receipt_no,
    normalise_resume_code,
)
from app.submissions.models import Submission

from .conftest import GOOD


def wide(text: str) -> str:
    """As an IME in full-width mode writes it: every ASCII character full-width."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@pytest.mark.parametrize(
    "typed",
    [
        "2026-26MXV3TC",
        "２０２６－２６ＭＸＶ３ＴＣ",
        "２０２６ー２６ｍｘｖ３ｔｃ",
        "202626MXV3TC",
        " 2026 26mxv3tc ",
        "2026‐26MXV3TC",
    ],
)
def test_a_receipt_number_in_any_typing_is_the_same_number(typed):
    assert normalise_receipt_no(typed) == "2026-26MXV3TC"


@pytest.mark.parametrize("typed", ["ABCD2345", "ａｂｃｄ２３４５", "ABCD-2345", "ＡＢＣＤ　２３４５"])
def test_an_access_code_in_any_typing_is_the_same_code(typed):
    assert normalise_access_code(typed) == "ABCD2345"


def test_a_resume_code_with_or_without_its_hyphen():
    assert normalise_resume_code("ａｂｃｄｅｆｇｈｊｋ") == "ABCDE-FGHJK"
    assert normalise_resume_code("ABCDE－FGHJK") == "ABCDE-FGHJK"


def submit(resident, form_app) -> tuple[str, str]:
    resident.start()
    resident.page("applicant", {**GOOD, "kind": "a"})
    resident.page("docs", {})
    r = resident.post("/apply/test-permit/submit", {"declaration": "y"})
    receipt = r.request.path.rsplit("/", 1)[-1]
    with form_app.app_context():
        code = db.session.scalar(select(Submission.access_code))
    return receipt, code


def test_the_status_page_takes_the_number_as_a_phone_types_it(resident, form_app):
    receipt, code = submit(resident, form_app)
    visitor = type(resident)(form_app)
    for typed_no in (wide(receipt), wide(receipt.replace("-", ""))):
        r = visitor.post("/status", {"receipt_no": typed_no, "access_code": wide(code.lower())})
        assert r.status_code == 200 and "受付済み" in r.get_data(as_text=True)
        assert r.request.path == f"/status/{receipt}"


def test_the_api_takes_the_number_as_a_phone_types_it(resident, form_app):
    receipt, code = submit(resident, form_app)
    client = form_app.test_client()
    typed = unicodedata.normalize("NFC", wide(receipt))
    r = client.get(f"/api/v1/submissions/{typed}", headers={"X-Access-Code": code.lower()})
    assert r.status_code == 200 and r.get_json()["receipt_no"] == receipt
