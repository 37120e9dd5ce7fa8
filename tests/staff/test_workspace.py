"""Staff as they work: sign in, keep the catalogue true, process submissions, leave a trail."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.staff.models import AuditEvent

from .conftest import PASSWORD, sign_in


def text(r) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r.get_data(as_text=True)))


def test_wrong_password_is_a_clear_message_and_logged(office):
    app, _ = office
    client = app.test_client()
    r = client.post("/staff/login", data={"email": "d01@example.jp", "password": "nope"})
    assert r.status_code == 401
    assert "メールアドレスまたはパスワードが正しくありません" in text(r)
    assert 'value="d01@example.jp"' in r.get_data(as_text=True)  # the e-mail is kept
    with app.app_context():
        assert (
            db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc()))
            == "login.failed"
        )


def test_logout_really_ends_the_session_even_for_a_copied_cookie(office):
    app, _ = office
    client = sign_in(app, "d01@example.jp")
    assert client.get("/staff/").status_code == 200
    stolen = client.get_cookie("session").value
    client.post("/staff/logout")
    assert client.get("/staff/").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    r = thief.get("/staff/")
    assert r.status_code == 302 and "/staff/login" in r.headers["Location"]


def test_idle_timeout_signs_out(office):
    app, _ = office
    client = sign_in(app, "d01@example.jp")
    with client.session_transaction() as s:
        s["staff_seen"] -= app.config["STAFF_IDLE_MINUTES"] * 60 + 5
    r = client.get("/staff/procedures", follow_redirects=True)
    assert "一定時間操作がなかったため、ログアウトしました" in text(r)
    assert client.get("/staff/").status_code == 302
    page = sign_in(app, "d01@example.jp").get("/staff/").get_data(as_text=True)
    assert 'data-idle-seconds="1800"' in page and "staff.js" in page  # the warning before it


def test_record_a_status_and_the_dashboard_moves_at_once(office):
    app, _ = office
    client = sign_in(app, "d02@example.jp")
    before = client.get("/api/v1/kpi?fiscal_year=2023").get_json()["weighted"]["rate"]
    r = client.post(
        "/staff/procedures/C/status",
        data={"status": "online", "effective_date": "２０２３-０７-０１", "note": "電子申請を開始"},
    )
    assert r.status_code == 302
    after = client.get("/api/v1/kpi?fiscal_year=2023").get_json()["weighted"]["rate"]
    assert before == pytest.approx(70000 / 95000) and after == 1.0
    page = text(client.get("/staff/procedures/C"))
    assert "電子申請を開始" in page and "d02@example.jp" in page
    # a mistake gets a message and keeps what was typed
    r = client.post(
        "/staff/procedures/C/status",
        data={"status": "excluded", "effective_date": "2023-02-30", "note": ""},
    )
    assert r.status_code == 422
    page = text(r)
    assert "適用日は1990-01-01から" in page and "対象外（excluded）には理由が必要です" in page


def test_volumes_are_appended_and_the_newest_counts(office):
    app, _ = office
    client = sign_in(app, "d01@example.jp")
    assert (
        client.post(
            "/staff/procedures/A/volumes",
            data={"fiscal_year": "2023", "receipts": "45,000", "online_receipts": "１２０００"},
        ).status_code
        == 302
    )
    body = client.get("/api/v1/kpi?fiscal_year=2023&scope=department:01").get_json()
    assert body["weighted"]["denominator"] == 75000
    page = text(client.get("/staff/procedures/A"))
    assert "45,000" in page and "40,000" in page  # the earlier figure is kept
    r = client.post("/staff/procedures/A/volumes", data={"fiscal_year": "令和99", "receipts": "-1"})
    assert r.status_code == 422 and "年度は1990から2100までの西暦で入力してください" in text(r)
    assert "受付件数は0から100,000,000までの整数で入力してください" in text(r)


def test_process_a_submission_and_the_resident_sees_it(office):
    app, receipts = office
    receipt = receipts["01"]
    client = sign_in(app, "d01@example.jp")
    page = text(client.get(f"/staff/submissions/{receipt['receipt_no']}"))
    assert "山田 太郎（ヤマダ タロウ）" in page and "受付済み" in page
    r = client.post(
        f"/staff/submissions/{receipt['receipt_no']}/status", data={"to": "returned", "message": ""}
    )
    assert r.status_code == 422 and "申請者へのメッセージを入力してください" in text(r)
    client.post(f"/staff/submissions/{receipt['receipt_no']}/status", data={"to": "in_review"})
    client.post(
        f"/staff/submissions/{receipt['receipt_no']}/status",
        data={"to": "returned", "message": "住所の番地を補正してください。"},
    )
    resident = app.test_client()
    status = resident.get(
        f"/api/v1/submissions/{receipt['receipt_no']}",
        headers={"X-Access-Code": receipt["access_code"]},
    ).get_json()
    assert [h["status"] for h in status["history"]] == ["received", "in_review", "returned"]
    assert status["history"][-1]["message"] == "住所の番地を補正してください。"
    resident.post(
        "/status", data={"receipt_no": receipt["receipt_no"], "access_code": receipt["access_code"]}
    )
    page = text(resident.get(f"/status/{receipt['receipt_no']}"))
    assert "補正のため差し戻し" in page and "住所の番地を補正してください。" in page
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.target == f"submission:{receipt['receipt_no']}"
            )
        ).all()
    assert actions.count("submission.view") == 1 and actions.count("submission.status") == 2


def test_inbox_filters(office):
    app, receipts = office
    client = sign_in(app, "bureau@example.jp")
    page = text(client.get("/staff/submissions"))
    assert receipts["01"]["receipt_no"] in page and receipts["02"]["receipt_no"] in page
    page = text(client.get("/staff/submissions?form=test-permit-c"))
    assert receipts["01"]["receipt_no"] not in page and receipts["02"]["receipt_no"] in page
    page = text(client.get("/staff/submissions?status=approved"))
    assert "該当する申請はありません" in page
    page = text(client.get("/staff/submissions?since=2099-01-01"))
    assert receipts["01"]["receipt_no"] not in page


def test_admin_creates_users_and_reads_the_audit_log(office):
    app, _ = office
    client = sign_in(app, "admin@example.jp")
    r = client.post(
        "/staff/users",
        data={
            "email": "new@example.jp",
            "role": "department",
            "department": "",
            "password": PASSWORD,
        },
    )
    assert r.status_code == 422 and "部局コードが必要です" in text(r)
    assert (
        client.post(
            "/staff/users",
            data={
                "email": "new@example.jp",
                "role": "department",
                "department": "02",
                "password": PASSWORD,
            },
        ).status_code
        == 302
    )
    sign_in(app, "new@example.jp")
    page = text(client.get("/staff/audit"))
    assert "user.create" in page and "new@example.jp" in page and "login" in page


def test_security_headers_everywhere(office):
    app, _ = office
    client = app.test_client()
    for url in ("/", "/dashboard", "/staff/login", "/apply/test-permit", "/api/v1/kpi"):
        h = client.get(url).headers
        assert (
            "script-src 'self'" in h["Content-Security-Policy"]
            and "unsafe-inline" not in h["Content-Security-Policy"]
        )
        assert "frame-ancestors 'none'" in h["Content-Security-Policy"]
        assert h["X-Content-Type-Options"] == "nosniff"
        assert h["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "no-store" in client.get("/staff/login").headers["Cache-Control"]


def test_no_inline_script_in_any_page(office):
    app, receipts = office
    client = sign_in(app, "admin@example.jp")
    for url in (
        "/staff/",
        "/staff/procedures",
        "/staff/procedures/A",
        "/staff/submissions",
        f"/staff/submissions/{receipts['01']['receipt_no']}",
        "/staff/users",
        "/staff/audit",
        "/dashboard",
        "/apply/test-permit",
    ):
        html = client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
        assert " on" + "click=" not in html and "style=" not in html, url


def test_department_makes_and_revokes_an_api_token(office):
    app, _ = office
    client = sign_in(app, "d01@example.jp")
    r = client.post("/staff/tokens", data={"name": "農林システム", "department": "02"})
    token = re.search(r'<code class="token">([^<]+)</code>', r.get_data(as_text=True)).group(1)
    api = app.test_client()
    ok = api.post(
        "/api/v1/procedures/A/volumes",
        json={"fiscal_year": 2025, "receipts": 41000},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert ok.status_code == 201  # scoped to its own department (01), whatever the form said
    other = api.post(
        "/api/v1/procedures/C/volumes",
        json={"fiscal_year": 2025, "receipts": 41000},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert other.status_code == 403
    assert token not in client.get("/staff/tokens").get_data(as_text=True)  # shown once only
    from app.api.models import ApiToken

    with app.app_context():
        tid = db.session.scalar(select(ApiToken.id))
    client.post(f"/staff/tokens/{tid}/revoke")
    again = api.post(
        "/api/v1/procedures/A/volumes",
        json={"fiscal_year": 2025, "receipts": 42000},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert again.status_code == 401


def test_the_audit_log_is_append_only(office):
    from app.catalogue.models import AppendOnlyError

    app, _ = office
    sign_in(app, "d01@example.jp")
    with app.app_context():
        event = db.session.scalar(select(AuditEvent))
        event.action = "something else"
        with pytest.raises(AppendOnlyError):
            db.session.flush()
        db.session.rollback()
