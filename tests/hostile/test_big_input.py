"""Big input through the API and the pages: a small 4xx, nothing stored, nothing lost.

What the hardening issue measured (2,000,000 characters in each address part stored and
mailed, 2,000,000 unknown answer keys listed in a 55 MB error) and what a NUL typed on a
page did on PostgreSQL, on SQLite and on PostgreSQL. No timing is asserted: the size of
the answer and what was stored are.
"""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.submissions.models import Draft, Submission
from tests.hostile.conftest import FORM_ID, VALID

URL = f"/api/v1/forms/{FORM_ID}/submissions"
ADDRESS = {
    "postal_code": "514-8570",
    "prefecture": "三重県",
    "city": "津市",
    "street": "広明町13番地",
    "building": "",
}


@pytest.fixture
def api(hostile_backend_app, monkeypatch):
    from app.jobs import outbox

    monkeypatch.setattr(outbox, "dispatch", lambda ids: 0)  # no receipt PDF, no mail
    return hostile_backend_app.test_client()


def stored(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Submission))


def test_two_hundred_thousand_unknown_keys_are_one_small_error(api, hostile_backend_app):
    answers = {**VALID, **{f"x{i}": "y" for i in range(200_000)}}
    r = api.post(URL, data=json.dumps({"answers": answers}), content_type="application/json")
    assert r.status_code == 422
    assert len(r.data) < 2_000
    errors = r.get_json()["errors"]
    assert list(errors) == ["x0"]
    assert errors["x0"] == [
        "この様式にない項目です。ほかにも、この様式にない項目が199,999件送られています"
        "（x1、x2、x3、x4、x5…）。"
    ]
    assert stored(hostile_backend_app) == 0


def test_two_million_characters_in_each_address_part(api, hostile_backend_app):
    huge = "町" * 2_000_000
    address = {**ADDRESS, "city": huge, "street": huge, "building": huge}
    r = api.post(
        URL,
        data=json.dumps(
            {"answers": {**VALID, "address": address}, "lang": "en"}, ensure_ascii=False
        ),
        content_type="application/json",
    )
    assert r.status_code == 422
    assert len(r.data) < 2_000
    assert r.get_json()["errors"] == {
        "address.city": ["The city, town and district of Address must be 50 characters or fewer."],
        "address.street": ["The street number of Address must be 100 characters or fewer."],
        "address.building": ["The building and room of Address must be 100 characters or fewer."],
    }
    assert stored(hostile_backend_app) == 0


def test_every_text_at_its_maximum_is_stored_as_sent(api, hostile_backend_app):
    """The other side of the limit, on both databases: the longest answers are kept whole."""
    answers = {
        **VALID,
        "name": {k: v[0] * 50 for k, v in VALID["name"].items()},
        "email": "a" * (254 - len("@example.jp")) + "@example.jp",
        "address": {**ADDRESS, "city": "津" * 50, "street": "1" * 100, "building": "棟" * 100},
        "summary": "あ" * 500,
        "staff": 10_000,
    }
    r = api.post(URL, data=json.dumps({"answers": answers}), content_type="application/json")
    assert r.status_code == 201, r.get_json()
    with hostile_backend_app.app_context():
        kept = db.session.scalar(select(Submission.answers))
    assert kept["address"]["building"] == "棟" * 100
    assert kept["email"] == answers["email"]
    assert kept["summary"] == "あ" * 500


def test_an_integer_beyond_a_32_bit_column_is_a_422(api, hostile_backend_app):
    for value in (2**31, 10**30, -(2**63)):
        r = api.post(
            URL,
            data=json.dumps(
                {"answers": {**VALID, "members": [{"member_name": "鈴木", "age": value}]}}
            ),
            content_type="application/json",
        )
        assert r.status_code == 422
        assert list(r.get_json()["errors"]) == ["members[0].age"]
    assert stored(hostile_backend_app) == 0


def test_a_nul_in_the_idempotency_key_is_a_400(api, hostile_backend_app):
    r = api.post(URL, json={"answers": VALID}, headers={"Idempotency-Key": "a\x00b"})
    assert r.status_code == 400
    assert "Idempotency-Key" in r.get_json()["message"]
    assert stored(hostile_backend_app) == 0


# --- the pages ---------------------------------------------------------------------------


class Browser:
    def __init__(self, app):
        self.client = app.test_client()

    def post(self, url, data):
        return self.client.post(url, data=data, follow_redirects=True)

    def page(self, page_id, data):
        return self.client.post(
            f"/apply/{FORM_ID}/{page_id}",
            data={"action": "next", **data},
            content_type="multipart/form-data",
        )


PERSON = {
    "name-family": "山田",
    "name-given": "太郎",
    "name-family_kana": "ヤマダ",
    "name-given_kana": "タロウ",
    "email": "taro@example.jp",
    "kind": "a",
}


@pytest.fixture
def browser(hostile_backend_app):
    b = Browser(hostile_backend_app)
    b.post(f"/apply/{FORM_ID}/start", {})
    return b


def test_a_nul_typed_on_a_page_is_that_fields_error_and_the_rest_is_kept(
    browser, hostile_backend_app
):
    r = browser.page("person", {**PERSON, "address-city": "津\x00市", "address-street": "広明町13"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "住所に使えない文字（U+0000）が含まれています。" in html
    assert 'value="山田"' in html and 'value="taro@example.jp"' in html
    # what was typed is kept for later, without the character the database cannot hold
    with hostile_backend_app.app_context():
        pending = db.session.scalar(select(Draft.pending))
    assert pending["person"]["address"]["city"] == "津市"
    assert pending["person"]["name"]["family"] == "山田"
    r = browser.client.get(f"/apply/{FORM_ID}/person")
    assert 'value="広明町13"' in r.get_data(as_text=True)


def test_a_long_text_typed_on_a_page(browser, hostile_backend_app):
    # a form field of more than MAX_FORM_MEMORY_SIZE (500 kB) is a 413 before any of this
    r = browser.page("person", {**PERSON, "address-street": "1" * 400_000})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "住所の番地は100文字以内で入力してください。" in html
    with hostile_backend_app.app_context():
        pending = db.session.scalar(select(Draft.pending))
    kept = pending["person"]["address"]["street"]
    assert 100 < len(kept) < 20_000  # still too long to pass, but not all of it


def test_the_inputs_say_how_long_their_answers_may_be(browser):
    html = browser.client.get(f"/apply/{FORM_ID}/person").get_data(as_text=True)
    expected = {
        "name-family": 50,
        "name-given_kana": 50,
        "email": 254,
        "phone": 20,
        "address-postal_code": 10,
        "address-prefecture": 4,
        "address-city": 50,
        "address-street": 100,
        "address-building": 100,
        "born-year": 4,
        "born-month": 2,
        "born-day": 2,
    }
    for name, n in expected.items():
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
        assert f'maxlength="{n}"' in tag, tag
    browser.page("person", PERSON)
    html = browser.client.get(f"/apply/{FORM_ID}/details").get_data(as_text=True)
    assert re.search(r'<textarea[^>]*name="summary"[^>]*maxlength="500"', html)
    assert "500文字以内" in html
    tag = re.search(r'<input[^>]*name="staff"[^>]*>', html).group(0)
    assert 'maxlength="40"' in tag


@pytest.mark.parametrize(
    ("page", "action"),
    [
        ("details", "remove:members:" + "9" * 5000),  # more digits than int() takes
        ("details", "remove:members:١٢"),  # digits, but not ASCII ones
        ("details", "add:members"),
        ("person", "lookup:address"),
    ],
)
def test_the_buttons_of_a_page_take_any_action(browser, page, action):
    data = {"address-postal_code": "5" * 300_000} if page == "person" else {}
    r = browser.client.post(
        f"/apply/{FORM_ID}/{page}",
        data={**data, "action": action, "members-0-member_name": "鈴木"},
        content_type="multipart/form-data",
    )
    assert r.status_code == 200
    assert 'value="鈴木"' in r.get_data(as_text=True) or page == "person"
