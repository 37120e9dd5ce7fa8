"""Staff pages given what they cannot use, on SQLite and PostgreSQL: a 4xx that says why.

A sign-in with an e-mail longer than the audit log's column, dates a search cannot start
or stop at, characters the database cannot hold.
"""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from app.catalogue.services import import_catalogue
from app.extensions import db
from app.staff import services as staff
from app.staff.models import AuditEvent

PASSWORD = "correct horse battery"


@pytest.fixture
def admin(backend_app, worked_example):
    with backend_app.app_context():
        assert import_catalogue(worked_example).ok
        staff.create_user("admin@example.jp", PASSWORD, "admin")
        db.session.commit()
    client = backend_app.test_client()
    r = client.post("/staff/login", data={"email": "admin@example.jp", "password": PASSWORD})
    assert r.status_code == 302
    return client


def events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.mark.parametrize("length", [115, 116, 300, 5000])
def test_a_failed_sign_in_with_a_long_email_is_a_401_and_audited(backend_app, length):
    email = "a" * (length - len("@example.jp")) + "@example.jp"
    r = backend_app.test_client().post("/staff/login", data={"email": email, "password": "x"})
    assert r.status_code == 401
    assert "メールアドレスまたはパスワードが正しくありません。" in r.get_data(as_text=True)
    (event,) = events(backend_app, "login.failed")
    assert len(event.target) <= AuditEvent.target.type.length
    assert event.target.startswith("user:aaaa")
    if length + len("user:") > AuditEvent.target.type.length:
        assert event.target.endswith("…")
    else:
        assert event.target == f"user:{email}"


def test_the_audit_log_stores_any_text_it_is_given(backend_app):
    with backend_app.test_request_context():
        staff.audit(None, "x" * 500, "t\x00" * 500, {"note\x00": "a\ud800b", "n": [1, "\x00"]})
        db.session.commit()
    (event,) = events(backend_app, "x" * 59 + "…")
    assert event.target == ("t\ufffd" * 60)[:119] + "…"
    assert event.detail == {"note\ufffd": "a\ufffdb", "n": [1, "\ufffd"]}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("until=9999-12-31", "until"),
        ("since=0001-01-01", "since"),
        ("since=1899-12-31", "since"),
        ("until=3000-01-01", "until"),
        ("since=not-a-date", "since"),
        ("until=" + "9" * 5000, "until"),
    ],
)
def test_an_inbox_date_no_search_can_use_is_a_400_with_the_filter_kept(
    backend_app, admin, caplog, query, field
):
    caplog.set_level(logging.INFO, logger=backend_app.logger.name)
    r = admin.get(f"/staff/submissions?{query}&status=received")
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "日付は1900年から2999年までの日付（例: 2026-04-01）で入力してください。" in html
    assert f'id="{field}-error"' in html
    value = query.split("=", 1)[1]
    assert f'value="{value}"' in html  # what was typed is kept
    assert f"bad input on GET /staff/submissions: unusable date in query parameter {field}" in (
        caplog.text
    )
    r = admin.get(f"/staff/submissions?{query}&lang=en")
    assert "Enter a date from 1900 to 2999, like 2026-04-01." in r.get_data(as_text=True)


@pytest.mark.parametrize("query", ["since=1900-01-01", "until=2999-12-31", "since=令和6年4月1日"])
def test_an_inbox_date_at_the_edges_is_used(admin, query):
    assert admin.get(f"/staff/submissions?{query}").status_code == 200


def test_a_nul_in_a_staff_search_or_form_is_a_400_that_says_so(admin):
    r = admin.get("/staff/procedures?q=a%00b")
    assert r.status_code == 400
    assert "URLに使えない文字（U+0000）が含まれています。" in r.get_data(as_text=True)
    r = admin.post("/staff/users", data={"email": "b@example.jp", "name": "a\x00b"})
    assert r.status_code == 400
    assert "送信された内容に使えない文字（U+0000）" in r.get_data(as_text=True)
