"""Sign-in and sign-out against the local OpenID Connect provider, over HTTP."""

from __future__ import annotations

from joserfc.jwk import RSAKey
from sqlalchemy import select

from app.extensions import db
from app.identity import oidc
from app.identity.models import Resident, ResidentEvent


def _events(app):
    with app.app_context():
        return [
            (e.action, e.provider, e.reason)
            for e in db.session.scalars(select(ResidentEvent).order_by(ResidentEvent.id))
        ]


def test_a_resident_signs_in_and_finds_the_card_s_facts(app, browser):
    r = browser.sign_in("resident-1")
    assert r.headers["Location"].endswith("/mypage")
    page = browser.client.get("/mypage")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "三重" in html and "ミエ" in html and "1985-04-01" in html and "津市" in html
    assert "開発用ログイン" in html
    with app.app_context():
        resident = db.session.scalar(select(Resident))
        assert (resident.subject, resident.kind, resident.provider) == (
            "resident-1", "individual", "mynumber",
        )  # fmt: skip
        assert resident.profile["name"] == {
            "family": "三重", "given": "太郎", "family_kana": "ミエ", "given_kana": "タロウ",
        }  # fmt: skip
        assert resident.profile["address"] == {
            "postal_code": "5148570", "prefecture": "三重県", "city": "津市",
            "street": "広明町13番地",
        }  # fmt: skip
    assert _events(app) == [("signin", "mynumber", None)]


def test_sign_out_ends_the_session_here_and_at_the_provider(app, browser):
    browser.sign_in("resident-1")
    copied = browser.client.get_cookie("session").value
    r = browser.client.post("/signout")
    assert r.status_code == 302
    end = r.headers["Location"]
    assert end.startswith(browser.issuer + "/mynumber/session/end")
    assert "id_token" not in end and "client_id=tetsuzuki-mynumber" in end
    # the provider asks, the browser confirms, and comes back to the app's page
    page = browser.idp.get(end, timeout=10)
    xsrf = page.text.split('name="xsrf" value="')[1].split('"')[0]
    action = page.text.split('<form id="op.logoutForm" method="post" action="')[1].split('"')[0]
    done = browser.idp.post(
        action if action.startswith("http") else browser.issuer + action,
        data={"xsrf": xsrf, "logout": "yes"}, timeout=10, allow_redirects=False,
    )  # fmt: skip
    assert done.headers["Location"].startswith("http://127.0.0.1:5000/signout/done")
    assert browser.client.get("/signout/done").status_code == 200
    assert browser.client.get("/mypage").status_code == 302  # signed out
    # a copy of the cookie from before sign-out no longer signs anyone in
    browser.client.set_cookie("session", copied)
    assert browser.client.get("/mypage").status_code == 302
    assert [e[0] for e in _events(app)] == ["signin", "signout"]


def test_signing_in_again_finds_the_same_account(app, browser, devidp):
    browser.sign_in("resident-1")
    browser.client.post("/signout")
    browser.sign_in("resident-1")
    with app.app_context():
        assert db.session.query(Resident).count() == 1


def test_a_business_signs_in_with_its_corporate_facts(app, browser):
    browser.sign_in("business-1", provider="gbiz")
    html = browser.client.get("/mypage").get_data(as_text=True)
    assert "株式会社鈴鹿テスト" in html and "1234567890123" in html
    with app.app_context():
        resident = db.session.scalar(select(Resident))
        assert resident.kind == "business"
        assert resident.profile["corporate_number"] == "1234567890123"
        assert resident.profile["representative_name"] == "鈴鹿 一郎"


def test_the_provider_s_keys_are_cached_and_fetched_again_for_a_new_key(app, browser):
    """After a rotation the cached key set lacks the key a token names: it is fetched
    again once, and the sign-in works."""
    browser.sign_in("resident-1")  # the keys are fetched and cached
    with app.test_request_context():
        client = oidc.client(oidc.provider("mynumber"))
    assert client.server_metadata["jwks"]["keys"][0]["kid"] == "devidp-test"
    old = RSAKey.generate_key(2048, parameters={"kid": "retired"}, private=True)
    client.server_metadata["jwks"] = {"keys": [old.as_dict(private=False)]}
    browser.sign_out()
    r = browser.sign_in("resident-1")
    assert r.headers["Location"].endswith("/mypage")
    assert client.server_metadata["jwks"]["keys"][0]["kid"] == "devidp-test"  # fetched again


def _form_action(response) -> list[str]:
    policy = response.headers["Content-Security-Policy"]
    (directive,) = [d.split()[1:] for d in policy.split(";") if d.split()[:1] == ["form-action"]]
    return directive


def test_the_sign_in_and_sign_out_buttons_may_lead_to_the_provider(app, browser, devidp):
    """A browser applies the page's form-action to the redirects of a form's answer: with
    'self' alone, the sign-in button's answer (a redirect to the provider) was blocked and
    nobody could sign in in a real browser; so was sign-out's (RP-initiated logout)."""
    assert _form_action(browser.client.get("/signin")) == ["'self'", devidp.issuer]
    assert _form_action(browser.client.get("/signin?kind=business")) == [
        "'self'",
        devidp.issuer,
    ]
    browser.sign_in("resident-1")
    assert _form_action(browser.client.get("/mypage")) == ["'self'", devidp.issuer]
    assert _form_action(browser.client.get("/")) == ["'self'"]  # every other page: ours only


def test_only_an_origin_goes_into_the_policy():
    assert oidc.origin("https://IdP.example.jp/auth?x=1") == "https://idp.example.jp"
    assert oidc.origin("http://127.0.0.1:5556/mynumber/auth") == "http://127.0.0.1:5556"
    assert oidc.origin("https://[2001:db8::1]:8443/auth") == "https://[2001:db8::1]:8443"
    for bad in (
        "javascript:alert(1)",
        "https://idp.example.jp;script-src*/auth",
        "https://a b/",
        "https://idp.example.jp:99999/",
        "data:text/html,x",
        "",
    ):
        assert oidc.origin(bad) is None, bad
