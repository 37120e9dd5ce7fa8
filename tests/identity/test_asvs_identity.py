"""The OWASP ASVS 5.0 checks of resident sign-in, as a table of attack → expected answer
(the chapters docs/security.md names: V6 authentication, V7 session management, V10
OAuth and OIDC). Each row is small; the deeper tests are beside it in tests/identity."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from app.identity import oidc
from tests.identity.conftest import Browser


def _forged(app, browser, devidp, monkeypatch, **changes) -> int:
    """Start a sign-in, answer its callback with an ID token with these claims changed
    (signed by `key` if given, else by the provider's key); → the callback's status."""
    key = changes.pop("key", devidp.key)
    query = parse_qs(urlsplit(browser.start()).query)
    now = int(time.time())
    claims = {
        "iss": devidp.issuer_of("mynumber"), "sub": "resident-1", "aud": "tetsuzuki-mynumber",
        "iat": now, "exp": now + 300, "nonce": query["nonce"][0], **changes,
    }  # fmt: skip
    token = jwt.encode({"alg": "RS256", "kid": "devidp-test"}, claims, key)
    with app.test_request_context():
        client = oidc.client(oidc.provider("mynumber"))
    answer = {"access_token": "at", "token_type": "Bearer", "id_token": token}
    monkeypatch.setattr(client, "fetch_access_token", lambda **kw: dict(answer))
    r = browser.client.get(
        "/signin/mynumber/callback",
        query_string={"code": "c", "state": query["state"][0], "iss": claims["iss"]},
    )
    monkeypatch.undo()
    return r.status_code


def v10_the_authorization_request_carries_pkce_state_and_nonce(app, browser, devidp, mp):
    query = parse_qs(urlsplit(browser.start()).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert len(query["state"][0]) >= 20 and len(query["nonce"][0]) >= 20
    assert query["response_type"] == ["code"]


def v10_an_id_token_with_a_wrong_signature_is_refused(app, browser, devidp, mp):
    assert _forged(app, browser, devidp, mp, key=RSAKey.generate_key(2048, private=True)) == 400


def v10_an_id_token_for_another_client_is_refused(app, browser, devidp, mp):
    assert _forged(app, browser, devidp, mp, aud="another", azp="tetsuzuki-mynumber") == 400


def v10_an_expired_id_token_is_refused(app, browser, devidp, mp):
    now = int(time.time())
    assert _forged(app, browser, devidp, mp, iat=now - 7200, exp=now - 3600) == 400


def v10_an_id_token_with_another_nonce_is_refused(app, browser, devidp, mp):
    assert _forged(app, browser, devidp, mp, nonce="an-earlier-sign-in") == 400


def v10_the_callback_works_once(app, browser, devidp, mp):
    back = browser.login_at_provider(browser.start(), "resident-1")
    assert browser.callback(back).status_code == 302
    browser.client.post("/signout")
    assert browser.callback(back).status_code == 400


def v10_a_callback_in_another_browser_signs_nobody_in(app, browser, devidp, mp):
    back = browser.login_at_provider(browser.start(), "resident-1")
    assert Browser(app.test_client(), devidp.issuer).callback(back).status_code == 400


def v6_accounts_are_found_by_issuer_and_subject_only(app, browser, devidp, mp):
    browser.sign_in("resident-1")
    assert browser.client.get("/mypage").status_code == 200
    browser.sign_out()
    browser.sign_in("resident-2")  # same address, other subject: another account
    page = browser.client.get("/mypage").get_data(as_text=True)
    assert "伊勢" in page and "三重 太郎" not in page and "太郎" not in page


def v7_signing_in_gives_a_new_session(app, browser, devidp, mp):
    with browser.client.session_transaction() as s:
        s["planted"] = "by someone else"
    browser.sign_in("resident-1")
    with browser.client.session_transaction() as s:
        assert "planted" not in s


def v7_a_copied_cookie_dies_at_sign_out(app, browser, devidp, mp):
    browser.sign_in("resident-1")
    copy = app.test_client()
    copy.set_cookie("session", browser.client.get_cookie("session").value)
    assert copy.get("/mypage").status_code == 200
    browser.client.post("/signout")
    assert copy.get("/mypage").status_code == 302


def v7_an_idle_session_ends(app, browser, devidp, mp):
    browser.sign_in("resident-1")
    with browser.client.session_transaction() as s:
        s["resident_seen"] = int(time.time()) - 31 * 60
    assert browser.client.get("/mypage").status_code == 302


def v7_no_token_or_code_in_an_address_or_a_log(app, browser, devidp, mp):
    logger = logging.getLogger()
    records: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(record.getMessage())
    logger.addHandler(handler)
    try:
        back = browser.login_at_provider(browser.start(), "resident-1")
        r = browser.callback(back)
        end = browser.client.post("/signout").headers["Location"]
    finally:
        logger.removeHandler(handler)
    code = parse_qs(urlsplit(back).query)["code"][0]
    assert code not in "\n".join(records) and "eyJ" not in "\n".join(records)
    assert "code=" not in r.headers["Location"] and not re.search(r"eyJ|id_token", end)


CHECKS: dict[str, Callable] = {
    name: fn for name, fn in globals().items() if re.match(r"v(6|7|10)_", name)
}


@pytest.mark.parametrize("check", CHECKS, ids=list(CHECKS))
def test_asvs_identity(app, browser, devidp, monkeypatch, check):
    CHECKS[check](app, browser, devidp, monkeypatch)


def test_the_table_covers_each_chapter_the_docs_name():
    assert {name.split("_", 1)[0] for name in CHECKS} == {"v6", "v7", "v10"}
