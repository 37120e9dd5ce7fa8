"""Every time the API writes carries its offset (Japan time, +09:00), on SQLite (which gives
stored times back without a zone) and on PostgreSQL alike; the document says date-time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from app.api import tokens
from app.catalogue.services import import_catalogue
from app.extensions import db
from app.submissions import versions
from app.submissions.models import Submission, SubmissionEvent
from tests.submissions.conftest import FORM

from .conftest import bearer

STORED = datetime(2026, 12, 3, 6, 39, 5, 929147, tzinfo=UTC)
ANSWERS = {
    "name": {"family": "山田", "given": "太郎", "family_kana": "ヤマダ", "given_kana": "タロウ"},
    "email": "taro@example.jp",
    "kind": "a",
}


@pytest.fixture
def times_app(backend_app, worked_example, tmp_path):
    path = tmp_path / "test-permit.yaml"
    path.write_text(FORM, encoding="utf-8")
    with backend_app.app_context():
        assert import_catalogue(worked_example).ok
        assert not versions.load_forms([path]).problems
    backend_app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    return backend_app


def aware(text: str) -> datetime:
    at = datetime.fromisoformat(text)
    assert at.tzinfo is not None, f"{text} has no offset"
    assert at.utcoffset() == timedelta(hours=9), f"{text} is not in Japan time"
    return at


def test_a_submissions_times_have_their_offset(times_app):
    client = times_app.test_client()
    made = client.post(
        "/api/v1/forms/test-permit/submissions", json={"answers": ANSWERS, "declaration": True}
    )
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    with times_app.app_context():
        db.session.execute(update(Submission).values(created_at=STORED))
        db.session.execute(update(SubmissionEvent).values(at=STORED))
        db.session.commit()
    r = client.get(
        f"/api/v1/submissions/{body['receipt_no']}", headers={"X-Access-Code": body["access_code"]}
    )
    assert r.status_code == 200
    got = r.get_json()
    assert got["submitted_at"] == "2026-12-03T15:39:05.929147+09:00"  # the receipt's 15:39
    assert aware(got["submitted_at"]) == STORED
    assert [aware(e["at"]) for e in got["history"]] == [STORED]
    assert list(got) == [
        "receipt_no", "form", "form_version", "status", "submitted_at", "history"
    ]  # fmt: skip


def test_recorded_at_has_its_offset(times_app):
    client = times_app.test_client()
    with times_app.app_context():
        _, plaintext = tokens.create_token("02", "県税システム", "test")
        db.session.commit()
    before = datetime.now(UTC)
    status = client.post(
        "/api/v1/procedures/C/statuses",
        json={"status": "online", "effective_date": "2024-04-01"},
        headers=bearer(plaintext),
    )
    volume = client.post(
        "/api/v1/procedures/C/volumes",
        json={"fiscal_year": 2024, "receipts": 24000},
        headers=bearer(plaintext),
    )
    assert status.status_code == volume.status_code == 201
    for r in (status, volume):
        at = aware(r.get_json()["recorded_at"])
        assert before - timedelta(seconds=1) <= at <= datetime.now(UTC)


def test_the_document_says_date_time_for_every_time(client):
    schemas = client.get("/api/openapi.json").get_json()["components"]["schemas"]
    times = {
        (name, field): prop.get("format")
        for name, schema in schemas.items()
        for field, prop in schema.get("properties", {}).items()
        if field == "at" or field.endswith("_at")
    }
    assert times == {
        ("StatusRecorded", "recorded_at"): "date-time",
        ("VolumeRecorded", "recorded_at"): "date-time",
        ("SubmissionEvent", "at"): "date-time",
        ("SubmissionStatus", "submitted_at"): "date-time",
    }
