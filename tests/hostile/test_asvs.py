"""The OWASP ASVS 5.0 checks that apply to this product, tried as a hostile resident, a
hostile member of another department and an anonymous user would: one row per attack,
with the answer a person would see, on SQLite and on PostgreSQL.

Chapters: V2 validation and business logic, V3 web front-end security, V5 file handling,
V7 session management, V8 authorisation. docs/security.md lists what is checked here,
what is not, and what an operator must set. Each row is small on purpose; the deeper
tests of each class live beside the code (tests/hostile, tests/staff, tests/submissions).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import select

from app.api import tokens as api_tokens
from app.catalogue.services import import_catalogue
from app.extensions import db
from app.staff import services as staff
from app.submissions import versions
from app.submissions.models import StoredFile, Submission
from tests.submissions.conftest import FORM, GOOD, PDF, Resident, png

PASSWORD = "correct horse battery"
API = "/api/v1/forms/test-permit/submissions"
ANSWERS = {
    "name": {"family": "山田", "given": "太郎", "family_kana": "ヤマダ", "given_kana": "タロウ"},
    "email": "taro@example.jp",
    "kind": "a",
}
HEADERS_ON_EVERY_PAGE = ("/", "/dashboard", "/apply/test-permit", "/status", "/staff/login")


@dataclass
class Site:
    app: object
    resident: Resident  # submitted test-permit (department 01) through the pages
    receipt_no: str
    access_code: str
    api_receipt: dict  # one more, through the API with an Idempotency-Key
    tokens: dict[str, str]  # department → API token
    tmp: Path

    def staff(self, email: str):
        client = self.app.test_client()
        r = client.post("/staff/login", data={"email": email, "password": PASSWORD})
        assert r.status_code == 302
        return client


@pytest.fixture
def site(backend_app, worked_example, tmp_path):
    app = backend_app
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    path = tmp_path / "test-permit.yaml"
    path.write_text(FORM, encoding="utf-8")
    with app.app_context():
        assert import_catalogue(worked_example).ok
        assert not versions.load_forms([path]).problems
        for email, role, dept in (
            ("d01@example.jp", "department", "01"),
            ("d02@example.jp", "department", "02"),
            ("admin@example.jp", "admin", None),
        ):
            staff.create_user(email, PASSWORD, role, department_code=dept)
        tokens = {d: api_tokens.create_token(d, f"system {d}", "test")[1] for d in ("01", "02")}
        db.session.commit()
    resident = Resident(app)
    resident.start()
    resident.page("applicant", GOOD)
    resident.page("more", {"count": "2"})
    resident.page("docs", {"photo": (io.BytesIO(png()), "photo.png")})
    done = resident.post("/apply/test-permit/submit", {"declaration": "y"})
    receipt_no = done.request.path.rsplit("/", 1)[1]
    with app.app_context():
        code = db.session.scalar(
            select(Submission.access_code).where(Submission.receipt_no == receipt_no)
        )
    assert code in done.get_data(as_text=True)  # shown once, on the done page
    api = app.test_client().post(
        API,
        json={"answers": ANSWERS, "declaration": True},
        headers={"Idempotency-Key": "k-of-the-first-client"},
    )
    assert api.status_code == 201
    return Site(app, resident, receipt_no, code, api.get_json(), tokens, tmp_path)


def _file_id(site: Site) -> str:
    with site.app.app_context():
        sub = db.session.scalar(select(Submission).where(Submission.receipt_no == site.receipt_no))
        return sub.answers["photo"]["id"]


# --- V2 validation and business logic -----------------------------------------------------


def v2_nul_in_a_path_is_a_404(site: Site):
    assert site.app.test_client().get("/apply/a%00b").status_code == 404


def v2_a_lone_surrogate_in_json_is_a_422_naming_the_field(site: Site):
    body = json.dumps({"answers": {**ANSWERS, "email": "\ud800"}, "declaration": True})
    r = site.app.test_client().post(API, data=body, content_type="application/json")
    assert r.status_code == 422 and "email" in r.get_json()["errors"]


def v2_an_answer_over_its_maximum_is_refused_and_not_stored(site: Site):
    huge = {**ANSWERS, "name": {**ANSWERS["name"], "family": "山" * 2_000_000}}
    r = site.app.test_client().post(API, json={"answers": huge, "declaration": True})
    assert r.status_code == 422 and len(r.get_data()) < 5000


def v2_a_flood_of_unknown_fields_is_one_small_error(site: Site):
    many = {**ANSWERS, **{f"x{i}": 1 for i in range(100_000)}}
    r = site.app.test_client().post(API, json={"answers": many, "declaration": True})
    assert r.status_code == 422 and len(r.get_data()) < 5000


def v2_a_count_that_would_bend_the_kpi_is_refused_by_page_and_api(site: Site):
    page = site.staff("d01@example.jp").post(
        "/staff/procedures/A/volumes", data={"fiscal_year": "2025", "receipts": "9" * 19}
    )
    api = site.app.test_client().post(
        "/api/v1/procedures/A/volumes",
        json={"fiscal_year": 2025, "receipts": 9_000_000_000_000_000_000},
        headers={"Authorization": f"Bearer {site.tokens['01']}"},
    )
    assert page.status_code == 422 and api.status_code in (400, 422)


def v2_the_declaration_cannot_be_skipped_through_the_api(site: Site):
    r = site.app.test_client().post(API, json={"answers": ANSWERS})
    assert r.status_code == 422 and "declaration" in r.get_json()["errors"]


def v2_another_clients_idempotency_key_reveals_nothing(site: Site):
    r = site.app.test_client().post(
        API, json={"answers": {}}, headers={"Idempotency-Key": "k-of-the-first-client"}
    )
    text = r.get_data(as_text=True)
    assert r.status_code == 422
    assert site.api_receipt["access_code"] not in text
    assert site.api_receipt["receipt_no"] not in text


def v2_a_spreadsheet_formula_in_a_note_is_neutralised_in_csv(site: Site):
    r = site.staff("d01@example.jp").post(
        "/staff/procedures/A/status",
        data={"status": "online", "effective_date": "2025-04-01", "note": "=HYPERLINK(1)"},
    )
    assert r.status_code == 302
    text = site.app.test_client().get("/opendata/status_history.csv").get_data(as_text=True)
    assert "'=HYPERLINK(1)" in text and ",=HYPERLINK" not in text


def v2_a_webhook_to_an_internal_address_is_refused_at_load(site: Site):
    bad = FORM.replace("id: test-permit", "id: hook-permit").replace(
        "pages:",
        "outputs:\n  - {type: webhook, url: 'http://169.254.169.254/latest/meta-data/'}\npages:",
    )
    path = site.tmp / "hook-permit.yaml"
    path.write_text(bad, encoding="utf-8")
    with site.app.app_context():
        problems = versions.load_forms([path]).problems
    assert problems and any("169.254.169.254" in p or "webhook" in p.lower() for p in problems)


def v2_resume_look_ups_are_rate_limited(site: Site):
    site.app.config["RESUME_RATE_LIMIT"] = "3 per minute"
    client = site.app.test_client()
    codes = [
        client.post(
            "/apply/test-permit/resume",
            data={"code": "AAAAA-BBBBB"},
            environ_base={"REMOTE_ADDR": "203.0.113.99"},
        ).status_code
        for _ in range(4)
    ]
    assert codes[-1] == 429


# --- V3 web front-end security --------------------------------------------------------------


def v3_every_page_sends_the_security_headers(site: Site):
    client = site.app.test_client()
    for path in HEADERS_ON_EVERY_PAGE:
        h = client.get(path).headers
        csp = h["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp, path
        assert h["X-Content-Type-Options"] == "nosniff" and h["X-Frame-Options"] == "DENY"
        assert h["Referrer-Policy"] == "strict-origin-when-cross-origin"


def v3_https_answers_carry_hsts_and_secure_cookies(site: Site):
    r = site.app.test_client().get("/apply/test-permit", base_url="https://localhost")
    assert r.headers["Strict-Transport-Security"].startswith("max-age=")


def v3_the_session_cookie_is_httponly_and_samesite(site: Site):
    r = site.app.test_client().get("/?lang=en")
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def v3_personal_pages_are_not_cached(site: Site):
    r = site.resident.client.get(f"/status/{site.receipt_no}")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"


def v3_the_submission_api_is_not_open_to_other_origins(site: Site):
    r = site.app.test_client().get(
        f"/api/v1/submissions/{site.receipt_no}",
        headers={"X-Access-Code": site.access_code, "Origin": "https://evil.example"},
    )
    assert "Access-Control-Allow-Origin" not in r.headers


def v3_no_server_version_is_announced(site: Site):
    r = site.app.test_client().get("/")
    assert "Python" not in r.headers.get("Server", "") and "Werkzeug/" not in r.headers.get(
        "Server", ""
    )


# --- V5 file handling -----------------------------------------------------------------------


def v5_a_file_is_judged_by_its_content_not_its_name(site: Site):
    data = {"answers": json.dumps(ANSWERS), "declaration": "true"}
    data["photo"] = (io.BytesIO(PDF), "photo.png")
    r = site.app.test_client().post(API, data=data, content_type="multipart/form-data")
    assert r.status_code == 422 and "photo" in r.get_json()["errors"]


def v5_a_path_in_a_file_name_is_only_a_name(site: Site):
    resident = Resident(site.app)
    resident.start()
    resident.page("applicant", GOOD)
    resident.page("more", {"count": "2"})
    page = resident.page("docs", {"photo": (io.BytesIO(png()), "../../etc/passwd.png")})
    assert page.status_code == 200
    with site.app.app_context():
        row = db.session.scalars(select(StoredFile).order_by(StoredFile.created_at.desc())).first()
    assert "/" not in row.original_name and ".." not in row.path


def v5_a_draft_holds_no_more_than_its_quota(site: Site):
    site.app.config["DRAFT_UPLOAD_MAX_MB"] = 0.00001  # about ten bytes
    resident = Resident(site.app)
    resident.start()
    resident.page("applicant", GOOD)
    resident.page("more", {"count": "2"})
    page = resident.page("docs", {"photo": (io.BytesIO(png()), "p.png")})
    assert page.status_code == 422


def v5_attachments_download_as_attachments_to_their_holder_only(site: Site):
    file_id = _file_id(site)
    own = site.resident.client.get(f"/status/{site.receipt_no}/files/{file_id}")
    assert own.status_code == 200
    assert own.headers["Content-Disposition"].startswith("attachment")
    assert own.headers["X-Content-Type-Options"] == "nosniff"
    own.close()
    stranger = site.app.test_client().get(f"/status/{site.receipt_no}/files/{file_id}")
    assert stranger.status_code in (302, 404)
    other_draft = Resident(site.app)
    other_draft.start()
    assert other_draft.client.get(f"/apply/test-permit/files/{file_id}").status_code == 404


# --- V7 session management ------------------------------------------------------------------


def _session(app, client) -> dict:
    cookie = client.get_cookie("session")
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    return serializer.loads(cookie.value) if cookie else {}


def v7_signing_in_gives_a_new_session(site: Site):
    client = site.app.test_client()
    client.get("/?lang=en")  # a session the attacker could have planted
    with client.session_transaction() as sess:
        sess["planted"] = "by someone else"
    client.post("/staff/login", data={"email": "d01@example.jp", "password": PASSWORD})
    assert "planted" not in _session(site.app, client)


def v7_a_copied_cookie_dies_at_logout(site: Site):
    client = site.staff("d01@example.jp")
    copy = site.app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    assert copy.get("/staff/").status_code == 200
    client.post("/staff/logout")
    assert copy.get("/staff/").status_code == 302


def v7_the_cookie_holds_no_access_code(site: Site):
    session = json.dumps(_session(site.app, site.resident.client), ensure_ascii=False)
    assert site.receipt_no in session and site.access_code not in session


def v7_a_resume_code_never_travels_in_a_url(site: Site):
    resident = Resident(site.app)
    resident.start()
    saved = resident.post("/apply/test-permit/applicant", {"action": "save", **GOOD}).get_data(
        as_text=True
    )
    code = re.search(r"[23456789A-Z]{5}-[23456789A-Z]{5}", saved).group(0)
    assert f"/resume#{code}" in saved
    assert f"/resume/{code}" not in saved and f"code={code}" not in saved


# --- V8 authorisation -----------------------------------------------------------------------


def v8_another_department_cannot_read_or_process_a_submission(site: Site):
    other = site.staff("d02@example.jp")
    assert other.get(f"/staff/submissions/{site.receipt_no}").status_code == 403
    assert (
        other.post(
            f"/staff/submissions/{site.receipt_no}/status", data={"to": "approved"}
        ).status_code
        == 403
    )
    own = site.staff("d01@example.jp")
    assert own.get(f"/staff/submissions/{site.receipt_no}").status_code == 200


def v8_another_departments_token_cannot_write(site: Site):
    r = site.app.test_client().post(
        "/api/v1/procedures/A/statuses",
        json={"status": "online", "effective_date": "2025-04-01"},
        headers={"Authorization": f"Bearer {site.tokens['02']}"},
    )
    assert r.status_code == 403


def v8_a_wrong_access_code_and_an_unknown_receipt_answer_alike(site: Site):
    client = site.app.test_client()
    wrong = client.get(
        f"/api/v1/submissions/{site.receipt_no}", headers={"X-Access-Code": "ZZZZZZZZ"}
    )
    unknown = client.get("/api/v1/submissions/2026-ZZZZZZZZ", headers={"X-Access-Code": "ZZZZZZZZ"})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.get_json() == unknown.get_json()


def v8_a_status_page_needs_the_access_code(site: Site):
    stranger = site.app.test_client()
    assert stranger.get(f"/status/{site.receipt_no}").status_code == 302  # to the look-up
    assert stranger.get(f"/status/{site.receipt_no}/receipt.pdf").status_code == 302


def v8_revoking_a_token_of_another_department_reveals_nothing(site: Site):
    with site.app.app_context():
        other = api_tokens.list_tokens(None)
        ids = {t.department.code: t.id for t in other}
    d01 = site.staff("d01@example.jp")
    theirs = d01.post(f"/staff/tokens/{ids['02']}/revoke")
    unknown = d01.post("/staff/tokens/999999/revoke")
    assert theirs.status_code == unknown.status_code == 404


CHECKS: dict[str, Callable[[Site], None]] = {
    name: fn for name, fn in globals().items() if re.match(r"v[2378]_|v5_", name)
}


@pytest.mark.parametrize("check", CHECKS, ids=list(CHECKS))
def test_asvs(site, check):
    CHECKS[check](site)


def test_the_table_covers_each_chapter_the_docs_name():
    chapters = {name.split("_", 1)[0] for name in CHECKS}
    assert chapters == {"v2", "v3", "v5", "v7", "v8"}
