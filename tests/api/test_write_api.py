"""Departmental systems record statuses and volumes with a token of their own department."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.api import tokens
from app.catalogue.models import StatusChange, VolumeRecord
from app.extensions import db

from .conftest import bearer

STATUS_URL = "/api/v1/procedures/{code}/statuses"
VOLUMES = "/api/v1/procedures/{code}/volumes"
GOOD_STATUS = {"status": "online", "effective_date": "2024-04-01", "note": "電子申請を開始"}


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic dXNlcjpwYXNz"},
     {"Authorization": "Bearer"}],
)  # fmt: skip
def test_401_without_a_good_token(api, api_app, headers):
    before = count(api_app, StatusChange)
    r = api.post(STATUS_URL.format(code="C"), json=GOOD_STATUS, headers=headers)
    assert r.status_code == 401 and r.is_json
    assert r.get_json()["error"] in ("unauthorized", "invalid_token")
    assert " / " in r.get_json()["message"]
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert count(api_app, StatusChange) == before


def test_a_revoked_token_is_refused(api, api_app, make_token):
    plaintext = make_token("02")
    with api_app.app_context():
        tokens.revoke_token(tokens.authenticate(plaintext).id)
        db.session.commit()
    r = api.post(STATUS_URL.format(code="C"), json=GOOD_STATUS, headers=bearer(plaintext))
    assert r.status_code == 401


def test_403_for_another_departments_procedure(api, api_app, make_token):
    before = count(api_app, StatusChange), count(api_app, VolumeRecord)
    other = bearer(make_token("01"))
    r = api.post(STATUS_URL.format(code="C"), json=GOOD_STATUS, headers=other)  # C belongs to 02
    assert r.status_code == 403 and r.get_json()["error"] == "forbidden"
    v = api.post(VOLUMES.format(code="C"), json={"fiscal_year": 2024, "receipts": 1}, headers=other)
    assert v.status_code == 403
    assert (count(api_app, StatusChange), count(api_app, VolumeRecord)) == before
    assert (
        api.post(STATUS_URL.format(code="ZZ"), json=GOOD_STATUS, headers=other).status_code == 404
    )


def test_record_status_appends_and_changes_what_everyone_reads(
    api, api_app, make_token, monkeypatch
):
    monkeypatch.setattr("app.api.services.today", lambda: date(2024, 6, 1))
    monkeypatch.setattr("app.api.views.today", lambda: date(2024, 6, 1))
    auth = bearer(make_token("02", "県税システム"))
    before = count(api_app, StatusChange)
    r = api.post(STATUS_URL.format(code="C"), json=GOOD_STATUS, headers=auth)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["procedure"] == "C" and body["status"] == "online"
    assert body["effective_date"] == "2024-04-01" and body["note"] == "電子申請を開始"
    assert body["current_status"] == "online" and body["recorded_at"]
    assert r.headers["Location"].endswith("/api/v1/procedures/C")
    # the same again is a second row: the history is append-only
    assert api.post(STATUS_URL.format(code="C"), json=GOOD_STATUS, headers=auth).status_code == 201
    assert count(api_app, StatusChange) == before + 2
    with api_app.app_context():
        row = db.session.scalars(select(StatusChange).order_by(StatusChange.id.desc())).first()
        assert row.recorded_by.startswith("api-token:") and "県税システム" in row.recorded_by
        assert tokens.list_tokens("02")[0].last_used_at is not None
    detail = api.get("/api/v1/procedures/C").get_json()
    assert detail["status"] == "online" and detail["status_history"][-1]["note"] == "電子申請を開始"
    # the KPI counts it: all three priority procedures are online in FY2024
    monkeypatch.setattr("app.dashboard.services.today", lambda: date(2024, 6, 1))
    kpi = api.get("/api/v1/kpi?fiscal_year=2024").get_json()
    assert kpi["count"] == {"digitized": 3, "total": 3, "rate": 1.0}


def test_a_future_status_is_recorded_but_not_current_yet(api, make_token, monkeypatch):
    monkeypatch.setattr("app.api.services.today", lambda: date(2024, 6, 1))
    auth = bearer(make_token("02"))
    r = api.post(
        STATUS_URL.format(code="C"),
        json={"status": "end_to_end", "effective_date": "2025-04-01"},
        headers=auth,
    )
    assert r.status_code == 201
    assert r.get_json()["note"] is None and r.get_json()["current_status"] == "partial"


def test_excluded_needs_a_reason(api, make_token):
    auth = bearer(make_token("02"))
    r = api.post(
        STATUS_URL.format(code="C"),
        json={"status": "excluded", "effective_date": "2024-04-01"},
        headers=auth,
    )
    assert r.status_code == 422
    assert r.get_json()["errors"] == {
        "note": [
            "対象外（excluded）には理由が必要です（メモ、または手続の対象外理由）"
            " / excluded needs a reason: a note, or the procedure's exclusion_reason"
        ]
    }
    ok = api.post(
        STATUS_URL.format(code="C"),
        json={"status": "excluded", "effective_date": "2024-04-01", "note": "法令で対面が必要"},
        headers=auth,
    )
    assert ok.status_code == 201


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, {"status", "effective_date"}),
        ({"status": "done", "effective_date": "2024-04-01"}, {"status"}),
        ({"status": "online", "effective_date": "2024/04/01"}, {"effective_date"}),
        ({"status": "online", "effective_date": "0999-04-01"}, {"effective_date"}),
        ({**GOOD_STATUS, "by": "me"}, {"by"}),
        ({**GOOD_STATUS, "note": 5}, {"note"}),
        ({**GOOD_STATUS, "note": "x" * 2001}, {"note"}),
    ],
)
def test_status_validation_is_422_per_field(api, make_token, payload, fields):
    r = api.post(STATUS_URL.format(code="C"), json=payload, headers=bearer(make_token("02")))
    assert r.status_code == 422
    body = r.get_json()
    assert body["error"] == "invalid" and " / " in body["message"]
    assert set(body["errors"]) == fields
    assert all(" / " in m for msgs in body["errors"].values() for m in msgs)


def test_bodies_that_are_not_json_objects(api, make_token):
    auth = bearer(make_token("02"))
    url = STATUS_URL.format(code="C")
    assert api.post(url, data="status=online", headers=auth).status_code == 415
    r = api.post(url, data="[1]", content_type="application/json", headers=auth)
    assert r.status_code == 400 and r.get_json()["error"] == "bad_request"
    assert api.post(url, data="{", content_type="application/json", headers=auth).status_code == 400


def test_record_volume_becomes_the_current_value(api, api_app, make_token):
    auth = bearer(make_token("02"))
    r = api.post(
        VOLUMES.format(code="C"),
        json={"fiscal_year": 2023, "receipts": 26000, "online_receipts": 1200},
        headers=auth,
    )
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert (body["procedure"], body["fiscal_year"], body["receipts"], body["online_receipts"]) == (
        "C", 2023, 26000, 1200
    )  # fmt: skip
    volumes = api.get("/api/v1/procedures/C").get_json()["volumes"]
    assert {"fiscal_year": 2023, "receipts": 26000, "online_receipts": 1200} in volumes
    listed = {p["code"]: p for p in api.get("/api/v1/procedures").get_json()["procedures"]}
    assert listed["C"]["volumes"][-1]["receipts"] == 26000
    assert api.get("/api/v1/kpi?fiscal_year=2023").get_json()["weighted"]["denominator"] == 96000
    with api_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(VolumeRecord)) == 7
    without_online = api.post(
        VOLUMES.format(code="C"), json={"fiscal_year": 2024, "receipts": 25000}, headers=auth
    )
    assert (
        without_online.status_code == 201 and without_online.get_json()["online_receipts"] is None
    )


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, {"fiscal_year", "receipts"}),
        ({"fiscal_year": "2023", "receipts": 1}, {"fiscal_year"}),
        ({"fiscal_year": 2023, "receipts": -1}, {"receipts"}),
        ({"fiscal_year": 2023, "receipts": True}, {"receipts"}),
        ({"fiscal_year": 2023, "receipts": 1.5}, {"receipts"}),
        ({"fiscal_year": 2023, "receipts": 3_000_000_000}, {"receipts"}),
        (
            {"fiscal_year": 1899, "receipts": 1, "online_receipts": -2},
            {"fiscal_year", "online_receipts"},
        ),
    ],
)
def test_volume_validation_is_422_per_field(api, make_token, payload, fields):
    r = api.post(VOLUMES.format(code="C"), json=payload, headers=bearer(make_token("02")))
    assert r.status_code == 422
    assert set(r.get_json()["errors"]) == fields
