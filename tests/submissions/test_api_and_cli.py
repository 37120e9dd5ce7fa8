"""The JSON API gives the same verdict and stores the same data as the pages; forms CLI."""

from __future__ import annotations

import io
import json
import re
import time

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.submissions.models import Submission
from tests.conftest import ROOT

from .conftest import FORM, GOOD, PDF, RECEIPT, Resident, png

API = "/api/v1/forms/test-permit/submissions"
ANSWERS = {
    "name": {"family": "山田", "given": "太郎", "family_kana": "やまだ", "given_kana": "ﾀﾛｳ"},
    "email": "taro@example.jp",
    "kind": "b",
    "reason": "事業のため",
    "count": "３",
}


def post(client, answers, **kw):
    return client.post(API, json={"answers": answers, "lang": "ja", "declaration": True}, **kw)


def test_201_with_receipt_and_status_lookup(form_app):
    client = form_app.test_client()
    r = post(client, ANSWERS)
    assert r.status_code == 201
    body = r.get_json()
    assert (
        RECEIPT.match(body["receipt_no"])
        and body["status"] == "received"
        and body["form_version"] == 1
    )
    got = client.get(
        f"/api/v1/submissions/{body['receipt_no']}", headers={"X-Access-Code": body["access_code"]}
    )
    assert got.status_code == 200
    assert got.get_json()["status"] == "received"
    assert got.get_json()["history"][0]["status"] == "received"
    wrong = client.get(
        f"/api/v1/submissions/{body['receipt_no']}", headers={"X-Access-Code": "WRONG234"}
    )
    unknown = client.get(
        "/api/v1/submissions/2026-ZZZZZZZZ", headers={"X-Access-Code": body["access_code"]}
    )
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.get_json() == unknown.get_json()


def test_same_idempotency_key_gives_the_same_answer_and_one_row(form_app):
    client = form_app.test_client()
    first = post(client, ANSWERS, headers={"Idempotency-Key": "abc-123"})
    again = post(client, ANSWERS, headers={"Idempotency-Key": "abc-123"})
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    other = post(client, ANSWERS, headers={"Idempotency-Key": "abc-124"})
    assert other.get_json()["receipt_no"] != first.get_json()["receipt_no"]
    with form_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 2


def test_the_api_asks_for_the_declaration_as_the_pages_do_and_records_it(form_app):
    client = form_app.test_client()
    for body in (
        {"answers": ANSWERS},
        {"answers": ANSWERS, "declaration": False},
        {"answers": ANSWERS, "declaration": "yes"},  # only JSON true confirms
        {"answers": {**ANSWERS, "declaration": True}},  # not an answer: a field id it is not
    ):
        r = client.post(API, json=body)
        assert r.status_code == 422, body
        errors = r.get_json()["errors"]["declaration"]
        assert "申請内容を確認し、宣誓欄にチェックを入れてください。" in errors
    r = client.post(API, json={"answers": ANSWERS, "lang": "en"})
    assert r.get_json()["errors"]["declaration"] == [
        "Check your answers, then tick the box to confirm the declaration."
    ]
    data = {"answers": json.dumps({**ANSWERS, "kind": "a"}), "photo": (io.BytesIO(png()), "p.png")}
    r = client.post(API, data=data, content_type="multipart/form-data")
    assert r.status_code == 422 and "declaration" in r.get_json()["errors"]
    with form_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 0
    assert post(client, ANSWERS).status_code == 201
    with form_app.app_context():
        declared = db.session.scalar(select(Submission.declared_at))
    assert declared is not None
    spec = client.get("/api/openapi.json").get_json()
    schema = spec["components"]["schemas"]["SubmissionInput"]["properties"]
    assert schema["declaration"]["type"] == "boolean"


def test_the_pages_record_when_the_declaration_was_confirmed(resident, form_app):
    resident.start()
    resident.page("applicant", GOOD)
    resident.page("more", {"count": "３"})
    resident.page("docs", {})
    refused = resident.post("/apply/test-permit/submit", {})
    assert refused.status_code == 422
    assert "申請内容を確認し、宣誓欄にチェックを入れてください。" in refused.get_data(as_text=True)
    resident.post("/apply/test-permit/submit", {"declaration": "y"})
    with form_app.app_context():
        rows = db.session.execute(select(Submission.channel, Submission.declared_at)).all()
    assert len(rows) == 1 and rows[0].channel == "web" and rows[0].declared_at is not None


def test_422_names_each_field_unknown_fields_are_errors_hidden_ones_dropped(form_app):
    client = form_app.test_client()
    r = post(client, {**ANSWERS, "email": "nope", "colour": "blue", "count": 99})
    assert r.status_code == 422
    errors = r.get_json()["errors"]
    assert set(errors) == {"email", "colour", "count"}
    assert errors["colour"] == ["この様式にない項目です。"]
    r = post(client, {**ANSWERS, "kind": "a"})  # reason and count are now hidden: dropped
    assert r.status_code == 201
    with form_app.app_context():
        stored = db.session.scalar(select(Submission.answers))
    assert "reason" not in stored and "count" not in stored


@pytest.mark.parametrize("body", ["not json", "[1, 2]"])
def test_bad_bodies_are_json_errors(form_app, body):
    client = form_app.test_client()
    r = client.post(API, data=body, content_type="application/json")
    assert r.status_code == 400 and r.is_json
    r = client.post(API, data="x=1", content_type="text/plain")
    assert r.status_code == 415 and r.get_json()["error"] == "unsupported_media_type"
    assert client.post("/api/v1/forms/nope/submissions", json={"answers": {}}).status_code == 404


def test_multipart_with_a_file_checked_by_content(form_app):
    client = form_app.test_client()
    data = {
        "answers": json.dumps({**ANSWERS, "kind": "a"}),
        "declaration": "true",
        "photo": (io.BytesIO(PDF), "photo.png"),
    }
    r = client.post(API, data=data, content_type="multipart/form-data")
    assert r.status_code == 422 and "photo" in r.get_json()["errors"]
    data = {
        "answers": json.dumps({**ANSWERS, "kind": "a"}),
        "declaration": "true",
        "photo": (io.BytesIO(png()), "photo.png"),
    }
    r = client.post(API, data=data, content_type="multipart/form-data")
    assert r.status_code == 201, r.get_json()
    with form_app.app_context():
        stored = db.session.scalar(select(Submission.answers))
    assert stored["photo"]["name"] == "photo.png" and stored["photo"]["type"] == "image/png"


def test_the_pages_and_the_api_give_the_same_verdict_and_the_same_data(form_app):
    """Identical answers through both paths: the same errors, then the same stored answers."""
    bad_api = post(
        form_app.test_client(), {**ANSWERS, "email": "taro@@example", "reason": ""}
    ).get_json()["errors"]
    resident = Resident(form_app)
    resident.start()
    html = resident.page("applicant", {**GOOD, "email": "taro@@example", "reason": ""}).get_data(
        as_text=True
    )
    for field, messages in bad_api.items():
        for m in messages:
            assert m in html, (field, m)
    assert post(form_app.test_client(), ANSWERS).status_code == 201
    resident.page("applicant", GOOD)
    resident.page("more", {"count": "３"})
    resident.page("docs", {})
    resident.post("/apply/test-permit/submit", {"declaration": "y"})
    with form_app.app_context():
        api, web = db.session.scalars(select(Submission.answers).order_by(Submission.id)).all()
    assert api == web


def test_a_submission_takes_at_most_ten_statements(form_app, count_statements):
    client = form_app.test_client()
    post(client, ANSWERS)  # warm: the form version is parsed once per process
    with form_app.app_context(), count_statements() as statements:
        assert post(client, ANSWERS, headers={"Idempotency-Key": "k-1"}).status_code == 201
    writes = [s for s in statements if not s.lstrip().upper().startswith(("SAVEPOINT", "RELEASE"))]
    assert len(writes) <= 10, writes
    assert any("INSERT INTO submissions" in s for s in writes), writes  # all of them counted


# --- flask forms check | load ------------------------------------------------------------------


def cli(app, *args):
    return app.test_cli_runner().invoke(args=["forms", *map(str, args)])


def test_shipped_forms_check_and_load_once(app):
    from app.catalogue.services import import_catalogue

    with app.app_context():
        assert import_catalogue(ROOT / "procedures").ok
    r = cli(app, "check")
    assert r.exit_code == 0, r.output
    first = cli(app, "load")
    assert first.exit_code == 0 and first.output.count("登録しました") == 6
    again = cli(app, "load")
    assert again.exit_code == 0 and again.output.count("変更なし") == 6


def test_check_reports_every_problem_with_line_and_exits_1(form_app, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        FORM.replace("id: test-permit", "id: bad-form")
        .replace("procedure: A", "procedure: ZZZ")
        .replace("type: radio", "type: radios")
        .replace("label: {ja: 人数", "lable: {ja: 人数"),
        encoding="utf-8",
    )
    r = cli(form_app, "check", bad)
    assert r.exit_code == 1
    lines = [line for line in r.output.splitlines() if line.startswith(str(bad))]
    assert re.search(r"bad\.yaml:3: .*ZZZ", r.output)
    assert any(":15:" in line and "radios" in line and "radio'?" in line for line in lines), (
        r.output
    )
    assert any(":26:" in line and "lable" in line and "label" in line for line in lines), r.output


def test_a_changed_file_under_a_published_version_is_refused(form_app, tmp_path):
    path = tmp_path / "test-permit.yaml"
    path.write_text(
        FORM.replace("10日以内に連絡します。", "7日以内に連絡します。"), encoding="utf-8"
    )
    r = cli(form_app, "load", path)
    assert r.exit_code == 1 and "version を上げてください" in r.output
    path.write_text(
        FORM.replace("version: 1", "version: 2").replace("10日以内", "7日以内"), encoding="utf-8"
    )
    r = cli(form_app, "load", path)
    assert r.exit_code == 0 and "v2" in r.output
    # a submission keeps the version it was made with
    client = form_app.test_client()
    assert post(client, ANSWERS).get_json()["form_version"] == 2


def test_funnel_report(form_app):
    client = form_app.test_client()
    resident = Resident(form_app)
    resident.start()
    resident.get("/apply/test-permit/applicant")
    post(client, ANSWERS)
    out = cli(form_app, "funnel", "test-permit").output
    assert "test-permit v1" in out and "(1/1)" in out and "100.0%" in out
    assert re.search(r"page:applicant\s+1\s+100\.0%", out) and re.search(r"page:docs\s+0", out)


def test_a_version_loaded_by_another_process_is_taken_up_after_the_cache_time(form_app):
    """Web processes keep the newest version for FORM_VERSION_CACHE_SECONDS; a version
    stored by another process (here: a plain INSERT) is used once that time is over."""
    from app.extensions import db
    from app.submissions.models import FormVersion

    form_app.config["FORM_VERSION_CACHE_SECONDS"] = 0.5
    client = form_app.test_client()
    assert post(client, ANSWERS).get_json()["form_version"] == 1  # now cached
    with form_app.app_context():
        v1 = db.session.scalar(db.select(FormVersion))
        db.session.add(
            FormVersion(
                form_id=v1.form_id,
                version=2,
                procedure_code=v1.procedure_code,
                title_ja=v1.title_ja,
                content_hash="other-process",
                yaml_text=v1.yaml_text.replace("version: 1", "version: 2"),
            )
        )
        db.session.commit()
    assert post(client, ANSWERS).get_json()["form_version"] == 1  # still within the time
    time.sleep(0.6)
    assert post(client, ANSWERS).get_json()["form_version"] == 2
