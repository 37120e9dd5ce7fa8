"""Result documents (電子交付): made on the decision from the form's `results:`, signed
PAdES with the configured key, downloadable by the resident; pdfsig, pyHanko's validator
and /verify confirm them, and a changed copy fails."""

from __future__ import annotations

import email
import io
import shutil
import subprocess
from datetime import timedelta
from email import policy

import pytest

from app.clock import utcnow
from app.documents import signing
from app.extensions import db
from app.notify import mail
from app.submissions import results, retention, store, versions
from app.submissions.case_models import ResultRecord
from tests.submissions.conftest import FORM

from .conftest import ANSWERS, sign_in

WITH_RESULTS = (
    FORM.replace("version: 1", "version: 2")
    + """\
results:
  - id: approval
    kind: permit
    when: approved
    title: {ja: テスト許可証, en: Test permit}
    body:
      ja: |
        {{ answers.name }} 様

        {{ applied_on }}に申請のあった件（到達番号 {{ receipt_no }}）について、{{ decided_on }}付けで許可します。
      en: "Dear {{ answers.name }}, your application {{ receipt_no }} is approved."
  - id: rejection
    kind: notice
    when: rejected
    title: 不許可通知書
    body: "{{ message }}"
"""
)
needs_pdfsig = pytest.mark.skipif(
    shutil.which("pdfsig") is None, reason="pdfsig (poppler-utils) is not installed"
)


@pytest.fixture
def issued(office, tmp_path):
    """→ (app, receipt, the signed PDF bytes) after an approval on the form with results."""
    app, _ = office
    app.config["DOCUMENT_DIR"] = str(tmp_path / "documents")
    app.config["RESULT_SIGNING_P12"] = str(tmp_path / "key.p12")
    app.config["RESULT_SIGNING_PASSWORD"] = "secret words"
    signing.make_development_key(tmp_path / "key.p12", "secret words", "Test signature")
    path = tmp_path / "with-results.yaml"
    path.write_text(WITH_RESULTS, encoding="utf-8")
    with app.app_context():
        assert not versions.load_forms([path]).problems
    receipt = (
        app.test_client()
        .post(
            "/api/v1/forms/test-permit/submissions", json={"answers": ANSWERS, "declaration": True}
        )
        .get_json()
    )
    officer = sign_in(app, "d01@example.jp")
    no = receipt["receipt_no"]
    officer.post(f"/staff/submissions/{no}/status", data={"to": "in_review"})
    r = officer.post(
        f"/staff/submissions/{no}/decision",
        data={"action": "decide", "outcome": "approved", "message": "許可しました。"},
    )
    assert r.status_code == 302
    r.close()  # the server closes the response: the inline job makes the document then
    resident = app.test_client()
    resident.post("/status", data={"receipt_no": no, "access_code": receipt["access_code"]})
    page = resident.get(f"/status/{no}").get_data(as_text=True)
    assert "交付された文書" in page and "テスト許可証（PDF）" in page
    with app.app_context():
        record = db.session.query(ResultRecord).one()
        assert record.sha256, "the job made and signed the document"
        url = f"/status/{no}/results/{record.document_no}.pdf"
    r = resident.get(url)
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    return app, receipt, r.data, resident


def test_the_resident_downloads_a_signed_document_filled_from_the_answers(issued, tmp_path):
    app, receipt, data, _ = issued
    path = tmp_path / "permit.pdf"
    path.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout.replace("\n", "")  # lines as the PDF wraps them
    assert (
        "テスト許可証" in text
        and "山田 太郎" in text
        and "付けで許可します" in text
        and receipt["receipt_no"] in text
    )
    assert "開発用の署名" in text  # a development key says so on the document
    assert receipt["access_code"] not in text


def test_pyhanko_validates_it_and_a_changed_copy_fails(issued, tmp_path):
    app, _, data, _ = issued
    with app.app_context():
        trusted = signing.certificate_of(results.signer())
    verdict = signing.verify_pdf(data, trusted)
    assert verdict.valid and verdict.intact and verdict.trusted and verdict.whole_file
    tampered = _tampered(data)
    assert not signing.verify_pdf(tampered, trusted).valid
    # signed by another key: not the prefecture's
    signing.make_development_key(tmp_path / "other.p12", "", "Someone else")
    other = signing.certificate_of(signing.load_signer(tmp_path / "other.p12", ""))
    assert not signing.verify_pdf(data, other).trusted


@needs_pdfsig
def test_pdfsig_reports_a_valid_signature_and_a_digest_mismatch_when_changed(issued, tmp_path):
    _, _, data, _ = issued
    good, bad = tmp_path / "good.pdf", tmp_path / "bad.pdf"
    good.write_bytes(data)
    bad.write_bytes(_tampered(data))
    out = subprocess.run(["pdfsig", str(good)], capture_output=True, text=True).stdout
    assert "Signature is Valid." in out and "Total document signed" in out
    out = subprocess.run(["pdfsig", str(bad)], capture_output=True, text=True).stdout
    assert "Signature is Valid." not in out and "Digest Mismatch" in out


def _tampered(data: bytes) -> bytes:
    """The same file with one character of the signed content changed."""
    at = data.index(b"/Title")
    changed = bytearray(data)
    changed[at + 8] = ord("X") if changed[at + 8] != ord("X") else ord("Y")
    return bytes(changed)


def _verify(client, data: bytes, name="document.pdf"):
    return client.post(
        "/verify",
        data={"document": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_the_verify_page(issued):
    app, receipt, data, resident = issued
    visitor = app.test_client()
    r = _verify(visitor, data)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "三重県が発行した文書です。発行後に変更されていません。" in page
    assert "テスト許可証" in page and "開発用の署名" in page
    page = _verify(visitor, _tampered(data)).get_data(as_text=True)
    assert "署名の後に変更されています" in page
    # a PDF without a signature, something that is not a PDF, nothing at all, too large
    with app.app_context():
        from app.documents import pdf

        plain = pdf.write_pdf('<html lang="ja"><head><title>t</title></head><body>t</body></html>')
    assert "電子署名がありません" in _verify(visitor, plain).get_data(as_text=True)
    r = _verify(visitor, b"GIF89a not a pdf", "fake.pdf")
    assert r.status_code == 422 and "PDF ファイルではありません" in r.get_data(as_text=True)
    r = visitor.post("/verify", data={}, content_type="multipart/form-data")
    assert r.status_code == 422 and "選んでください" in r.get_data(as_text=True)
    app.config["VERIFY_MAX_MB"] = 0.01
    r = _verify(visitor, data)
    assert r.status_code == 422 and "大きすぎます" in r.get_data(as_text=True)


def test_an_undone_decision_withdraws_its_documents(issued):
    app, receipt, data, resident = issued
    officer = sign_in(app, "d01@example.jp")
    no = receipt["receipt_no"]
    r = officer.post(
        f"/staff/submissions/{no}/decision", data={"action": "undo", "memo": "誤って許可"}
    )
    assert r.status_code == 302
    page = resident.get(f"/status/{no}").get_data(as_text=True)
    assert "交付された文書" not in page
    verdict = _verify(app.test_client(), data).get_data(as_text=True)
    assert "取り消されています" in verdict
    with app.app_context():
        sub = store.find_by_receipt(no)
        assert sub.status == "in_review"


def test_the_resident_is_mailed_the_documents_by_name_without_answers(issued):
    app, receipt, _, _ = issued
    no = receipt["receipt_no"]
    with app.app_context():
        outbox = mail.outbox_dir()  # where mails are written without MAIL_URL
    (path,) = outbox.glob(f"notice-{no}-result_ready-*.eml")
    msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    body = msg.get_body().get_content()
    assert "- テスト許可証" in body and f"/status?receipt_no={no}" in body
    assert receipt["access_code"] not in body and "山田" not in body and "taro@" not in body
    approved = [
        email.message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in outbox.glob(f"notice-{no}-*.eml")
    ]
    assert any("承認されました" in m["Subject"] for m in approved)


def test_retention_deletes_the_signed_files_but_verify_still_knows_them(issued):
    app, receipt, data, _ = issued
    with app.app_context():
        sub = store.find_by_receipt(receipt["receipt_no"])
        record = db.session.query(ResultRecord).one()
        path = results.result_path(record)
        assert path.exists()
        retention.purge(sub, 30, utcnow() - timedelta(days=31), utcnow())
        db.session.commit()
        assert not path.exists() and record.path is None
    page = _verify(app.test_client(), data).get_data(as_text=True)
    assert "三重県が発行した文書です。" in page
