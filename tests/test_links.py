"""Every absolute link is built from BASE_URL (app/links.py), never from the Host header a
request came with: the receipt's printed link, its QR code (read back from the PDF with
OpenCV) and the QR code's alt text, the mails, the open data's JSON-LD and the API's links.
The site here is served as `PORT=5131 make run` serves it; every request says another Host."""

from __future__ import annotations

import email
import json
import subprocess
from email import policy

import cv2
import pytest
from sqlalchemy import select

from app import create_app
from app.catalogue.services import import_catalogue
from app.dashboard.effects import report_mail
from app.extensions import db
from app.submissions import notices, versions
from app.submissions.models import Submission
from app.submissions.receipts import receipt_for, receipt_html
from config import TestConfig
from tests.conftest import ROOT
from tests.documents.conftest import _tool, pdf_text, squash
from tests.documents.fill import submit

BASE = "http://127.0.0.1:5131"
HOST = "attacker.example"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("links")
    app = create_app(
        TestConfig,
        instance_path=str(tmp / "instance"),
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp / 'app.db'}",
        UPLOAD_DIR=str(tmp / "uploads"),
        JOB_PERIODIC=False,
        BASE_URL=BASE + "/",
    )
    with app.app_context():
        db.create_all()
        assert import_catalogue(ROOT / "procedures").ok
        assert not versions.load_forms([ROOT / "forms"]).problems
    client = app.test_client()
    client.environ_base["HTTP_HOST"] = HOST
    response = submit(client, "hunting-licence-renewal")
    assert response.status_code == 201, response.get_json()
    yield app, client, response.get_json()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _sub(receipt_no: str) -> Submission:
    return db.session.scalar(select(Submission).where(Submission.receipt_no == receipt_no))


def _qr_codes(pdf: bytes, tmp_path) -> list[str]:
    """The QR codes on the PDF's first page, as a phone's camera would read them."""
    (tmp_path / "r.pdf").write_bytes(pdf)
    subprocess.run(
        [_tool("pdftoppm"), "-png", "-r", "150", "-f", "1", "-l", "1", "-singlefile",
         str(tmp_path / "r.pdf"), str(tmp_path / "page")],
        check=True, timeout=120,
    )  # fmt: skip
    image = cv2.imread(str(tmp_path / "page.png"))
    assert image is not None
    found, texts, _, _ = cv2.QRCodeDetector().detectAndDecodeMulti(image)
    assert found, "no QR code on the receipt's first page"
    return [t for t in texts if t]


def test_the_receipts_qr_code_link_and_alt_text_point_home(served, tmp_path):
    app, _, body = served
    expected = f"{BASE}/status?receipt_no={body['receipt_no']}"
    with app.app_context():
        sub = _sub(body["receipt_no"])
        data, state = receipt_for(sub)
        html = receipt_html(sub)
    assert state == "ready"
    assert _qr_codes(data, tmp_path) == [expected]
    assert squash(expected) in squash(pdf_text(data, tmp_path))
    assert f": {expected}" in html  # the QR code's alt text
    assert HOST not in html


def _text(msg) -> str:
    """A mail's text as its reader sees it (the bytes sent, parsed again)."""
    return (
        email.message_from_bytes(bytes(msg), policy=policy.default)
        .get_body(("plain",))
        .get_content()
    )


def test_the_mails_link_home(served, tmp_path):
    app, _, body = served
    report = tmp_path / "report.pdf"
    report.write_bytes(b"%PDF-1.7")
    with app.test_request_context("/", headers={"Host": HOST}), app.app_context():
        sub = _sub(body["receipt_no"])
        resident = _text(notices.resident_mail(sub))
        department = _text(notices.department_mail(sub, "desk@example.pref.mie.lg.jp"))
        monthly = _text(report_mail("2026-11", report, "honbu@example.pref.mie.lg.jp"))
    assert f"{BASE}/dashboard" in monthly
    assert f"{BASE}/status?receipt_no={body['receipt_no']}" in resident
    assert f"{BASE}/staff/" in department
    assert HOST not in resident + department + monthly


def test_open_data_and_the_api_link_home_whatever_the_host(served):
    _, client, _ = served
    jsonld = client.get("/opendata/procedures.jsonld")
    listed = client.get("/api/v1/procedures?per_page=2")
    forms = client.get("/api/v1/forms")
    for r in (jsonld, listed, forms):
        assert r.status_code == 200
    text = jsonld.get_data(as_text=True) + listed.get_data(as_text=True)
    text += forms.get_data(as_text=True) + listed.headers["Link"]
    assert HOST not in text
    doc = json.loads(jsonld.get_data(as_text=True))
    assert doc["@context"]["tz"] == f"{BASE}/opendata/vocab#"
    first = listed.get_json()["procedures"][0]["links"]
    assert first["self"] == f"{BASE}/api/v1/procedures/{first['self'].rsplit('/', 1)[1]}"
    assert first["page"].startswith(f"{BASE}/procedures/")
    assert listed.get_json()["links"]["next"].startswith(f"{BASE}/api/v1/procedures?")


@pytest.mark.parametrize("value", ["", "127.0.0.1:5000", "ftp://example.jp", "https://x.jp/?a=1"])
def test_a_base_url_that_is_no_address_stops_the_start_with_a_reason(value, tmp_path):
    with pytest.raises(ValueError, match="BASE_URL"):
        create_app(TestConfig, instance_path=str(tmp_path), BASE_URL=value)
