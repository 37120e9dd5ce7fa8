"""A client nobody here wrote: `openapi-python-client` generates one from /api/openapi.json,
and that client lists procedures, reads the KPI, submits a form, records a status and reads
every time back as an aware datetime (Japan time, +09:00), on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update

from app.api import tokens
from app.api.docs import standalone_document
from app.catalogue.services import import_catalogue
from app.extensions import db
from app.submissions import versions
from app.submissions.models import Submission, SubmissionEvent
from tests.submissions.conftest import FORM

PACKAGE = "tetsuzuki_generated_client"
STORED = datetime(2026, 12, 3, 6, 39, 5, 929147, tzinfo=UTC)
ANSWERS = {
    "name": {"family": "山田", "given": "太郎", "family_kana": "ヤマダ", "given_kana": "タロウ"},
    "email": "taro@example.jp",
    "kind": "a",
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The client package, generated from the document as a consumer would."""
    where = tmp_path_factory.mktemp("client")
    spec = where / "openapi.json"
    spec.write_text(json.dumps(standalone_document(), ensure_ascii=False), encoding="utf-8")
    tool = Path(sys.executable).with_name("openapi-python-client")
    done = subprocess.run(
        [str(tool), "generate", "--path", str(spec), "--output-path", str(where / PACKAGE),
         "--meta", "none"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    sys.path.insert(0, str(where))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(where))
        for name in [n for n in sys.modules if n.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def _module(name: str):
    return importlib.import_module(f"{PACKAGE}.{name}")


@pytest.fixture
def site(backend_app, worked_example, tmp_path):
    path = tmp_path / "test-permit.yaml"
    path.write_text(FORM, encoding="utf-8")
    with backend_app.app_context():
        assert import_catalogue(worked_example).ok
        assert not versions.load_forms([path]).problems
        _, plaintext = tokens.create_token("02", "県税システム", "test")
        db.session.commit()
    backend_app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    return backend_app, plaintext


def _client(generated, app, token: str | None = None):
    args = {"transport": httpx.WSGITransport(app=app)}
    if token:
        return generated.AuthenticatedClient(
            base_url="http://127.0.0.1", token=token, httpx_args=args
        )
    return generated.Client(base_url="http://127.0.0.1", httpx_args=args)


def _japan(at: datetime) -> datetime:
    assert isinstance(at, datetime) and at.tzinfo is not None, f"{at!r} has no zone"
    assert at.utcoffset() == timedelta(hours=9)
    return at


def test_a_generated_client_reads_and_writes(generated, site):
    app, token = site
    client = _client(generated, app)

    listed = _module("api.catalogue.list_procedures").sync(client=client)
    assert listed is not None and "C" in [p.code for p in listed.procedures]
    models = _module("models")
    kpi = _module("api.kpi.get_kpi").sync(client=client)
    assert isinstance(kpi, models.Kpi), kpi
    assert type(kpi.as_of) is date  # a day, read as a date

    body = models.SubmissionInput.from_dict({"answers": ANSWERS, "declaration": True})
    made = _module("api.submissions.submit_form").sync("test-permit", client=client, body=body)
    assert isinstance(made, models.SubmissionCreated), made
    with app.app_context():
        db.session.execute(update(Submission).values(created_at=STORED))
        db.session.execute(update(SubmissionEvent).values(at=STORED))
        db.session.commit()
    status = _module("api.submissions.get_submission").sync(
        made.receipt_no, client=client, x_access_code=made.access_code
    )
    assert isinstance(status, models.SubmissionStatus), status
    assert _japan(status.submitted_at) == STORED
    assert _japan(status.submitted_at).hour == 15  # the receipt's 15:39
    assert [_japan(e.at) for e in status.history] == [STORED]

    before = datetime.now(UTC)
    recorded = _module("api.departments.record_status").sync(
        "C",
        client=_client(generated, app, token),
        body=models.StatusInput.from_dict({"status": "online", "effective_date": "2024-04-01"}),
    )
    assert isinstance(recorded, models.StatusRecorded), recorded
    assert before - timedelta(seconds=1) <= _japan(recorded.recorded_at) <= datetime.now(UTC)
