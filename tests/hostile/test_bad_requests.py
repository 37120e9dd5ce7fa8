"""Every route against input it cannot use, on SQLite and on PostgreSQL: never a 500.

A table of the application's own routes (`url_map`), each requested with a NUL, a lone
surrogate (as a URL can carry it: %ED%A0%80; in JSON: "\\ud800"), huge integers, dates
no search can start or stop at and very long texts — in the path, in each query
parameter the route reads, in form fields and JSON bodies. The answer is a 4xx with a
message; the log says "bad input", without a stack trace and without the value.
"""

from __future__ import annotations

import json
import logging
import sys
from urllib.parse import quote

import pytest
from flask import Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

from app.api import tokens
from app.extensions import db
from app.staff import services as staff
from tests.hostile.conftest import FORM_ID, VALID

PASSWORD = "correct horse battery"

# --- which query parameters a route reads --------------------------------------------------

READ: set[str] = set()
EVERY = "*"  # the route reads all of them (a schema over the query)


def _caller_module() -> str:
    """The first module of the application on the stack above the parameters."""
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        if name.startswith("app."):
            return name
        frame = frame.f_back
    return ""


class RecordingArgs(ImmutableMultiDict):
    """Query parameters that note which of them the application asks for (the language
    links and the bad-input guard of app.web read them all on every page: not counted)."""

    def get(self, key, default=None, type=None):
        READ.add(key)
        return super().get(key, default, type)

    def __getitem__(self, key):
        READ.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        READ.add(key)
        return super().__contains__(key)

    def getlist(self, key, type=None):
        READ.add(key)
        return super().getlist(key, type)

    def items(self, multi=False):
        if _caller_module() != "app.web":
            READ.add(EVERY)
        return super().items(multi)


class RecordingRequest(Request):
    parameter_storage_class = RecordingArgs


# --- the site -----------------------------------------------------------------------------


@pytest.fixture
def site(hostile_backend_app, monkeypatch):
    """The hostile form's app with a submission, an admin and an API token."""
    from app.jobs import outbox

    app = hostile_backend_app
    monkeypatch.setattr(outbox, "dispatch", lambda ids: 0)  # no receipt PDF, no mail
    with app.app_context():
        staff.create_user("admin@example.jp", PASSWORD, "admin")
        _, token = tokens.create_token("01", "test")
        db.session.commit()
    anonymous = app.test_client()
    r = anonymous.post(f"/api/v1/forms/{FORM_ID}/submissions", json={"answers": VALID})
    assert r.status_code == 201, r.get_json()
    receipt = r.get_json()
    admin = app.test_client()
    assert (
        admin.post(
            "/staff/login", data={"email": "admin@example.jp", "password": PASSWORD}
        ).status_code
        == 302
    )
    app.request_class = RecordingRequest
    return app, anonymous, admin, receipt, token


GOOD_ARGS = {  # a value of each path argument that names something real
    "form_id": FORM_ID,
    "page_id": "person",
    "code": "A",
    "name": "procedures",
    "file_id": "0" * 32,
    "doc_id": "0" * 32,  # a document a resident kept (submissions/kept.py)
    "filename": "css/site.css",
    "job_id": 1,
    "token_id": 1,
    "user_id": 1,
    "number": 1,  # a revision of a submission
    "document_no": "1",  # a result document of a submission
    "token": "a-reset-link-token",  # /staff/reset/<token>: a link that was never made
    "ext": "pdf",
    "draft_id": 1,  # the form builder's drafts, their pages and questions
    "p": 0,
    "q": 0,
    "s": 0,  # a question inside a repeating group
    "version_id": 1,
    "_old": "ABCDE-FGHJK",  # an old resume link (the code is never read from the path)
}

BAD_TEXTS = [
    "a\x00b",
    "%ED%A0%80",  # a lone surrogate, as a URL can carry one
    "x" * 5000,
    "9" * 5000,  # more digits than int() takes
    "99999999999999999999",
    "-1",
    "9999-12-31",  # no day after it
    "0001-01-01",
]
BAD_INTEGERS = [2**31, 2**63, 10**30]
# query parameters read somewhere: every route that reads one is asked with each bad text
PARAMETERS = [
    "q", "department", "status", "since", "until", "form", "page", "per_page", "priority",
    "fy", "fiscal_year", "scope", "basis", "limit", "sort", "dir", "actor", "next", "lang",
    "from", "receipt_no",
]  # fmt: skip


def rules(app, method: str):
    return sorted(
        (r for r in app.url_map.iter_rules() if method in r.methods and r.endpoint != "static"),
        key=lambda r: r.rule,
    )


def arguments(rule) -> list[str]:
    """The arguments a rule takes from its path (not those it sets as defaults)."""
    return sorted(a for a in rule.arguments if a not in (rule.defaults or {}))


def url(app, rule, receipt) -> str:
    """The rule's path with arguments that name something real."""
    return raw_path(rule, receipt, "", "")


def raw_path(rule, receipt, name: str, text: str) -> str:
    """The rule's path with `text` percent-encoded as argument `name` (encoded as given
    for an escape such as %ED%A0%80)."""
    values = {**GOOD_ARGS, "receipt_no": receipt["receipt_no"]}
    path = rule.rule
    for arg in arguments(rule):
        converter = rule._converters[arg]
        placeholder = f"<{'int:' if isinstance(converter, IntegerConverter) else ''}{arg}>"
        placeholder = placeholder if placeholder in path else f"<path:{arg}>"
        given = text if arg == name else str(values[arg])
        encoded = given if given.startswith("%") else quote(given, safe="")
        path = path.replace(placeholder, encoded)
    return path


def assert_refused(response, where: str) -> None:
    if response.status_code == 503 and response.is_json and "schema" in response.get_json():
        return  # /healthz/ready on this test's database made without the migrations: true
    assert response.status_code < 500, (where, response.status_code, response.data[:300])


def client_for(rule, anonymous, admin):
    return admin if rule.rule.startswith("/staff") else anonymous


def test_every_route_with_bad_path_arguments(site, caplog):
    app, anonymous, admin, receipt, _ = site
    caplog.set_level(logging.INFO, logger=app.logger.name)
    tried = 0
    for method in ("GET", "POST"):
        for rule in rules(app, method):
            client = client_for(rule, anonymous, admin)
            for name in arguments(rule):
                if isinstance(rule._converters[name], IntegerConverter):
                    for n in BAD_INTEGERS:
                        path = raw_path(rule, receipt, name, str(n))
                        r = client.open(path, method=method)
                        assert r.status_code == 404, (path, r.status_code)
                        tried += 1
                    continue
                for text in BAD_TEXTS:
                    path = raw_path(rule, receipt, name, text)
                    r = client.open(path, method=method)
                    assert_refused(r, f"{method} {path[:80]}")
                    if "\x00" in text:
                        assert r.status_code == 404, path
                    tried += 1
    assert tried > 200
    assert "Traceback" not in caplog.text
    assert "bad input on GET /apply/a\\u0000b: NUL in the path" in caplog.text
    assert "\x00" not in caplog.text


def test_every_query_parameter_a_route_reads(site, caplog):
    app, anonymous, admin, receipt, _ = site
    caplog.set_level(logging.INFO, logger=app.logger.name)
    tried = set()
    for rule in rules(app, "GET"):
        client = client_for(rule, anonymous, admin)
        path = url(app, rule, receipt)
        READ.clear()
        assert_refused(client.get(path), path)
        read = set(PARAMETERS) if EVERY in READ else READ & set(PARAMETERS)
        if rule.rule != "/":
            read.discard("lang")  # read by every page to choose the language: tried once
        for name in sorted(read):
            for text in BAD_TEXTS:
                query = f"{name}={text if text.startswith('%') else quote(text)}"
                r = client.get(f"{path}?{query}")
                assert_refused(r, f"GET {path}?{query[:60]}")
                if "\x00" in text:
                    assert r.status_code == 400, (path, name)
                    if path.startswith("/api/"):
                        assert "U+0000" in r.get_json()["message"]
                    else:
                        assert "使えない文字（U+0000）" in r.get_data(as_text=True)
            tried.add(f"{rule.endpoint}:{name}")
    # the searches and filters of each face are among them
    for expected in (
        "catalogue.index:q",
        "staff.procedures:q",
        "staff.inbox:since",
        "staff.inbox:until",
        "staff.audit_log:actor",
        "api.list_procedures:page",
        "api.get_kpi:limit",
        "dashboard.dashboard:fy",
        "catalogue.index:lang",
    ):
        assert expected in tried
    assert "Traceback" not in caplog.text
    assert "bad input on GET /staff/procedures: NUL in query parameter q" in caplog.text


POST_FIELDS = [
    "email", "password", "receipt_no", "access_code", "code", "note", "status",
    "effective_date", "fiscal_year", "receipts", "online_receipts", "form", "message", "to",
    "name", "role", "department", "active", "action", "declaration",
]  # fmt: skip


def test_every_form_post_with_a_nul_in_a_field(site):
    app, anonymous, admin, receipt, _ = site
    for rule in rules(app, "POST"):
        client = client_for(rule, anonymous, admin)
        path = url(app, rule, receipt)
        for name in POST_FIELDS:
            r = client.post(path, data={name: "a\x00b"})
            assert_refused(r, f"POST {path} {name}")
            if not getattr(app.view_functions[rule.endpoint], "checks_own_text", False):
                # only the views that check their own fields take such a field at all
                assert r.status_code in (400, 401, 415), (path, name, r.status_code)


def test_every_json_post_with_a_lone_surrogate_or_nul(site):
    app, anonymous, admin, receipt, token = site
    headers = {"Authorization": f"Bearer {token}"}
    for rule in rules(app, "POST"):
        client = client_for(rule, anonymous, admin)
        path = url(app, rule, receipt)
        for text in ("\ud800", "\x00", "a\udfffb"):
            for body in (
                {"note": text, "status": "online", "effective_date": "2026-04-01"},
                {"answers": {**VALID, "email": text}},
                {text: 1},
            ):
                raw = json.dumps(body)  # the escapes "\ud800", "\u0000"
                r = client.post(path, data=raw, content_type="application/json", headers=headers)
                assert_refused(r, f"POST {path} {raw[:60]}")
                assert r.status_code != 201, (path, raw)


def test_an_api_write_names_the_field_with_the_character(site):
    app, anonymous, _, _, token = site
    body = '{"status": "online", "effective_date": "2026-04-01", "note": "\\ud800"}'
    r = anonymous.post(
        "/api/v1/procedures/A/statuses",
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 422
    assert r.get_json() == {
        "error": "invalid",
        "message": "入力内容に誤りがあります / invalid request",
        "errors": {
            "note": [
                "使えない文字（U+D800）が含まれています。"
                " / Contains a character that cannot be used (U+D800)."
            ]
        },
    }
