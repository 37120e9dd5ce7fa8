"""The resident's flow without JavaScript, as the test client sees it."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from sqlalchemy import func, select

from app.clock import format_time, iso_time
from app.extensions import db
from app.submissions import codes, funnel, uploads, versions
from app.submissions.models import Draft, StoredFile, Submission

from .conftest import GOOD, PDF, RECEIPT, png


def status_of(client, url) -> int:
    r = client.get(url)
    r.close()  # a file response holds the file open until closed
    return r.status_code


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_mistakes_first_then_a_receipt(resident, form_app):
    r = resident.start()
    assert "申請者" in r.get_data(as_text=True)
    r = resident.page("applicant", {"name-family": "山田", "email": "taro@@example"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert 'class="error-summary"' in html
    assert 'href="#name-given"' in html and "氏名の名を入力してください。" in html
    assert 'href="#email"' in html and "メールアドレスを正しい形式" in html
    assert 'href="#kind-0"' in html and "種類を選んでください。" in html
    assert 'value="山田"' in html and 'value="taro@@example"' in html  # nothing typed is lost
    r = resident.page("applicant", GOOD)
    assert r.request.path == "/apply/test-permit/more"
    r = resident.page("more", {"count": "３"})  # full-width digits
    assert r.request.path == "/apply/test-permit/docs"
    r = resident.page("docs", {})
    assert r.request.path == "/apply/test-permit/check"
    html = r.get_data(as_text=True)
    assert "山田 太郎（ヤマダ タロウ）" in html and "乙" in html and "3" in html
    assert html.count("変更") >= 6
    # the declaration must be accepted
    r = resident.post("/apply/test-permit/submit", {})
    assert r.status_code == 422 and "宣誓欄にチェック" in r.get_data(as_text=True)
    r = resident.post("/apply/test-permit/submit", {"declaration": "y"})
    html = r.get_data(as_text=True)
    assert "申請を受け付けました" in html
    receipt = re.search(r"/done/([^/?\"]+)", r.request.path).group(1)
    assert RECEIPT.match(receipt)
    with form_app.app_context():
        sub = db.session.scalar(select(Submission))
        assert sub.receipt_no == receipt
        assert sub.access_code in html
        assert sub.answers == {
            "name": {
                "family": "山田",
                "given": "太郎",
                "family_kana": "ヤマダ",
                "given_kana": "タロウ",
            },
            "email": "taro@example.jp",
            "kind": "b",
            "reason": "事業のため",
            "count": 3,
        }
        assert sub.form_version.version == 1


def test_double_tap_gives_one_submission_and_the_same_receipt(resident, form_app):
    resident.start()
    resident.page("applicant", {**GOOD, "kind": "a"})
    resident.page("docs", {})
    first = resident.post("/apply/test-permit/submit", {"declaration": "y"})
    second = resident.post("/apply/test-permit/submit", {"declaration": "y"})
    assert first.request.path == second.request.path
    with form_app.app_context():
        assert count(Submission) == 1


def test_changing_an_earlier_answer_drops_what_became_hidden(resident, form_app):
    resident.start()
    resident.page("applicant", GOOD)
    resident.page("more", {"count": "2"})
    resident.page("docs", {})
    r = resident.get("/apply/test-permit/applicant?from=check")
    assert 'value="事業のため"' in r.get_data(as_text=True)  # the answers are there to change
    r = resident.page("applicant", {**GOOD, "kind": "a"}, query_string={"from": "check"})
    assert r.request.path == "/apply/test-permit/check"
    html = r.get_data(as_text=True)
    assert "事業のため" not in html and "人数" not in html
    with form_app.app_context():
        draft = db.session.scalar(select(Draft))
        assert "reason" not in draft.answers and "count" not in draft.answers


def test_the_back_button_shows_what_was_entered(resident):
    resident.start()
    resident.page("applicant", GOOD)
    html = resident.get("/apply/test-permit/applicant").get_data(as_text=True)
    assert 'value="山田"' in html and 'value="ヤマダ"' in html and "checked" in html


def test_save_and_resume_with_a_code_and_its_expiry(resident, form_app):
    resident.start()
    r = resident.post(
        "/apply/test-permit/applicant", {"action": "save", "name-family": "山田", "email": "x"}
    )
    html = r.get_data(as_text=True)
    code = re.search(r'class="receipt">([A-Z0-9]{5}-[A-Z0-9]{5})<', html).group(1)
    with form_app.app_context():
        expires = db.session.scalar(select(Draft.resume_expires_at))
    shown = f'<time datetime="{iso_time(expires, "seconds")}">{format_time(expires)}</time>'
    assert f"有効期限: {shown} まで" in html  # Japan time, as stored plus 30 days
    other = type(resident)(form_app)  # another browser
    r = other.post("/apply/test-permit/resume", {"code": code.lower().replace("-", "")})
    html = r.get_data(as_text=True)
    assert r.request.path == "/apply/test-permit/applicant"  # back to the page not yet complete
    assert 'value="山田"' in html and 'value="x"' in html
    r = other.post("/apply/test-permit/resume", {"code": "AAAAA-BBBBB"})
    assert r.status_code == 422 and "再開コードが正しくないか" in r.get_data(as_text=True)
    with form_app.app_context():
        draft = db.session.scalar(select(Draft))
        draft.resume_expires_at = draft.resume_expires_at - timedelta(days=31)
        db.session.commit()
    r = type(resident)(form_app).post("/apply/test-permit/resume", {"code": code})
    assert r.status_code == 422


def test_uploads_are_checked_by_content_and_served_only_to_their_owner(
    resident, form_app, tmp_path
):
    resident.start()
    resident.page("applicant", {**GOOD, "kind": "a"})
    r = resident.page("docs", {"photo": (io.BytesIO(PDF), "photo.png")})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "photo.png の形式（PDF）は受け付けられません" in html
    r = resident.page("docs", {"photo": (io.BytesIO(png() + b"0" * 20_000), "big.png")})
    assert "0.01MB以下のファイルを添付してください" in r.get_data(as_text=True)
    r = resident.page("docs", {"photo": (io.BytesIO(png()), "../../etc/passwd.png")})
    assert r.request.path == "/apply/test-permit/check"
    with form_app.app_context():
        stored = db.session.scalar(select(StoredFile))
        assert stored.original_name == "passwd.png"
        path = uploads.file_path(stored)
        assert path.read_bytes() == png() and path.name == stored.id
        assert str(tmp_path / "uploads") in str(path)
    link = f"/apply/test-permit/files/{stored.id}"
    assert status_of(resident.client, link) == 200
    stranger = type(resident)(form_app)
    assert status_of(stranger.client, link) == 404
    r = resident.post("/apply/test-permit/submit", {"declaration": "y"})
    receipt = r.request.path.rsplit("/", 1)[-1]
    assert status_of(stranger.client, f"/status/{receipt}/files/{stored.id}") == 404
    assert status_of(resident.client, f"/status/{receipt}/files/{stored.id}") == 200


def test_status_lookup_wrong_code_is_the_same_as_unknown(resident, form_app):
    resident.start()
    resident.page("applicant", {**GOOD, "kind": "a"})
    resident.page("docs", {})
    r = resident.post("/apply/test-permit/submit", {"declaration": "y"})
    receipt = r.request.path.rsplit("/", 1)[-1]
    with form_app.app_context():
        code = db.session.scalar(select(Submission.access_code))
    visitor = type(resident)(form_app)
    wrong = visitor.post("/status", {"receipt_no": receipt, "access_code": "WRONG234"})
    unknown = visitor.post("/status", {"receipt_no": "2026-AAAAAAAA", "access_code": code})
    assert wrong.status_code == unknown.status_code == 404
    strip = lambda r: re.sub(r'value="[^"]*"', "", r.get_data(as_text=True))  # noqa: E731
    assert strip(wrong) == strip(unknown)
    ok = visitor.post("/status", {"receipt_no": receipt.lower(), "access_code": code.lower()})
    assert ok.status_code == 200 and "受付済み" in ok.get_data(as_text=True)


def test_funnel_counts_without_cookies_for_analytics(resident, form_app):
    resident.start()
    resident.get("/apply/test-permit/applicant")
    resident.page("applicant", {**GOOD, "kind": "a"})
    resident.page("docs", {})
    resident.post("/apply/test-permit/submit", {"declaration": "y"})
    type(resident)(form_app).start()  # someone else starts and gives up
    with form_app.app_context():
        fv = versions.latest_version("test-permit")
        counts = funnel.funnel(fv.id)
    assert counts["start"] == 2
    assert counts["page:applicant"] == 2
    assert counts["page:docs"] == 1 and "page:more" not in counts
    assert counts["check"] == 1 and counts["submitted"] == 1


def test_english_and_postcode_lookup_without_javascript(form_app, tmp_path):
    from .conftest import Resident

    form = """\
id: address-form
version: 1
procedure: A
title: {ja: 住所, en: Address}
languages: [ja, en]
pages:
  - id: where
    title: {ja: 住所, en: Address}
    fields:
      - {id: home, type: address, label: {ja: 住所, en: Home address}, required: true}
"""
    path = tmp_path / "address-form.yaml"
    path.write_text(form, encoding="utf-8")
    with form_app.app_context():
        assert not versions.load_forms([path]).problems
    r = Resident(form_app)
    r.get("/apply/address-form?lang=en")
    r.post("/apply/address-form/start")
    page = r.post(
        "/apply/address-form/where",
        {"action": "lookup:home", "home-postal_code": "５１４－０００６"},
    )
    html = page.get_data(as_text=True)
    assert 'value="三重県"' in html and 'value="津市広明町"' in html
    assert "error-summary" not in html
    # the browser comes back at the street number, the next thing to type, not at the top
    assert 'formaction="/apply/address-form/where#home-street"' in html
    assert 'id="home-street"' in html
    page = r.post(
        "/apply/address-form/where",
        {
            "action": "next",
            "home-postal_code": "514-0006",
            "home-prefecture": "三重県",
            "home-city": "津市広明町",
        },
    )
    assert "Enter street number of Home address." in page.get_data(as_text=True)


def test_codes_use_every_character_of_the_alphabet_in_every_place():
    """Receipt numbers, access and resume codes: no look-alikes, no place that favours a
    character (each of the 31 appears in each of the 8 places of 4,000 codes)."""
    made = [codes.random_code(8) for _ in range(4000)]
    assert {len(c) for c in made} == {8}
    for place in range(8):
        assert {c[place] for c in made} == set(codes.ALPHABET)
