"""Two-factor sign-in (TOTP, codes computed here with pyotp as an authenticator app
would): required for admin and bureau, optional for department staff; recovery codes;
each code once; the code step rate limited."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from app.extensions import db
from app.staff.models import AuditEvent, RecoveryCode, SignIn, User
from config import Config

from .conftest import PASSWORD, sign_in


def text(r) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r.get_data(as_text=True)))


@pytest.fixture
def office2(office):
    app, receipts = office
    app.config["STAFF_TWO_FACTOR_ROLES"] = Config.STAFF_TWO_FACTOR_ROLES
    return app, receipts


def enrol(app, email: str):
    """Sign in with the password and set up the authenticator → (client, totp, codes)."""
    client = sign_in(app, email)
    page = client.get("/staff/2fa/setup").get_data(as_text=True)
    key = re.search(r'<code class="token" id="key">([^<]+)</code>', page).group(1)
    totp = pyotp.TOTP(key.replace(" ", ""))
    r = client.post("/staff/2fa/setup", data={"code": totp.now()})
    assert r.status_code == 200, text(r)
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", r.get_data(as_text=True))
    return client, totp, codes


def password_step(app, email: str, password: str = PASSWORD):
    client = app.test_client()
    r = client.post("/staff/login", data={"email": email, "password": password})
    assert r.status_code == 302
    return client, r


def next_code(totp: pyotp.TOTP) -> str:
    """The code of the next 30-second step (accepted: clocks drift by a step)."""
    return totp.at(time.time() + 30)


def history(app, email: str) -> list[tuple[bool, str]]:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        rows = db.session.execute(
            select(SignIn.success, SignIn.factor)
            .where(SignIn.user_id == user.id)
            .order_by(SignIn.id)
        )
        return [tuple(r) for r in rows]


def test_admins_and_the_bureau_must_use_two_factors_by_default():
    assert {r.strip() for r in Config.STAFF_TWO_FACTOR_ROLES.split(",")} == {"admin", "bureau"}


@pytest.mark.parametrize("email", ["admin@example.jp", "bureau@example.jp"])
def test_first_sign_in_of_a_required_role_goes_to_set_up_and_nowhere_else(office2, email):
    app, _ = office2
    client = sign_in(app, email)
    for url in ("/staff/", "/staff/procedures", "/staff/submissions"):
        r = client.get(url)
        assert r.status_code == 302 and r.headers["Location"].endswith("/staff/2fa/setup"), url
    page = client.get("/staff/2fa/setup")
    html = page.get_data(as_text=True)
    assert 'src="data:image/svg+xml' in html  # the QR code
    key = re.search(r'<code class="token" id="key">([^<]+)</code>', html).group(1)
    assert len(key.replace(" ", "")) == 32
    assert "設定が終わるまで、ほかの画面は使えません" in text(page)
    r = client.post("/staff/2fa/setup", data={"code": "000000"})
    assert r.status_code == 422 and "確認コードが正しくありません" in text(r)
    assert key in r.get_data(as_text=True)  # the same key: the app need not be scanned again
    r = client.post("/staff/logout")  # signing out is allowed before setting up
    assert r.status_code == 302


def test_enrolment_shows_ten_recovery_codes_once_and_opens_the_workspace(office2):
    app, _ = office2
    client, totp, codes = enrol(app, "admin@example.jp")
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/staff/users").status_code == 200
    page = text(client.get("/staff/2fa"))
    assert "未使用のリカバリーコード: 10 個" in page
    assert codes[0] not in page  # shown once only
    with app.app_context():
        stored = list(db.session.scalars(select(RecoveryCode.code_hash)))
        assert len(stored) == 10 and all(h.startswith("$argon2id$") for h in stored)
        assert db.session.scalar(
            select(AuditEvent.id).where(AuditEvent.action == "user.2fa_enable")
        )


def test_an_enrolled_account_signs_in_with_its_code_and_each_code_works_once(office2):
    app, _ = office2
    _, totp, _ = enrol(app, "bureau@example.jp")
    client, r = password_step(app, "bureau@example.jp")
    assert r.headers["Location"].endswith("/staff/login/code")
    assert client.get("/staff/").status_code == 302  # not in yet
    r = client.post("/staff/login/code", data={"code": "123456"})
    assert r.status_code == 401 and "確認コードが正しくありません" in text(r)
    code = next_code(totp)
    r = client.post("/staff/login/code", data={"code": f" {code[:3]} {code[3:]} "})
    assert r.status_code == 302 and r.headers["Location"].endswith("/staff/")
    assert client.get("/staff/").status_code == 200
    # the same code again, for another sign-in: refused
    thief, _ = password_step(app, "bureau@example.jp")
    assert thief.post("/staff/login/code", data={"code": code}).status_code == 401
    assert history(app, "bureau@example.jp")[-3:] == [
        (False, "totp"),
        (True, "totp"),
        (False, "totp"),
    ]


def test_full_width_digits_are_accepted(office2):
    app, _ = office2
    _, totp, _ = enrol(app, "admin@example.jp")
    client, _ = password_step(app, "admin@example.jp")
    code = next_code(totp).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert client.post("/staff/login/code", data={"code": code}).status_code == 302


def test_a_recovery_code_works_once(office2):
    app, _ = office2
    _, _, codes = enrol(app, "admin@example.jp")
    client, _ = password_step(app, "admin@example.jp")
    r = client.post("/staff/login/code", data={"code": codes[3].upper()})
    assert r.status_code == 302
    assert "未使用のリカバリーコード: 9 個" in text(client.get("/staff/2fa"))
    again, _ = password_step(app, "admin@example.jp")
    assert again.post("/staff/login/code", data={"code": codes[3]}).status_code == 401
    assert (True, "recovery") in history(app, "admin@example.jp")


def test_new_recovery_codes_void_the_old_ones(office2):
    app, _ = office2
    client, totp, old = enrol(app, "admin@example.jp")
    r = client.post("/staff/2fa/recovery", data={"code": "999999"})
    assert r.status_code == 422
    r = client.post("/staff/2fa/recovery", data={"code": next_code(totp)})
    new = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", r.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    other, _ = password_step(app, "admin@example.jp")
    assert other.post("/staff/login/code", data={"code": old[0]}).status_code == 401
    assert other.post("/staff/login/code", data={"code": new[0]}).status_code == 302


def test_code_entry_is_rate_limited_per_account(office2):
    app, _ = office2
    _, totp, _ = enrol(app, "admin@example.jp")
    app.config["TOTP_RATE_LIMIT"] = "3 per minute"
    statuses = []
    for _ in range(4):  # a new password step each time: the count is the account's
        client, _ = password_step(app, "admin@example.jp")
        statuses.append(client.post("/staff/login/code", data={"code": "000000"}).status_code)
    assert statuses == [401, 401, 401, 429]


def test_the_pending_sign_in_expires(office2):
    app, _ = office2
    _, totp, _ = enrol(app, "admin@example.jp")
    client, _ = password_step(app, "admin@example.jp")
    with client.session_transaction() as s:
        s["staff_sign_in"] = {**s["staff_sign_in"], "at": s["staff_sign_in"]["at"] - 301}
    r = client.post("/staff/login/code", data={"code": next_code(totp)})
    assert r.status_code == 302 and r.headers["Location"].endswith("/staff/login")
    assert client.get("/staff/").status_code == 302


def test_department_staff_may_choose_and_may_stop(office2):
    app, _ = office2
    client = sign_in(app, "d01@example.jp")
    assert client.get("/staff/").status_code == 200  # not required
    assert "まだ設定されていません" in text(client.get("/staff/2fa"))
    client, totp, _ = enrol(app, "d01@example.jp")
    _, r = password_step(app, "d01@example.jp")
    assert r.headers["Location"].endswith("/staff/login/code")  # now asked for a code
    r = client.post("/staff/2fa/disable", data={"code": "000000"})
    assert r.status_code == 422
    r = client.post("/staff/2fa/disable", data={"code": next_code(totp)})
    assert r.status_code == 302
    _, r = password_step(app, "d01@example.jp")
    assert r.headers["Location"].endswith("/staff/")  # password only again


def test_a_required_role_cannot_stop(office2):
    app, _ = office2
    client, totp, _ = enrol(app, "admin@example.jp")
    r = client.post("/staff/2fa/disable", data={"code": next_code(totp)})
    assert r.status_code == 422 and "この役割では2段階認証をやめることはできません" in text(r)


def test_an_admin_resets_a_lost_second_factor(office2):
    app, _ = office2
    bureau, _, _ = enrol(app, "bureau@example.jp")
    admin, _, _ = enrol(app, "admin@example.jp")
    with app.app_context():
        uid = db.session.scalar(select(User.id).where(User.email == "bureau@example.jp"))
    r = admin.post(f"/staff/users/{uid}/2fa/reset")
    assert r.status_code == 302
    assert bureau.get("/staff/").status_code == 302  # its sessions ended
    client, r = password_step(app, "bureau@example.jp")
    assert client.get("/staff/").headers["Location"].endswith("/staff/2fa/setup")
    with app.app_context():
        assert not list(db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == uid)))
        assert (
            db.session.scalar(select(AuditEvent.actor).where(AuditEvent.action == "user.2fa_reset"))
            == "admin@example.jp"
        )
