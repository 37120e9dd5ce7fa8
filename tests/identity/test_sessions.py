"""The sign-in's state belongs to the browser that started it, works once, starts a new
session, and leaves no token in an address or a log line."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from app.extensions import db
from app.identity.models import ResidentEvent
from app.logs import ContextFilter
from tests.identity.conftest import Browser


def _reasons(app):
    with app.app_context():
        return [e.reason for e in db.session.scalars(select(ResidentEvent)) if e.reason]


def test_the_callback_works_once(app, browser):
    back = browser.login_at_provider(browser.start(), "resident-1")
    assert browser.callback(back).status_code == 302
    browser.client.post("/signout")
    again = browser.callback(back)
    assert again.status_code == 400
    assert browser.client.get("/mypage").status_code == 302
    assert _reasons(app) == ["state"]


def test_the_callback_in_another_browser_signs_nobody_in(app, browser, devidp):
    """A sign-in started in the victim's browser cannot be finished in the attacker's,
    and an attacker's own callback address planted in the victim's browser is refused
    (login CSRF): state is bound to the session that started it."""
    back = browser.login_at_provider(browser.start(), "resident-1")
    other = Browser(app.test_client(), devidp.issuer)
    r = other.callback(back)
    assert r.status_code == 400
    assert other.client.get("/mypage").status_code == 302


def test_sign_in_starts_a_new_session(app, browser):
    with browser.client.session_transaction() as s:
        s["drafts"] = {"planted": "token-of-someone-else"}
        s["verified"] = ["2026-PLANTED"]
        s["lang"] = "en"
    browser.sign_in("resident-1")
    with browser.client.session_transaction() as s:
        assert "drafts" not in s and "verified" not in s
        assert s["lang"] == "en"  # the language chosen is kept
        assert not any(k.startswith("_state_") for k in s)  # the sign-in's state is gone


def test_the_resident_returns_to_where_they_were(browser):
    r = browser.sign_in("resident-1", next_path="/apply/some-form")
    assert r.headers["Location"] == "/apply/some-form"


def test_no_return_to_another_site(browser):
    for target in (
        "https://evil.example/", "//evil.example/", "/\\evil.example", "/\t/evil.example",
        "/\n/evil.example", "/ /evil.example", "x" * 400, "/" + "x" * 400,
    ):  # fmt: skip
        r = browser.sign_in("resident-1", next_path=target)
        assert r.headers["Location"].endswith("/mypage"), target
        browser.client.post("/signout")


def test_cancelled_at_the_provider(app, browser):
    query = parse_qs(urlsplit(browser.start()).query)
    r = browser.client.get(
        "/signin/mynumber/callback",
        query_string={"error": "access_denied", "state": query["state"][0]},
    )
    assert r.status_code == 400
    assert "ログインを取り消しました" in r.get_data(as_text=True)
    assert _reasons(app) == ["cancelled"]


def test_no_token_and_no_code_in_the_logs(app, browser, caplog):
    caplog.set_level(logging.DEBUG)
    back = browser.login_at_provider(browser.start(), "resident-1")
    browser.callback(back)
    code = parse_qs(urlsplit(back).query)["code"][0]
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert code not in text
    assert "eyJ" not in text  # no JWT (ID token) of any kind
    assert "三重" not in text  # nor a claim


def test_unknown_provider_and_bad_addresses(client):
    assert client.post("/signin/nobody").status_code == 404
    assert client.get("/signin/nobody/callback?code=x&state=y").status_code == 404
    assert client.get("/signin?kind=alien").status_code == 200  # every kind is offered


def test_without_providers_there_is_no_sign_in(make_app):
    app = make_app()
    with app.app_context():
        db.create_all()
    c = app.test_client()
    assert c.get("/signin").status_code == 404
    assert "/signin" not in c.get("/").get_data(as_text=True)


def test_the_servers_request_lines_hold_no_code_or_state():
    """The dev server's and gunicorn's access lines carry the query: the callback's code
    and state are taken out (app/logs.py), whatever logger handler writes them."""
    line = '127.0.0.1 - - "GET /signin/mynumber/callback?code=SECRETCODE&state=SECRETSTATE&iss=x HTTP/1.1" 302 -'
    for name, msg, args in (
        ("werkzeug", '%s - - "%s" %s -', ("127.0.0.1", line.split('"')[1], "302")),
        ("gunicorn.access", "%s", (line,)),
    ):
        record = logging.LogRecord(name, logging.INFO, __file__, 1, msg, args, None)
        ContextFilter().filter(record)
        text = record.getMessage()
        assert "SECRETCODE" not in text and "SECRETSTATE" not in text, text
        assert "code=[redacted]" in text and "iss=x" in text


def test_a_provider_that_does_not_answer(make_app):
    """Its discovery document cannot be fetched: a 502 page, never a 500."""
    app = make_app(
        OIDC_PROVIDERS={
            "down": {
                "issuer": "http://127.0.0.1:9",
                "client_id": "c",
                "client_secret": "s",
                "kind": "individual",
            }  # fmt: skip
        }
    )
    with app.app_context():
        db.create_all()
    client = app.test_client()
    r = client.post("/signin/down")
    assert r.status_code == 502
    assert "ログインできませんでした" in r.get_data(as_text=True)
    r = client.get("/signin/down/callback?code=x&state=y")
    assert r.status_code == 502
    # its sign-in page still renders; its button may lead to the issuer's origin only
    policy = client.get("/signin").headers["Content-Security-Policy"]
    assert "form-action 'self' http://127.0.0.1:9;" in policy


def test_a_provider_whose_metadata_names_another_issuer(make_app, devidp):
    """OpenID Connect Discovery 4.3: the issuer in the metadata is exactly the configured
    one (here it lacks the configured trailing slash), else nobody is sent there."""
    spec = devidp.providers()["mynumber"] | {"issuer": devidp.issuer_of("mynumber") + "/"}
    app = make_app(OIDC_PROVIDERS={"mynumber": spec})
    with app.app_context():
        db.create_all()
    r = app.test_client().post("/signin/mynumber")
    assert r.status_code == 502
    assert _reasons(app) == ["metadata_issuer"]
