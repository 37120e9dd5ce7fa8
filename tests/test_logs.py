"""Logs: one JSON line per record with the request's id, which follows the request into
its jobs; and nothing a resident typed in any line of a whole journey (web and API
submissions, a refused page, the receipt, the mails, a member of staff processing it)."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest

from app import logs
from app.extensions import db
from app.staff import services as staff
from tests.submissions.conftest import form_app, png, resident  # noqa: F401 - fixtures

ANSWERS = {
    "name-family": "鳥羽",
    "name-given": "真珠美",
    "name-family_kana": "とば",
    "name-given_kana": "しんじゅみ",
    "email": "shinjumi.toba@example.jp",
    "kind": "b",
    "reason": "真珠の養殖を広げるため",
}
SECRETS = ("鳥羽", "真珠美", "とば", "トバ", "しんじゅみ", "シンジュミ", "shinjumi", "真珠の養殖")


@pytest.fixture
def captured():
    """Every record at INFO and above (production's level), as the JSON lines it makes."""
    out = io.StringIO()
    handler = logs.handler(out, "json")
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield out
    root.removeHandler(handler)
    root.setLevel(level)


def test_a_whole_journey_logs_nothing_a_resident_typed(resident, form_app, captured):  # noqa: F811
    with form_app.app_context():
        staff.create_user(
            "d01@example.jp", "correct horse battery", "department", department_code="01"
        )
        db.session.commit()
    resident.start()
    refused = resident.page("applicant", {**ANSWERS, "email": "shinjumi.toba@@example"})
    assert refused.status_code == 422  # a refused page (its answers are echoed back, not logged)
    resident.page("applicant", ANSWERS)
    resident.page("more", {"count": "3"})
    resident.page("docs", {"photo": (io.BytesIO(png()), "鳥羽真珠美.png")})
    done = resident.post("/apply/test-permit/submit", {"declaration": "y"})
    assert done.status_code == 200
    receipt_no = done.request.path.rstrip("/").split("/")[-1]
    assert resident.get(done.request.path + "/receipt.pdf").data.startswith(b"%PDF")

    api = form_app.test_client().post(
        "/api/v1/forms/test-permit/submissions",
        json={
            "answers": {
                "name": {
                    "family": "鳥羽",
                    "given": "真珠美",
                    "family_kana": "トバ",
                    "given_kana": "シンジュミ",
                },
                "email": "shinjumi.toba@example.jp",
                "kind": "b",
                "reason": "真珠の養殖を広げるため",
                "count": 3,
            },
            "declaration": True,
        },
        headers={"X-Request-ID": "from-the-proxy-1"},
    )
    assert api.status_code == 201, api.get_json()
    assert api.headers["X-Request-ID"] == "from-the-proxy-1"
    api.close()  # its jobs run once the answer is closed

    clerk = form_app.test_client()
    clerk.post(
        "/staff/login", data={"email": "d01@example.jp", "password": "correct horse battery"}
    )
    for r in (api.get_json()["receipt_no"], receipt_no):
        assert clerk.get(f"/staff/submissions/{r}").status_code == 200
        clerk.post(f"/staff/submissions/{r}/status", data={"to": "in_review"})
        clerk.post(f"/staff/submissions/{r}/status", data={"to": "approved", "message": ""})

    lines = captured.getvalue().splitlines()
    assert lines, "the journey logged nothing at all"
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    for record in records:
        assert {"time", "level", "logger", "message", "component", "request_id"} <= set(record)
    text = captured.getvalue()
    leaked = [s for s in SECRETS if s in text]
    assert leaked == [], [line for line in lines if any(s in line for s in leaked)]
    # the API request's id is on the lines of the jobs it set off
    jobs = [r for r in records if r.get("job") and r["request_id"] == "from-the-proxy-1"]
    assert jobs, records


def test_every_answer_carries_a_request_id(client):
    first, second = client.get("/"), client.get("/")
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]
    # a proxy's id is kept when it is sane, replaced when it is not
    assert client.get("/", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    odd = client.get("/", headers={"X-Request-ID": "x" * 65}).headers["X-Request-ID"]
    assert odd != "x" * 65 and len(odd) == 16


def test_the_text_format_for_development():
    out = io.StringIO()
    log = logging.getLogger("tests.text")
    log.addHandler(logs.handler(out, "text"))
    log.propagate = False
    log.warning("hello")
    assert re.search(r" WARNING \[(web|worker|cli) None\] tests\.text: hello$", out.getvalue())


def test_error_reports_go_to_sentry_without_personal_data(make_app):
    pytest.importorskip("sentry_sdk", reason="the optional `sentry` extra")
    from sentry_sdk.client import _get_options  # noqa: PLC0415 - the SDK's own resolution

    app = make_app()  # no SENTRY_DSN: nothing is reported
    assert logs.report_errors(app) is False
    app.config["SENTRY_DSN"] = "https://public@o0.ingest.sentry.invalid/1"
    options = _get_options(**logs.sentry_options(app))  # as sentry_sdk.init resolves them
    assert not options["send_default_pii"]
    assert options["max_request_body_size"] == "never"  # answers are in the bodies
    assert options["release"].startswith("tetsuzuki@")
    resolved = options.get("data_collection")  # newer SDKs resolve what is collected
    if resolved is not None:
        assert resolved["user_info"] is False and resolved["http_bodies"] == []
        assert resolved["stack_frame_variables"] is False
