"""Codes stay out of URLs and cookies: the resume code travels in a fragment and a POST,
and the session keeps a reference to the resident's own submissions, not their access
codes."""

from __future__ import annotations

import io
import json
import re
from html import unescape
from urllib.parse import urlsplit

from sqlalchemy import select

from app.clock import format_time
from app.extensions import db
from app.submissions.models import Draft, Submission

from .conftest import GOOD, Resident, png

CODE = re.compile(r'class="receipt">([A-Z0-9]{5}-[A-Z0-9]{5})<')


def saved_page(resident) -> str:
    resident.start()
    r = resident.post(
        "/apply/test-permit/applicant", {"action": "save", "name-family": "山田", "email": "x"}
    )
    assert r.request.path == "/apply/test-permit/saved"
    return r.get_data(as_text=True)


def test_the_resume_link_carries_its_code_in_the_fragment_only(resident, form_app):
    html = saved_page(resident)
    code = CODE.search(html).group(1)
    link = unescape(re.search(r'<a href="([^"]+/resume[^"]*)">', html).group(1))
    parts = urlsplit(link)
    assert parts.path == "/apply/test-permit/resume" and parts.query == ""
    assert parts.fragment == code  # what a browser never sends
    assert code not in parts.path

    # the page the link opens: its script fills the code in and POSTs it
    page = Resident(form_app).get(parts.path)
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<script src="/static/resume.js" defer></script>' in body
    assert 'method="post"' in body and 'name="code"' in body
    assert "再開用リンクの「#」のあとの10文字も同じ再開コードです" in body  # without JavaScript
    script = form_app.test_client().get("/static/resume.js")
    assert "location.hash" in script.get_data(as_text=True)
    script.close()
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


def test_the_save_page_says_until_when_the_code_works_and_what_happens_then(resident, form_app):
    html = unescape(re.sub(r"<[^>]+>", "", saved_page(resident)))  # the text a reader sees
    with form_app.app_context():
        expires = db.session.scalar(select(Draft.resume_expires_at))
    assert f"有効期限: {format_time(expires, 'ja')} まで" in html  # Japan time, as every page
    assert (
        "有効期限を過ぎると、入力した内容と添付したファイルは削除され、再開できなくなります。"
        in html
    )

    en = resident.get("/apply/test-permit/saved?lang=en").get_data(as_text=True)
    assert f"Valid until {format_time(expires, 'en')}" in unescape(re.sub(r"<[^>]+>", "", en))
    assert "your answers and attached files are deleted" in en


def test_a_link_with_the_code_in_its_path_no_longer_resumes(resident, form_app):
    code = CODE.search(saved_page(resident)).group(1)
    other = Resident(form_app)
    r = other.client.get(f"/apply/test-permit/resume/{code}")
    assert r.status_code == 302
    assert r.headers["Location"] == "/apply/test-permit/resume"  # no code carried on
    page = other.get(f"/apply/test-permit/resume/{code}")
    assert page.request.path == "/apply/test-permit/resume"
    assert code not in page.get_data(as_text=True)
    # nothing was resumed: this browser has no draft
    assert other.get("/apply/test-permit/check").request.path == "/apply/test-permit"
    # the code itself still works, POSTed
    r = other.post("/apply/test-permit/resume", {"code": code})
    assert r.request.path == "/apply/test-permit/applicant"
    assert 'value="山田"' in r.get_data(as_text=True)


def test_a_resume_code_in_the_query_is_not_read(resident, form_app):
    code = CODE.search(saved_page(resident)).group(1)
    other = Resident(form_app)
    r = other.get(f"/apply/test-permit/resume?code={code}")
    assert r.status_code == 200 and r.request.path == "/apply/test-permit/resume"
    assert other.get("/apply/test-permit/check").request.path == "/apply/test-permit"


def session_of(app, client) -> dict:
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    assert cookie is not None
    return app.session_interface.get_signing_serializer(app).loads(cookie.value)


def submitted(resident) -> str:
    resident.start()
    resident.page("applicant", {**GOOD, "kind": "a"})
    resident.page("docs", {"photo": (io.BytesIO(png()), "photo.png")})
    r = resident.post("/apply/test-permit/submit", {"declaration": "y"})
    assert "/done/" in r.request.path
    return r.request.path.rsplit("/", 1)[-1]


def test_the_session_cookie_keeps_no_access_code(resident, form_app):
    receipt = submitted(resident)
    with form_app.app_context():
        sub = db.session.scalar(select(Submission))
        token = db.session.get(Draft, sub.draft_id).token
    session = session_of(form_app, resident.client)
    assert sub.access_code not in json.dumps(session, ensure_ascii=False)
    assert session["own_receipts"] == {receipt: token}  # a reference the server checks

    # the done page (which shows the access code once more), its receipt PDF and the
    # status page still open without typing the code
    done = resident.get(f"/apply/test-permit/done/{receipt}")
    assert done.status_code == 200 and sub.access_code in done.get_data(as_text=True)
    pdf = resident.client.get(f"/apply/test-permit/done/{receipt}/receipt.pdf")
    assert pdf.status_code in (200, 202)
    pdf.close()
    status = resident.client.get(f"/status/{receipt}")
    assert status.status_code == 200 and "受付済み" in status.get_data(as_text=True)
    stored = re.search(r"/status/[^/]+/files/([0-9a-f]{32})", status.get_data(as_text=True))
    photo = resident.client.get(stored.group(0))
    assert photo.status_code == 200
    photo.close()
    assert sub.access_code not in json.dumps(session_of(form_app, resident.client))


def test_a_session_reference_that_does_not_match_opens_nothing(resident, form_app):
    receipt = submitted(resident)
    stranger = Resident(form_app)
    stranger.start()  # a draft of their own
    with stranger.client.session_transaction() as s:
        token = s["drafts"]["test-permit"]
        s["own_receipts"] = {receipt: token}
    assert stranger.client.get(f"/apply/test-permit/done/{receipt}").status_code == 404
    r = stranger.client.get(f"/apply/test-permit/done/{receipt}/receipt.pdf")
    assert r.status_code == 404
    assert stranger.client.get(f"/status/{receipt}").status_code == 302  # to the look-up
    with form_app.app_context():
        code = db.session.scalar(select(Submission.access_code))
    with stranger.client.session_transaction() as s:
        s["receipts"] = {receipt: code}  # what sessions held before: no longer believed
        s.pop("own_receipts")
    assert stranger.client.get(f"/apply/test-permit/done/{receipt}").status_code == 404


def test_an_empty_resume_code_is_asked_for(form_app):
    r = Resident(form_app).post("/apply/test-permit/resume", {"code": " "})
    assert r.status_code == 422 and "再開コードを入力してください。" in r.get_data(as_text=True)
    r = Resident(form_app).post("/apply/test-permit/resume?lang=en", {"code": ""})
    assert "Enter your resume code." in r.get_data(as_text=True)
