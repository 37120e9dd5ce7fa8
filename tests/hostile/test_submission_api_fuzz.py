"""The submission API against 10,000 generated hostile requests.

`POST /api/v1/forms/<form>/submissions`, as JSON and as multipart: answers of the wrong
type for every field, unknown field ids, nested objects, huge numbers and strings,
full-width digits, emoji, lone surrogates, NUL and other control characters, bodies that
are not JSON or not UTF-8, and file parts under any name. Whatever comes in, the answer
is a 201 with a receipt number or a 4xx in the documented error shape, with a message in
Japanese and English — never a 500, never a stack trace.

One app and one client serve every example; the jobs a submission sets off (receipt PDF,
mails) are not run here, so that an accepted example costs a few inserts.
"""

from __future__ import annotations

import functools
import io
import json
import re

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from app.submissions import store
from tests.hostile.conftest import FORM_ID, FUZZ_EXAMPLES, PDF, VALID, png

URL = f"/api/v1/forms/{FORM_ID}/submissions"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]{3}")
RECEIPT = re.compile(r"^\d{4}-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$")

TOP_IDS = [
    "name", "email", "phone", "address", "born", "kind", "topics", "office",
    "code", "reading", "summary", "staff", "members", "agree",
    "photo", "documents", "other",
]  # fmt: skip
NOT_ANSWERS = ["intro", "age", "member_name", "csrf_token", "lang", "__proto__", "", "名前"]
PARTS = ["family", "given", "family_kana", "given_kana", "postal_code", "prefecture", "city",
         "street", "building", "_unknown", "year", "month", "day", "era", "id", "size"]  # fmt: skip

# --- strategies ---------------------------------------------------------------------------------

NASTY_STRINGS = [
    "",
    " ",
    "\u3000",  # an ideographic space
    "１２３４５６",  # full-width digits
    "０５９－２２４－２０００",
    "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ",
    "ﾀﾛｳ",  # half-width katakana
    "たろう",
    "𠮷野",  # outside CP932
    "👨‍👩‍👧‍👦",  # an emoji sequence (ZWJ)
    "\U0001f600" * 300,
    "\x00",
    "a\x00b",
    "\x1b[31mred",
    "\u202egpj.exe",  # right-to-left override
    "\ud800",  # lone surrogates (only JSON escapes can carry them)
    "\udfff\ud800",
    "<script>alert(1)</script>",
    "'; DROP TABLE submissions; --",
    "${jndi:ldap://x}",
    "{{7*7}}",
    "令和6年4月1日",
    "平成31年5月1日",
    "R6.4.1",
    "2024-02-30",
    "9999-12-31",
    "0000-01-01",
    "514-8570",
    "５１４８５７０",
    "三重県",
    "a" * 10_000,
    "あ" * 20_000,
    "1e309",
    "-0",
    "NaN",
    "true",
    "null",
]

scalars = st.one_of(
    st.sampled_from(NASTY_STRINGS),
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([10**40, -(10**40), 2**63, 2**64 + 1, 1.5, -0.0, 1e308]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=10),
    st.text(st.characters(codec=None, categories=["Cs", "Cc", "Cf", "Zs", "Nd", "So"]), max_size=6),
)

keys = st.one_of(st.sampled_from(TOP_IDS + NOT_ANSWERS + PARTS), st.text(max_size=12))

json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(keys, inner, max_size=5),
    ),
    max_leaves=6,
)

# answers of the right shape (or nearly), for mixing with wrong ones
PLAUSIBLE = {
    "name": [
        VALID["name"],
        {"family": "山田", "given": "太郎", "family_kana": "やまだ", "given_kana": "ﾀﾛｳ"},
        {"family": "𠮷田", "given": "", "family_kana": "ヨシダ", "given_kana": "タロウ"},
        {"family": "山田", "given": "太郎"},
        {"family": "山田", "given": "太郎", "middle": "x"},
    ],
    "email": [
        "taro@example.jp",
        "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ",
        "taro@",
        "@x.jp",
        "a" * 250 + "@x.jp",
    ],
    "phone": ["059-224-2000", "０５９２２４２０００", "12345", "0" * 30, "+81-59-224-2000"],
    "address": [
        {"postal_code": "514-8570", "street": "広明町13番地"},
        {"postal_code": "５１４８５７０", "street": "1-2-3"},
        {"postal_code": "000-0000", "prefecture": "三重県", "city": "津市", "street": "1"},
        {"postal_code": "abc", "prefecture": "ミエ県", "city": "", "street": ""},
    ],
    "born": [
        "2000-01-01",
        "令和2年2月30日",
        "2999-01-01",
        "R6.4.1",
        "平成31年5月1日",
        {"era": "令和", "year": "6", "month": "4", "day": "1"},
        {"year": "x"},
    ],
    "kind": ["a", "b", "c", "A", " a ", ["a"]],
    "topics": [["farm"], ["farm", "fish", "wood"], ["sky"], [1], "farm", ["farm", "farm"]],
    "office": ["1", "2", 1, 2, "３", "0"],
    "code": ["123456", "１２３４５６", "12345", "1234567", 123456],
    "reading": ["カブシキガイシャ", "かぶしき", "ｶﾌﾞｼｷ", "ABC"],
    "summary": ["概要です。", "改行\r\nあり", "タブ\tあり", "あ" * 501],
    "staff": [0, 10, -1, 10001, "１０人", "10,000", 10**20, 1.5, True, "10 people"],
    "members": [
        [{"member_name": "鈴木", "age": 30}],
        [{"member_name": "", "age": -1}],
        [{"member_name": "𠮷", "age": "三十"}] * 4,
        [{}, {"member_name": "佐藤"}],
        [{"member_name": "佐藤", "unknown": 1}],
    ],
    "agree": [True, False, "y", "on", 1, "yes", "no"],
    "photo": [{"id": "0" * 32, "size": 1}, {"id": 1}, [{"id": "x", "size": 2}]],
}

# a hostile value in each part of a composite answer, so that every rule of every part
# (charset, kana, postcode lookup, era dates) meets them
NASTY_PARTS = ["\x00", "\ud800", "𠮷", "ﾀﾞ", "", " ", "a" * 100, "\u202e", "\U0001f600",
               "５１４", 5, 1.5, None, True, ["x"], {"a": 1}]  # fmt: skip


def _each_part(base: dict) -> list[dict]:
    return [{**base, part: nasty} for part in base for nasty in NASTY_PARTS]


PLAUSIBLE["name"] += _each_part(VALID["name"])
PLAUSIBLE["address"] += _each_part(
    {"postal_code": "514-8570", "prefecture": "三重県", "city": "津市", "street": "広明町13"}
)
PLAUSIBLE["born"] += _each_part({"era": "令和", "year": "6", "month": "4", "day": "1"})
PLAUSIBLE["members"] += [[item] for item in _each_part({"member_name": "鈴木", "age": 30})]
PLAUSIBLE["topics"] += [[nasty] for nasty in NASTY_PARTS]
PLAUSIBLE["photo"] += _each_part({"id": "0" * 32, "name": "a.png", "size": 1, "type": "image/png"})
# field ids no form has, some that cannot even be written as UTF-8
HOSTILE_KEYS = ["\ud800", "a\x00b", "名前\udfff", "\U0001f600", "x" * 1000, "name.family",
                "members[0]", " name", "NAME"]  # fmt: skip

SCALARS = NASTY_STRINGS + [
    None, True, False, 0, -1, 1.5, -0.0, 1e308, float("inf"), float("nan"),
    10**40, -(10**40), 2**63, 2**64 + 1,
]  # fmt: skip
KEYS = TOP_IDS + NOT_ANSWERS + PARTS


def _nested(depth: int):
    value: object = "底"
    for n in range(depth):
        value = [value] if n % 2 else {"a": value}
    return value


HOSTILE_JSON = (
    SCALARS
    + [[x] for x in SCALARS[::3]]
    + [{KEYS[i % len(KEYS)]: x} for i, x in enumerate(SCALARS)]
    + [
        [],
        {},
        [[[]]],
        _nested(200),
        list(range(1000)),
        {str(i): i for i in range(300)},
        [{}] * 50,
        [{"id": "x", "size": 1}],
        {"id": "f" * 32, "size": 1, "name": "x.png", "type": "image/png"},
        [{"member_name": "\x00"}],
        {"family": {"family": "山田"}},
    ]
)


@functools.cache
def _mixed(field_id: str) -> st.SearchStrategy:
    """One choice: the field's plausible answers, three times as likely as the hostile ones."""
    good = PLAUSIBLE.get(field_id, [])
    return st.sampled_from(good * (3 * len(HOSTILE_JSON) // max(len(good), 1)) + HOSTILE_JSON)


@st.composite
def answers(draw):
    """Either the valid answers with some replaced or added, or any JSON object at all."""
    if draw(st.integers(0, 5)) == 0:
        return draw(st.dictionaries(keys, json_values, max_size=6))
    out = dict(VALID)
    for field_id in draw(st.lists(st.sampled_from(TOP_IDS + NOT_ANSWERS), max_size=4)):
        out[field_id] = draw(_mixed(field_id))
    for field_id in draw(st.lists(st.sampled_from(sorted(VALID)), max_size=2)):
        out.pop(field_id, None)
    if draw(st.integers(0, 9)) == 0:
        out[draw(st.sampled_from(HOSTILE_KEYS))] = draw(st.sampled_from(SCALARS))
    return out


HUGE_NUMBER = "9" * 5000
DEEP = "[" * 50_000 + "]" * 50_000

raw_bodies = st.one_of(
    st.binary(max_size=64),
    st.sampled_from(
        [
            b"",
            b"null",
            b"[]",
            b'"answers"',
            b'{"answers": ',
            b'{"answers": {"name": "\xff\xfe"}}',  # not UTF-8
            b'\xef\xbb\xbf{"answers": {}}',  # a byte-order mark
            b'{"answers": {"staff": ' + HUGE_NUMBER.encode() + b"}}",
            b'{"answers": {"staff": 1e999999}}',
            b'{"answers": ' + DEEP.encode() + b"}",
            b'{"answers": {"kind": "a", "kind": "b"}}',  # a duplicate key
            b'{"answers": {"summary": "\\ud800"}}',
            b'{"answers": {"summary": "\\u0000"}}',
            b'{"answers": {}, "lang": {"en": 1}}',
        ]
    ),
)

languages = st.one_of(
    st.none(), st.sampled_from(["ja", "en", "ja-easy", "fr", "", "EN"]), json_values
)
accept_languages = st.sampled_from([None, "ja", "en", "en-US,en;q=0.9", "fr", "*", "xx;q=abc"])


@st.composite
def requests(draw):
    """(body, or the parts of a multipart body; content type; headers) of one request."""
    headers = {}
    if (al := draw(accept_languages)) is not None:
        headers["Accept-Language"] = al
    if draw(st.integers(0, 9)) == 0:
        headers["Idempotency-Key"] = draw(
            st.one_of(
                st.text(st.characters(max_codepoint=0xFF, exclude_characters="\r\n"), max_size=20),
                st.just("k" * 201),
            )
        )
    shape = draw(st.integers(0, 9))
    if shape <= 5:  # a JSON object with answers
        payload = {"answers": draw(answers())}
        if draw(st.booleans()):
            payload["declaration"] = draw(st.sampled_from([True, False, "true", 1, None]))
        if draw(st.booleans()):
            payload["lang"] = draw(languages)
        body = json.dumps(payload, ensure_ascii=draw(st.booleans()))
        return body.encode("utf-8", "surrogatepass"), "application/json", headers
    if shape == 6:  # any JSON at all, or bytes that are not quite JSON
        if draw(st.booleans()):
            body = json.dumps(draw(json_values)).encode("utf-8", "surrogatepass")
        else:
            body = draw(raw_bodies)
        ctype = draw(st.sampled_from(["application/json", "application/json; charset=latin-1"]))
        return body, ctype, headers
    if shape == 7:  # not JSON at all
        ctype = draw(
            st.sampled_from(["text/plain", "application/x-www-form-urlencoded", "", "image/png"])
        )
        return draw(raw_bodies), ctype, headers
    # multipart: an answers part and file parts under any name
    data = {}
    if draw(st.booleans()):
        if draw(st.integers(0, 3)):
            data["answers"] = json.dumps(draw(answers()))  # escapes: a part is UTF-8 text
        else:
            data["answers"] = draw(
                st.sampled_from(["", "{", "[]", "null", "{" * 10, "[" * 100_000])
            )
    if draw(st.booleans()):
        data["lang"] = draw(st.sampled_from(["ja", "en", "", "xx"]))
    for _ in range(draw(st.integers(0, 3))):
        field_id = draw(st.sampled_from(["photo", "documents", "other", "name", "nope", ""]))
        content = draw(st.sampled_from([png(), PDF, b"", b"MZ\x90\x00", b"<svg onload=alert(1)>"]))
        filename = draw(
            st.sampled_from(
                ["photo.png", "../../etc/passwd", "..\\..\\x.pdf", "/abs/x.pdf", "a\x00b.png",
                 "...", "x" * 300 + ".png", "写真.png", ""]
            )
        )  # fmt: skip
        data.setdefault(field_id, []).append((io.BytesIO(content), filename))
    return data, "multipart/form-data", headers


# --- the property ------------------------------------------------------------------------------


def check_answer(response, english: bool) -> None:
    """A documented answer: 201 with a receipt, or a 4xx error object whose message is in
    Japanese (the routes' own errors say `日本語 / English`; the generic ones, such as 413,
    speak English only to a client whose Accept-Language asks for it)."""
    assert response.status_code < 500, response.get_data(as_text=True)[:2000]
    assert response.mimetype == "application/json", response.get_data(as_text=True)[:500]
    body = response.get_json()
    assert isinstance(body, dict)
    if response.status_code == 201:
        assert RECEIPT.match(body["receipt_no"])
        return
    assert response.status_code in (400, 404, 409, 413, 415, 422), response.status_code
    assert isinstance(body.get("error"), str) and body["error"]
    message = body.get("message")
    assert isinstance(message, str) and message.strip(), body
    assert JAPANESE.search(message) or (english and LATIN.search(message)), body
    if response.status_code == 422:
        errors = body["errors"]
        assert isinstance(errors, dict) and errors
        for key, messages in errors.items():
            assert isinstance(key, str)
            assert isinstance(messages, list) and messages
            assert all(isinstance(m, str) and m.strip() for m in messages), (key, messages)
    # the answer is valid JSON text all the way down (no lone surrogates in it)
    response.get_data().decode("utf-8")


@pytest.fixture
def api(hostile_app, monkeypatch):
    # the jobs of an accepted submission (receipt PDF, mail) are tested elsewhere
    monkeypatch.setattr(store, "dispatch", lambda ids: 0)
    # thousands of requests from one address: the rate limit is tested elsewhere
    monkeypatch.setitem(hostile_app.config, "API_SUBMIT_RATE_LIMIT", "1000000 per second")
    return hostile_app.test_client()


@pytest.mark.slow
@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)  # fmt: skip
@given(req=requests())
def test_submission_api_never_fails_on_hostile_input(api, req):
    body, ctype, headers = req
    response = api.post(URL, data=body, content_type=ctype, headers=headers)
    event(f"{response.status_code}")
    check_answer(response, english=headers.get("Accept-Language", "").startswith("en"))
