"""Administering accounts: change role or department, deactivate, one-time password reset
links, sign-in history — on the pages and with `flask staff …`, each change audited."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.clock import utcnow
from app.extensions import db
from app.staff import accounts
from app.staff import services as staff
from app.staff.models import AuditEvent, PasswordReset, SignIn, User

from .conftest import PASSWORD, sign_in

NEW_PASSWORD = "a new long passphrase"


def text(r) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r.get_data(as_text=True)))


def uid(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def audit_actions(app, target: str) -> list[tuple[str, dict | None]]:
    with app.app_context():
        rows = db.session.execute(
            select(AuditEvent.action, AuditEvent.detail)
            .where(AuditEvent.target == target)
            .order_by(AuditEvent.id)
        )
        return [(a, d) for a, d in rows]


def reset_link(page: str) -> str:
    m = re.search(r'<code class="token">([^<]+)</code>', page)
    assert m, "the link is shown to the admin"
    return m.group(1)


def test_the_list_links_each_account_and_its_page_shows_everything(office):
    app, _ = office
    admin = sign_in(app, "admin@example.jp")
    page = admin.get("/staff/users").get_data(as_text=True)
    d01 = uid(app, "d01@example.jp")
    assert f'href="/staff/users/{d01}"' in page
    r = admin.get(f"/staff/users/{d01}")
    assert r.status_code == 200
    body = text(r)
    for words in ("d01@example.jp", "部局職員", "ログイン履歴", "リンクを発行する", "停止する"):
        assert words in body


def test_moving_an_account_to_another_department_ends_its_sessions_and_is_audited(office):
    app, receipts = office
    d01 = sign_in(app, "d01@example.jp")
    assert d01.get(f"/staff/submissions/{receipts['01']['receipt_no']}").status_code == 200
    admin = sign_in(app, "admin@example.jp")
    user_id = uid(app, "d01@example.jp")
    r = admin.post(
        f"/staff/users/{user_id}",
        data={"role": "department", "department": "02", "name": "異動太郎"},
    )
    assert r.status_code == 302
    assert "アカウントを変更しました" in text(admin.get(r.headers["Location"]))
    # the old session is over; signed in again, the account sees department 02's work
    assert d01.get("/staff/").status_code == 302
    moved = sign_in(app, "d01@example.jp")
    assert moved.get(f"/staff/submissions/{receipts['01']['receipt_no']}").status_code == 403
    assert moved.get(f"/staff/submissions/{receipts['02']['receipt_no']}").status_code == 200
    (action, detail), *_ = [
        e for e in audit_actions(app, "user:d01@example.jp") if e[0] == "user.change"
    ]
    assert detail == {"department": ["01", "02"], "name": ["d01", "異動太郎"]}


def test_a_bad_change_is_a_422_that_keeps_what_was_chosen(office):
    app, _ = office
    admin = sign_in(app, "admin@example.jp")
    user_id = uid(app, "bureau@example.jp")
    r = admin.post(
        f"/staff/users/{user_id}", data={"role": "department", "department": "", "name": "局員"}
    )
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "部局職員には部局コードが必要です" in page
    assert '<option value="department" selected>' in page and 'value="局員"' in page
    r = admin.post(f"/staff/users/{user_id}", data={"role": "bureau", "name": "x" * 201})
    assert r.status_code == 422 and "200文字以内" in text(r)
    with app.app_context():
        assert db.session.get(User, user_id).role == "bureau"  # nothing changed


def test_an_admin_can_neither_demote_nor_deactivate_themselves(office):
    app, _ = office
    admin = sign_in(app, "admin@example.jp")
    me = uid(app, "admin@example.jp")
    r = admin.post(f"/staff/users/{me}", data={"role": "bureau", "name": "admin"})
    assert r.status_code == 422 and "自分自身の役割は変更できません" in text(r)
    r = admin.post(f"/staff/users/{me}/active", data={"active": "0"})
    assert r.status_code == 422 and "自分自身のアカウントは停止できません" in text(r)
    assert admin.get("/staff/users").status_code == 200


def test_deactivating_ends_the_session_at_once_and_reactivating_lets_in_again(office):
    app, _ = office
    d02 = sign_in(app, "d02@example.jp")
    admin = sign_in(app, "admin@example.jp")
    user_id = uid(app, "d02@example.jp")
    admin.post(f"/staff/users/{user_id}/active", data={"active": "0"})
    assert d02.get("/staff/").status_code == 302
    r = app.test_client().post(
        "/staff/login", data={"email": "d02@example.jp", "password": PASSWORD}
    )
    assert r.status_code == 401
    admin.post(f"/staff/users/{user_id}/active", data={"active": "1"})
    assert sign_in(app, "d02@example.jp").get("/staff/").status_code == 200
    actions = [(a, d) for a, d in audit_actions(app, "user:d02@example.jp") if a == "user.active"]
    assert actions == [("user.active", {"active": False}), ("user.active", {"active": True})]


def test_a_reset_link_sets_a_new_password_once(office):
    app, _ = office
    admin = sign_in(app, "admin@example.jp")
    user_id = uid(app, "d01@example.jp")
    old_session = sign_in(app, "d01@example.jp")
    r = admin.post(f"/staff/users/{user_id}/reset")
    assert r.status_code == 200
    link = reset_link(r.get_data(as_text=True))
    assert link.startswith(app.config["BASE_URL"] + "/staff/reset/")
    token = link.rsplit("/", 1)[1]
    with app.app_context():  # only a hash of the token is kept
        stored = db.session.scalar(select(PasswordReset.token_hash))
        assert token not in stored and len(stored) == 64

    person = app.test_client()
    r = person.get(f"/staff/reset/{token}")
    assert r.status_code == 302 and r.headers["Location"].endswith(
        "/staff/reset"
    )  # token leaves the URL
    page = person.get("/staff/reset")
    assert page.status_code == 200 and "d01@example.jp の新しいパスワードを設定します" in text(page)
    r = person.post("/staff/reset", data={"password": NEW_PASSWORD, "password_again": "different"})
    assert r.status_code == 422 and "一致しません" in text(r)
    r = person.post("/staff/reset", data={"password": "short", "password_again": "short"})
    assert r.status_code == 422 and "12文字以上" in text(r)
    r = person.post("/staff/reset", data={"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert r.status_code == 302 and "/staff/login" in r.headers["Location"]

    assert old_session.get("/staff/").status_code == 302  # sessions made before end
    fails = app.test_client().post(
        "/staff/login", data={"email": "d01@example.jp", "password": PASSWORD}
    )
    assert fails.status_code == 401
    assert sign_in(app, "d01@example.jp", NEW_PASSWORD).get("/staff/").status_code == 200
    # the link works once
    again = app.test_client()
    again.get(f"/staff/reset/{token}")
    r = again.get("/staff/reset")
    assert r.status_code == 410 and "このリンクは使えません" in text(r)
    assert again.post("/staff/reset", data={"password": NEW_PASSWORD * 2}).status_code == 410
    actions = [a for a, _ in audit_actions(app, "user:d01@example.jp")]
    assert "user.reset_link" in actions and "user.password_reset" in actions


def test_a_newer_link_voids_the_older_and_an_expired_link_is_refused(office):
    app, _ = office
    admin = sign_in(app, "admin@example.jp")
    user_id = uid(app, "d01@example.jp")
    first = reset_link(admin.post(f"/staff/users/{user_id}/reset").get_data(as_text=True))
    second = reset_link(admin.post(f"/staff/users/{user_id}/reset").get_data(as_text=True))
    client = app.test_client()
    client.get(first.replace(app.config["BASE_URL"], ""))
    assert client.get("/staff/reset").status_code == 410
    with app.app_context():
        for reset in db.session.scalars(select(PasswordReset)):
            reset.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    client.get(second.replace(app.config["BASE_URL"], ""))
    assert client.get("/staff/reset").status_code == 410


def test_no_link_for_a_deactivated_account(office):
    app, _ = office
    admin = sign_in(app, "admin@example.jp")
    user_id = uid(app, "d02@example.jp")
    admin.post(f"/staff/users/{user_id}/active", data={"active": "0"})
    r = admin.post(f"/staff/users/{user_id}/reset")
    assert r.status_code == 422 and "停止中のアカウントです" in text(r)


def test_sign_in_history_keeps_the_network_not_the_address(office):
    app, _ = office
    env = {"REMOTE_ADDR": "192.0.2.57"}
    client = app.test_client()
    client.post(
        "/staff/login", data={"email": "D01@example.jp", "password": "wrong"}, environ_base=env
    )
    client.post(
        "/staff/login", data={"email": "d01@example.jp", "password": PASSWORD}, environ_base=env
    )
    client.post(
        "/staff/login", data={"email": "nobody@example.jp", "password": "x"}, environ_base=env
    )
    with app.app_context():
        rows = db.session.execute(
            select(SignIn.success, SignIn.ip, SignIn.factor).order_by(SignIn.id)
        ).all()
    assert [tuple(r) for r in rows] == [
        (False, "192.0.2.0/24", "password"),
        (True, "192.0.2.0/24", "password"),
    ]
    page = text(sign_in(app, "admin@example.jp").get(f"/staff/users/{uid(app, 'd01@example.jp')}"))
    assert "192.0.2.0/24" in page and "192.0.2.57" not in page
    assert "成功" in page and "失敗" in page


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.200", "203.0.113.0/24"),
        ("2001:db8:1234:5678::1", "2001:db8:1234::/48"),
        ("::ffff:198.51.100.7", "198.51.100.0/24"),
        ("not an address", None),
        (None, None),
    ],
)
def test_network_of(address, network):
    assert accounts.network_of(address) == network


def test_the_command_line_does_the_same_and_is_audited(office):
    app, _ = office
    runner = app.test_cli_runner()
    r = runner.invoke(args=["staff", "change", "D01@example.jp", "--role", "bureau"])
    assert r.exit_code == 0, r.output
    assert "role: department → bureau" in r.output and "department: 01 → -" in r.output
    r = runner.invoke(args=["staff", "change", "bureau@example.jp", "--role", "department"])
    assert r.exit_code == 1 and "部局コードが必要" in r.output
    r = runner.invoke(args=["staff", "deactivate", "d02@example.jp"])
    assert r.exit_code == 0
    r = runner.invoke(args=["staff", "list"])
    assert "d02@example.jp\tdepartment\t02\t-\tinactive" in r.output
    assert "d01@example.jp\tbureau\t-" in r.output
    r = runner.invoke(args=["staff", "reactivate", "d02@example.jp"])
    assert r.exit_code == 0
    r = runner.invoke(args=["staff", "reset-link", "d02@example.jp"])
    assert r.exit_code == 0
    link = r.stdout.strip()
    client = app.test_client()
    client.get(link.replace(app.config["BASE_URL"], ""))
    client.post("/staff/reset", data={"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    sign_in(app, "d02@example.jp", NEW_PASSWORD)
    r = runner.invoke(args=["staff", "history", "d02@example.jp"])
    lines = r.output.strip().splitlines()
    assert lines[0].endswith("\tok\tpassword") and lines[1].endswith("\tok\treset")
    r = runner.invoke(args=["staff", "history", "ghost@example.jp"])
    assert r.exit_code == 1 and "アカウントがありません" in r.output
    r = runner.invoke(args=["users", "list"])  # the older name still works
    assert r.exit_code == 0 and "admin@example.jp" in r.output
    actions = [
        a for a, d in audit_actions(app, "user:d02@example.jp") if d and d.get("by") == "cli"
    ]
    assert actions == ["user.active", "user.active", "user.reset_link"]


def test_reset_links_on_both_databases(backend_app, worked_example):
    from app.catalogue.services import import_catalogue

    with backend_app.app_context():
        assert import_catalogue(worked_example).ok
        user = staff.create_user("x@example.jp", PASSWORD, "bureau")
        token, _ = accounts.issue_reset(user)
        db.session.commit()
        assert accounts.valid_reset(token) is not None
        accounts.use_reset(token, NEW_PASSWORD)
        db.session.commit()
        assert accounts.valid_reset(token) is None
        with pytest.raises(staff.AccountError):
            accounts.use_reset(token, NEW_PASSWORD)
        assert staff.authenticate("x@example.jp", NEW_PASSWORD) is not None
