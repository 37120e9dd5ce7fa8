"""An Idempotency-Key answers only a retry of the request that made the submission.

Whoever else holds the key (a log line, a shared proxy, a guess) learns nothing: not the
receipt number, not the access code — whatever body they send with it — and a client that
reuses a key for another request is told to use a new one. Keys expire.
"""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.catalogue.services import import_catalogue
from app.clock import utcnow
from app.extensions import db
from app.submissions import versions
from app.submissions.models import Submission
from tests.submissions.conftest import FORM, png

API = "/api/v1/forms/test-permit/submissions"
OTHER_FORM = FORM.replace("id: test-permit", "id: other-permit")
ANSWERS = {
    "name": {"family": "山田", "given": "太郎", "family_kana": "ヤマダ", "given_kana": "タロウ"},
    "email": "taro@example.jp",
    "kind": "a",
}
KEY = {"Idempotency-Key": "9f2c6d1e-key-of-the-first-client"}


@pytest.fixture
def api(backend_app, worked_example, tmp_path):
    for name, text in (("test-permit", FORM), ("other-permit", OTHER_FORM)):
        (tmp_path / f"{name}.yaml").write_text(text, encoding="utf-8")
    with backend_app.app_context():
        assert import_catalogue(worked_example).ok
        assert not versions.load_forms([tmp_path / "test-permit.yaml"]).problems
        assert not versions.load_forms([tmp_path / "other-permit.yaml"]).problems
    backend_app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    return backend_app


def body(answers=None, **extra):
    return {"answers": ANSWERS if answers is None else answers, "declaration": True, **extra}


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Submission))


def test_the_first_client_retrying_gets_its_answer_again(api):
    client = api.test_client()
    first = client.post(API, json=body(), headers=KEY)
    again = client.post(API, json=body(), headers=KEY)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    # the same request laid out differently (key order, spacing) is the same request
    text = json.dumps({"declaration": True, "answers": dict(reversed(ANSWERS.items()))}, indent=2)
    third = client.post(API, data=text, content_type="application/json", headers=KEY)
    assert third.status_code == 201 and third.get_json() == first.get_json()
    assert count(api) == 1


ATTACKS = {
    "empty answers": {"json": body({})},
    "no answers at all": {"json": {}, "status": 400, "error": "bad_request"},
    "other answers": {"json": body({**ANSWERS, "email": "mallory@example.jp"})},
    "same answers, other language": {"json": body(lang="en")},
    "same answers, no declaration": {"json": {"answers": ANSWERS}},
    "same answers, another form": {
        "json": body(),
        "url": API.replace("test-permit", "other-permit"),
    },
    "same answers as multipart with a file": {
        "data": {"answers": json.dumps(ANSWERS), "declaration": "true"},
        "file": True,
    },
}


@pytest.mark.parametrize("attack", ATTACKS, ids=list(ATTACKS))
def test_anyone_else_with_the_key_learns_nothing(api, attack):
    client = api.test_client()
    first = client.post(API, json=body(), headers=KEY).get_json()
    spec = ATTACKS[attack]
    kw = {"headers": KEY}
    if "json" in spec:
        kw["json"] = spec["json"]
    else:
        data = dict(spec["data"])
        data["photo"] = (io.BytesIO(png()), "p.png")
        kw.update(data=data, content_type="multipart/form-data")
    r = client.post(spec.get("url", API), **kw)
    assert r.status_code == spec.get("status", 422)
    text = r.get_data(as_text=True)
    assert first["receipt_no"] not in text and first["access_code"] not in text
    assert r.get_json()["error"] == spec.get("error", "idempotency_key_reused")
    assert count(api) == 1


def test_a_key_that_has_expired_is_free_again(api):
    client = api.test_client()
    first = client.post(API, json=body(), headers=KEY).get_json()
    with api.app_context():
        db.session.execute(update(Submission).values(created_at=utcnow() - timedelta(hours=25)))
        db.session.commit()
    later = client.post(API, json=body({**ANSWERS, "kind": "a"}), headers=KEY)
    assert later.status_code == 201
    assert later.get_json()["receipt_no"] != first["receipt_no"]
    assert "Idempotent-Replayed" not in later.headers
    assert count(api) == 2


def test_an_invalid_request_does_not_use_up_the_key(api):
    client = api.test_client()
    bad = client.post(API, json=body({**ANSWERS, "email": "nope"}), headers=KEY)
    assert bad.status_code == 422 and "email" in bad.get_json()["errors"]
    good = client.post(API, json=body(), headers=KEY)
    assert good.status_code == 201


def test_the_key_is_never_a_way_to_the_status_or_the_receipt(api):
    client = api.test_client()
    made = client.post(API, json=body(), headers=KEY).get_json()
    for path in (
        f"/api/v1/submissions/{made['receipt_no']}",
        f"/api/v1/submissions/{made['receipt_no']}/receipt.pdf",
    ):
        r = client.get(path, headers={"X-Access-Code": KEY["Idempotency-Key"]})
        assert r.status_code == 404
