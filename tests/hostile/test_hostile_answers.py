"""What the fuzzer found in answers, as examples: each refusal as the client reads it."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.extensions import db
from app.submissions.models import Submission
from tests.hostile.conftest import FORM_ID, VALID

URL = f"/api/v1/forms/{FORM_ID}/submissions"


@pytest.fixture
def api(hostile_app):
    return hostile_app.test_client()


def submit(api, answers: dict, lang: str = "ja", raw: bytes | None = None):
    if raw is not None:
        return api.post(URL, data=raw, content_type="application/json")
    body = json.dumps(
        {"answers": {**VALID, **answers}, "lang": lang, "declaration": True}
    )  # escapes: "\ud800"
    return api.post(URL, data=body, content_type="application/json")


@pytest.mark.parametrize(
    ("answers", "lang", "errors"),
    [
        # shapes that used to be a 500 (a number in a textarea) or a stored repr
        ({"summary": 5}, "ja", {"summary": ["概要の値が正しくありません。"]}),
        ({"summary": True}, "en", {"summary": ["Summary is not valid."]}),
        ({"summary": ["a", "b"]}, "ja", {"summary": ["概要の値が正しくありません。"]}),
        ({"code": {"a": 1}}, "ja", {"code": ["事業者番号の値が正しくありません。"]}),
        (
            {"members": [{"member_name": {"a": 1}}]},
            "ja",
            {"members[0].member_name": ["氏名の値が正しくありません。"]},
        ),
        # characters that cannot be stored or shown
        (
            {"summary": "申請\x00内容"},
            "ja",
            {
                "summary": [
                    "概要に使えない文字（U+0000）が含まれています。削除してから入力し直してください。"
                ]
            },
        ),
        (
            {"name": {**VALID["name"], "given": "太\ud800郎"}},
            "en",
            {
                "name": [
                    "Name contains a character that cannot be used (U+D800). Remove it and try again."
                ]
            },
        ),
    ],
)
def test_answers_of_the_wrong_shape_or_with_unusable_characters(api, answers, lang, errors):
    r = submit(api, answers, lang)
    assert r.status_code == 422
    assert r.get_json()["errors"] == errors


def test_a_number_for_a_text_is_its_digits(api, hostile_app):
    r = submit(api, {"code": 123456})
    assert r.status_code == 201
    with hostile_app.app_context():
        assert db.session.scalar(select(Submission)).answers["code"] == "123456"


def test_a_pasted_line_break_of_word_is_kept(api, hostile_app):
    r = submit(api, {"summary": "一行目\x0b二行目"})
    assert r.status_code == 201
    with hostile_app.app_context():
        assert db.session.scalar(select(Submission)).answers["summary"] == "一行目\x0b二行目"


@pytest.mark.parametrize(
    "raw",
    [
        b'{"answers": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"answers": {"staff": ' + b"9" * 5000 + b"}}",
        b'{"answers": {"name": "\xff\xfe"}}',
    ],
)
def test_a_body_that_cannot_be_read_is_a_400(api, raw):
    r = submit(api, {}, raw=raw)
    assert r.status_code == 400
    assert r.get_json() == {
        "error": "bad_request",
        "message": "JSON のオブジェクトを送ってください / send a JSON object",
    }


def test_a_nul_typed_on_a_page_is_refused_and_kept_to_correct(hostile_app):
    from tests.hostile.test_upload_attacks import Web

    web = Web(hostile_app)
    r = web.resident.get(f"/apply/{FORM_ID}/details")
    r = web.resident.page("details", {"agree": "y", "summary": "概要\x00です"}, form=FORM_ID)
    assert r.status_code == 422
    assert "概要に使えない文字（U+0000）が含まれています。" in r.get_data(as_text=True)
