"""An ID token that is not what the provider issued for this very sign-in is refused: each
forgery alone, with everything else right (the first test shows that the same token
without the flaw is accepted). The callback is the app's own; only the token endpoint's
answer is replaced by the forged token, the rest is the local provider's over HTTP."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey
from sqlalchemy import select

from app.extensions import db
from app.identity import oidc
from app.identity.models import Resident, ResidentEvent


def _client(app):
    with app.test_request_context():
        return oidc.client(oidc.provider("mynumber"))


def _answer_with(monkeypatch, app, id_token: str):
    """The token endpoint answers with this ID token (and an access token)."""
    answer = {"access_token": "at", "token_type": "Bearer", "id_token": id_token}
    monkeypatch.setattr(_client(app), "fetch_access_token", lambda **kw: dict(answer))


def _claims(devidp, nonce: str, **changes) -> dict:
    now = int(time.time())
    claims = {
        "iss": devidp.issuer_of("mynumber"),
        "sub": "resident-1",
        "aud": "tetsuzuki-mynumber",
        "iat": now,
        "exp": now + 300,
        "nonce": nonce,
        "name": "三重 太郎",
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _sign(claims: dict, key, alg: str = "RS256", kid: str = "devidp-test") -> str:
    return jwt.encode({"alg": alg, "kid": kid}, claims, key)


def _started(browser) -> tuple[str, str]:
    """Press the button: → (state, nonce) of the authorization request."""
    query = parse_qs(urlsplit(browser.start()).query)
    return query["state"][0], query["nonce"][0]


def _callback(browser, devidp, state: str):
    return browser.client.get(
        "/signin/mynumber/callback",
        query_string={"code": "c", "state": state, "iss": devidp.issuer_of("mynumber")},
    )


def _refused(app, browser, r, reason_part: str):
    assert r.status_code == 400, r.get_data(as_text=True)[:300]
    assert "ログインできませんでした" in r.get_data(as_text=True)
    assert browser.client.get("/mypage").status_code == 302  # nobody is signed in
    with app.app_context():
        assert db.session.scalar(select(Resident)) is None
        (event,) = db.session.scalars(select(ResidentEvent)).all()
        assert event.action == "signin.refused" and event.resident_id is None
        assert reason_part in event.reason, event.reason


def test_the_same_token_without_a_flaw_is_accepted(app, browser, devidp, monkeypatch):
    state, nonce = _started(browser)
    _answer_with(monkeypatch, app, _sign(_claims(devidp, nonce), devidp.key))
    r = _callback(browser, devidp, state)
    assert r.status_code == 302 and r.headers["Location"].endswith("/mypage")


def test_a_token_with_a_wrong_signature_is_refused(app, browser, devidp, monkeypatch):
    state, nonce = _started(browser)
    other = RSAKey.generate_key(2048, private=True)  # not the provider's key, same key id
    _answer_with(monkeypatch, app, _sign(_claims(devidp, nonce), other))
    _refused(app, browser, _callback(browser, devidp, state), "bad_signature")


def test_a_token_signed_by_a_key_the_provider_never_published_is_refused(
    app, browser, devidp, monkeypatch
):
    state, nonce = _started(browser)
    other = RSAKey.generate_key(2048, private=True)
    _answer_with(monkeypatch, app, _sign(_claims(devidp, nonce), other, kid="unknown"))
    _refused(app, browser, _callback(browser, devidp, state), "id_token")


def test_a_token_for_another_audience_is_refused(app, browser, devidp, monkeypatch):
    state, nonce = _started(browser)
    forged = _sign(_claims(devidp, nonce, aud="another-client"), devidp.key)
    _answer_with(monkeypatch, app, forged)
    _refused(app, browser, _callback(browser, devidp, state), "aud")


def test_a_token_for_another_audience_naming_us_as_its_party_is_refused(
    app, browser, devidp, monkeypatch
):
    """`azp` is ours but the audience is not: OpenID Connect Core 3.1.3.7 (3) still refuses."""
    state, nonce = _started(browser)
    claims = _claims(devidp, nonce, aud=["another-client"], azp="tetsuzuki-mynumber")
    _answer_with(monkeypatch, app, _sign(claims, devidp.key))
    _refused(app, browser, _callback(browser, devidp, state), "aud")


def test_an_expired_token_is_refused(app, browser, devidp, monkeypatch):
    state, nonce = _started(browser)
    now = int(time.time())
    forged = _sign(_claims(devidp, nonce, iat=now - 7200, exp=now - 3600), devidp.key)
    _answer_with(monkeypatch, app, forged)
    _refused(app, browser, _callback(browser, devidp, state), "expired")


def test_a_token_from_another_issuer_is_refused(app, browser, devidp, monkeypatch):
    state, nonce = _started(browser)
    forged = _sign(_claims(devidp, nonce, iss="https://idp.example.com"), devidp.key)
    _answer_with(monkeypatch, app, forged)
    _refused(app, browser, _callback(browser, devidp, state), "iss")


@pytest.mark.parametrize("alg", ["none", "HS256"])
def test_a_token_with_an_algorithm_the_provider_does_not_sign_with_is_refused(
    app, browser, devidp, monkeypatch, alg
):
    state, nonce = _started(browser)
    claims = _claims(devidp, nonce)
    if alg == "none":
        forged = _sign(claims, devidp.key).rsplit(".", 2)[1]
        forged = "eyJhbGciOiJub25lIn0." + forged + "."  # {"alg":"none"}, no signature
    else:  # signed with the client secret everyone with the client's settings knows
        forged = _sign(claims, OctKey.import_key("devidp-secret-for-the-tests"), alg="HS256")
    _answer_with(monkeypatch, app, forged)
    _refused(app, browser, _callback(browser, devidp, state), "id_token")


def test_a_replayed_token_of_an_earlier_sign_in_is_refused(app, browser, devidp, monkeypatch):
    """A real ID token the provider issued for an earlier sign-in, presented again in a new
    one: its nonce is the earlier sign-in's."""
    client = _client(app)
    fetch = client.fetch_access_token
    seen = []

    def keep(**kw):
        token = fetch(**kw)
        seen.append(token["id_token"])
        return token

    monkeypatch.setattr(client, "fetch_access_token", keep)
    browser.sign_in("resident-1")
    browser.client.post("/signout")
    with app.app_context():
        db.session.execute(ResidentEvent.__table__.delete())
        db.session.execute(Resident.__table__.delete())
        db.session.commit()

    state, _nonce = _started(browser)
    _answer_with(monkeypatch, app, seen[0])
    _refused(app, browser, _callback(browser, devidp, state), "nonce")
