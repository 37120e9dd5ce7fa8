"""Documents once: a signed-in resident keeps an attached document in マイページ, attaches
it again to a later application with one choice, staff see it was reused and when it was
first sent; kept documents expire and go with their files."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.catalogue.services import import_catalogue
from app.clock import utcnow
from app.extensions import db
from app.identity.models import Resident, ResidentEvent
from app.staff import services as staff
from app.submissions import kept, versions
from app.submissions.models import Draft, KeptDocument, StoredFile, Submission
from app.submissions.retention import purge_expired
from tests.submissions.conftest import PDF

FORM = """\
id: certs
version: 1
procedure: A
title: {ja: 証明書の提出, en: Certificates}
identity: optional
pages:
  - id: docs
    title: {ja: 添付, en: Attachments}
    fields:
      - {id: juminhyo, type: file, label: 住民票の写し, required: true, accept: [application/pdf]}
"""
PASSWORD = "correct horse battery"


@pytest.fixture
def certs_app(app, worked_example, tmp_path):
    path = tmp_path / "certs.yaml"
    path.write_text(FORM, encoding="utf-8")
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    with app.app_context():
        assert import_catalogue(worked_example).ok
        assert not versions.load_forms([path]).problems
        staff.create_user("d01@example.jp", PASSWORD, "department", department_code="01")
        db.session.commit()
    return app


def _apply(browser, data: dict) -> str:
    r = browser.client.post("/apply/certs/start")
    assert r.headers["Location"] == "/apply/certs/docs"
    r = browser.client.post("/apply/certs/docs", data=data, content_type="multipart/form-data")
    assert r.status_code == 302 and r.headers["Location"].endswith("/check"), r.get_data(
        as_text=True
    )[:1500]
    r = browser.client.post("/apply/certs/submit")
    return r.headers["Location"].rsplit("/", 1)[1]


def _kept(app):
    with app.app_context():
        return db.session.scalars(select(KeptDocument)).all()


def test_a_document_kept_once_is_attached_again_with_one_choice(certs_app, browser, tmp_path):
    browser.sign_in("resident-1")
    first = _apply(browser, {"juminhyo": (io.BytesIO(PDF), "住民票.pdf"), "keep-juminhyo": "y"})
    (doc,) = _kept(certs_app)
    assert doc.original_name == "住民票.pdf" and doc.label == "住民票の写し"
    assert (doc.expires_at - doc.kept_at).days == 90
    assert "住民票.pdf" in browser.client.get("/mypage").get_data(as_text=True)

    browser.client.post("/apply/certs/start")
    page = browser.client.get("/apply/certs/docs").get_data(as_text=True)
    assert f'name="reuse-juminhyo" value="{doc.id}"' in page
    assert "この申請に添付して提出することに同意します" in page
    second = _apply(browser, {"reuse-juminhyo": doc.id})
    assert second != first
    with certs_app.app_context():
        sub = db.session.scalar(select(Submission).filter_by(receipt_no=second))
        (row,) = db.session.scalars(select(StoredFile).filter_by(submission_id=sub.id)).all()
        assert row.reused_first_at is not None and row.sha256 == doc.sha256
        assert Path(certs_app.config["UPLOAD_DIR"], row.path).read_bytes() == PDF
    officer = certs_app.test_client()
    officer.post("/staff/login", data={"email": "d01@example.jp", "password": PASSWORD})
    seen = officer.get(f"/staff/submissions/{second}").get_data(as_text=True)
    assert "保管書類の再利用" in seen
    assert "保管書類の再利用" not in officer.get(f"/staff/submissions/{first}").get_data(
        as_text=True
    )


def test_without_the_choice_nothing_is_kept_or_attached(certs_app, browser):
    browser.sign_in("resident-1")
    _apply(browser, {"juminhyo": (io.BytesIO(PDF), "住民票.pdf")})
    assert _kept(certs_app) == []


def test_another_residents_document_cannot_be_chosen(certs_app, browser):
    browser.sign_in("resident-1")
    _apply(browser, {"juminhyo": (io.BytesIO(PDF), "住民票.pdf"), "keep-juminhyo": "y"})
    (doc,) = _kept(certs_app)
    browser.sign_out()
    browser.sign_in("resident-2")
    browser.client.post("/apply/certs/start")
    assert doc.id not in browser.client.get("/apply/certs/docs").get_data(as_text=True)
    r = browser.client.post(
        "/apply/certs/docs", data={"reuse-juminhyo": doc.id}, content_type="multipart/form-data"
    )
    assert r.status_code == 422  # the question is still unanswered
    assert browser.client.post(f"/mypage/documents/{doc.id}/delete").status_code == 404
    assert len(_kept(certs_app)) == 1


def test_anonymous_residents_are_offered_nothing(certs_app, browser):
    browser.client.post("/apply/certs/start")
    page = browser.client.get("/apply/certs/docs").get_data(as_text=True)
    assert "keep-juminhyo" not in page and "reuse-juminhyo" not in page


def test_kept_documents_expire_with_their_files(certs_app, browser):
    browser.sign_in("resident-1")
    _apply(browser, {"juminhyo": (io.BytesIO(PDF), "住民票.pdf"), "keep-juminhyo": "y"})
    (doc,) = _kept(certs_app)
    path = Path(certs_app.config["UPLOAD_DIR"], doc.path)
    assert path.exists()
    with certs_app.app_context():
        assert purge_expired(utcnow() + timedelta(days=89)).kept_documents == 0
        assert kept.usable(doc.resident_id)
        assert purge_expired(utcnow() + timedelta(days=91)).kept_documents == 1
    assert _kept(certs_app) == [] and not path.exists()


def test_the_resident_deletes_a_kept_document(certs_app, browser):
    browser.sign_in("resident-1")
    _apply(browser, {"juminhyo": (io.BytesIO(PDF), "住民票.pdf"), "keep-juminhyo": "y"})
    (doc,) = _kept(certs_app)
    page = browser.client.get("/mypage").get_data(as_text=True)
    assert re.search(rf"/mypage/documents/{doc.id}/delete", page)
    r = browser.client.post(f"/mypage/documents/{doc.id}/delete")
    assert r.status_code == 302
    assert _kept(certs_app) == []
    assert not Path(certs_app.config["UPLOAD_DIR"], doc.path).exists()


def test_delete_my_data_keeps_the_applications_sent(certs_app, browser):
    browser.sign_in("resident-1")
    sent = _apply(browser, {"juminhyo": (io.BytesIO(PDF), "住民票.pdf"), "keep-juminhyo": "y"})
    browser.client.post("/apply/certs/start")  # a draft in progress, with a file
    browser.client.post(
        "/apply/certs/docs",
        data={"juminhyo": (io.BytesIO(PDF + b"2"), "別紙.pdf"), "action": "save"},
        content_type="multipart/form-data",
    )
    (doc,) = _kept(certs_app)
    page = browser.client.get("/mypage/delete")
    assert "法令に基づき県で保存" in page.get_data(as_text=True)
    assert browser.client.post("/mypage/delete").status_code == 422  # not confirmed
    r = browser.client.post("/mypage/delete", data={"confirm": "y"})
    assert r.status_code == 302
    assert browser.client.get("/mypage").status_code == 302  # signed out
    assert not Path(certs_app.config["UPLOAD_DIR"], doc.path).exists()
    with certs_app.app_context():
        assert db.session.scalars(select(KeptDocument)).all() == []
        (draft,) = db.session.scalars(select(Draft)).all()  # the one sent, unlinked
        assert draft.resident_id is None
        sub = db.session.scalar(select(Submission).filter_by(receipt_no=sent))
        assert sub.draft_id == draft.id
        assert db.session.scalars(select(StoredFile).filter_by(submission_id=sub.id)).all()
        (resident,) = db.session.scalars(select(Resident)).all()
        assert resident.profile == {} and resident.subject.startswith("deleted:")
        actions = [e.action for e in db.session.scalars(select(ResidentEvent))]
        assert actions[-1] == "deleted"
    browser.sign_out()
    browser.sign_in("resident-1")  # a new account; the old application is not its own
    assert sent not in browser.client.get("/mypage").get_data(as_text=True)
    with certs_app.app_context():
        assert db.session.query(Resident).count() == 2
