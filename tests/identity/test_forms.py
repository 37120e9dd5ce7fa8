"""Forms that ask for sign-in: `identity: required` starts with it, `optional` offers it,
and a form without `identity` works anonymously exactly as before."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.catalogue.services import import_catalogue
from app.extensions import db
from app.submissions import versions
from app.submissions.models import Draft

FORM = """\
id: {id}
version: 1
procedure: A
title: {{ja: テスト申請, en: Test}}
{identity}
pages:
  - id: about
    title: {{ja: 申請者, en: Applicant}}
    fields:
      - {{id: note, type: text, label: {{ja: メモ, en: Note}}, required: true}}
"""


@pytest.fixture
def forms_app(app, worked_example, tmp_path):
    paths = []
    for form_id, identity in (
        ("signed", "identity: required"),
        ("companies", "identity: {level: required, kinds: [business]}"),
        ("either", "identity: optional"),
        ("anonymous", ""),
    ):
        path = tmp_path / f"{form_id}.yaml"
        path.write_text(FORM.format(id=form_id, identity=identity), encoding="utf-8")
        paths.append(path)
    with app.app_context():
        assert import_catalogue(worked_example).ok
        report = versions.load_forms(paths)
        assert not report.problems, report.problems
    return app


def _draft_owners(app):
    with app.app_context():
        return [d.resident_id for d in db.session.scalars(select(Draft).order_by(Draft.id))]


def test_a_required_form_refuses_to_start_without_sign_in(forms_app, browser):
    page = browser.client.get("/apply/signed")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "この申請にはログインが必要です" in html
    assert 'action="/apply/signed/start"' not in html  # no way to start anonymously
    r = browser.client.post("/apply/signed/start")
    assert r.status_code == 302
    assert r.headers["Location"].startswith("/signin?next=/apply/signed&")
    assert _draft_owners(forms_app) == []
    # nor through the API
    api = browser.client.post("/api/v1/forms/signed/submissions", json={"answers": {"note": "x"}})
    assert api.status_code == 403 and api.get_json()["error"] == "sign_in_required"


def test_a_required_form_starts_after_sign_in_and_the_draft_is_theirs(forms_app, browser):
    r = browser.client.post("/apply/signed/start")
    following = browser.client.get(r.headers["Location"])
    assert "マイナンバーカードでログイン" in following.get_data(as_text=True)
    back = browser.sign_in("resident-1", next_path="/apply/signed")
    assert back.headers["Location"] == "/apply/signed"
    r = browser.client.post("/apply/signed/start")
    assert r.headers["Location"] == "/apply/signed/about"
    assert browser.client.get("/apply/signed/about").status_code == 200
    (owner,) = _draft_owners(forms_app)
    assert owner is not None
    # signed out, the draft does not open; signed in again, it is resumed without a code
    browser.client.post("/signout")
    assert browser.client.get("/apply/signed/about").status_code == 302
    browser.sign_in("resident-1")
    r = browser.client.post("/apply/signed/start")
    assert r.headers["Location"] == "/apply/signed/about"
    assert len(_draft_owners(forms_app)) == 1


def test_someone_else_signed_in_does_not_open_the_draft(forms_app, browser, devidp):
    browser.sign_in("resident-1")
    browser.client.post("/apply/signed/start")
    with browser.client.session_transaction() as s:
        token = s["drafts"]["signed"]
    browser.sign_out()
    browser.sign_in("resident-2")
    with browser.client.session_transaction() as s:
        s["drafts"] = {"signed": token}  # the first resident's draft token, planted
    assert browser.client.get("/apply/signed/about").status_code == 302
    r = browser.client.post("/apply/signed/start")
    assert r.headers["Location"] == "/apply/signed/about"
    assert len(set(_draft_owners(forms_app))) == 2  # a draft of their own


def test_a_business_form_wants_a_business_sign_in(forms_app, browser):
    browser.sign_in("resident-1")  # an individual
    r = browser.client.post("/apply/companies/start")
    assert r.headers["Location"].startswith("/signin?")
    assert "kind=business" in r.headers["Location"]
    html = browser.client.get(r.headers["Location"]).get_data(as_text=True)
    assert "gBizID" in html and "マイナンバーカード" not in html
    browser.sign_in("business-1", provider="gbiz")
    assert browser.client.post("/apply/companies/start").headers["Location"].endswith("/about")


def test_an_optional_form_offers_sign_in_and_works_without(forms_app, browser):
    html = browser.client.get("/apply/either").get_data(as_text=True)
    assert "ログインする" in html
    assert browser.client.post("/apply/either/start").status_code == 302
    assert _draft_owners(forms_app) == [None]


def test_a_form_without_identity_is_as_before(forms_app, browser):
    browser.sign_in("resident-1")
    html = browser.client.get("/apply/anonymous").get_data(as_text=True)
    assert "ログインが必要" not in html and "ログインする" not in html
    browser.client.post("/apply/anonymous/start")
    assert _draft_owners(forms_app) == [None]  # never tied to the account


def _submit(browser, form_id: str):
    r = browser.client.post(f"/apply/{form_id}/start")
    r = browser.client.post(r.headers["Location"], data={"note": "メモ"})
    assert r.headers["Location"].endswith("/check"), r.get_data(as_text=True)[:300]
    r = browser.client.post(f"/apply/{form_id}/submit")
    assert "/done/" in r.headers["Location"]
    return r.headers["Location"].rsplit("/", 1)[1]


def test_mypage_lists_drafts_and_submissions_and_opens_them_without_codes(forms_app, browser):
    browser.sign_in("resident-1")
    receipt_no = _submit(browser, "signed")
    browser.client.post("/apply/either/start")  # a draft left as it is
    browser.sign_out()
    browser.sign_in("resident-1")  # another session: nothing remembered but the account
    html = browser.client.get("/mypage").get_data(as_text=True)
    assert receipt_no in html and "受付済み" in html
    assert 'href="/apply/either"' in html
    status = browser.client.get(f"/status/{receipt_no}")
    assert status.status_code == 200 and receipt_no in status.get_data(as_text=True)
    r = browser.client.post("/apply/either/start")
    assert r.headers["Location"] == "/apply/either/about"  # continued, not a new draft
    # another resident sees none of it
    browser.sign_out()
    browser.sign_in("resident-2")
    html = browser.client.get("/mypage").get_data(as_text=True)
    assert receipt_no not in html and "/apply/either" not in html
    assert browser.client.get(f"/status/{receipt_no}").status_code == 302
