"""Prefill: a signed-in resident finds name, reading, birth date and address filled from
what the provider vouched for, confirms them, and staff see those answers marked."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from app.catalogue.services import import_catalogue
from app.extensions import db
from app.staff import services as staff
from app.submissions import versions
from app.submissions.models import Submission

FORM = """\
id: permit
version: 1
procedure: A
title: {ja: 許可申請, en: Permit}
identity: optional
pages:
  - id: you
    title: {ja: 申請者, en: Applicant}
    fields:
      - {id: name, type: name, label: 氏名, required: true, prefill: profile.name}
      - {id: born, type: date, label: 生年月日, required: true, prefill: profile.birthdate}
      - {id: home, type: address, label: 住所, required: true, prefill: profile.address}
      - {id: note, type: text, label: メモ}
"""
PASSWORD = "correct horse battery"


@pytest.fixture
def permit_app(app, worked_example, tmp_path):
    path = tmp_path / "permit.yaml"
    path.write_text(FORM, encoding="utf-8")
    with app.app_context():
        assert import_catalogue(worked_example).ok
        assert not versions.load_forms([path]).problems
        staff.create_user("d01@example.jp", PASSWORD, "department", department_code="01")
        db.session.commit()
    return app


def _inputs(page: str) -> dict[str, str]:
    """What the page's form would send as it stands (text inputs and chosen options)."""
    sent = {}
    for tag in re.findall(r"<input\b[^>]*>", page):
        name = re.search(r'\bname="([^"]+)"', tag)
        value = re.search(r'\bvalue="([^"]*)"', tag)
        kind = re.search(r'\btype="([^"]+)"', tag)
        if name and (kind is None or kind.group(1) not in ("submit", "file", "checkbox", "radio")):
            sent[name.group(1)] = html.unescape(value.group(1)) if value else ""
    for name, body in re.findall(r'<select\b[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        sent[name] = chosen.group(1) if chosen else ""
    return sent


def test_a_resident_finds_their_facts_filled_confirms_and_staff_see_them_vouched(
    permit_app, browser
):
    browser.sign_in("resident-1")
    r = browser.client.post("/apply/permit/start")
    page = browser.client.get(r.headers["Location"]).get_data(as_text=True)
    sent = _inputs(page)
    assert sent["name-family"] == "三重" and sent["name-given_kana"] == "タロウ"
    assert sent["home-postal_code"] == "514-8570" and sent["home-street"] == "広明町13番地"
    assert "1985" in sent.values()
    sent["home-building"] = "3階"  # the resident adds what the provider does not know
    r = browser.client.post("/apply/permit/you", data=sent)
    assert r.status_code == 302 and r.headers["Location"].endswith("/check"), r.get_data(
        as_text=True
    )[:2000]
    check = browser.client.get("/apply/permit/check").get_data(as_text=True)
    assert check.count("ログインで本人確認済み") == 3  # the resident sees what was vouched for
    r = browser.client.post("/apply/permit/submit")
    assert "/done/" in r.headers["Location"]
    with permit_app.app_context():
        sub = db.session.scalar(select(Submission))
        assert sub.answers["born"] == "1985-04-01"
        assert sub.vouched == {"provider": "mynumber", "fields": ["name", "born", "home"]}
        receipt_no = sub.receipt_no
    officer = permit_app.test_client()
    officer.post("/staff/login", data={"email": "d01@example.jp", "password": PASSWORD})
    seen = officer.get(f"/staff/submissions/{receipt_no}").get_data(as_text=True)
    assert seen.count("ログインで本人確認済み") == 3


def test_a_changed_answer_is_not_vouched_for(permit_app, browser):
    browser.sign_in("resident-1")
    r = browser.client.post("/apply/permit/start")
    sent = _inputs(browser.client.get(r.headers["Location"]).get_data(as_text=True))
    sent["name-given"] = "次郎"
    browser.client.post("/apply/permit/you", data=sent)
    browser.client.post("/apply/permit/submit")
    with permit_app.app_context():
        sub = db.session.scalar(select(Submission))
        assert "name" not in sub.vouched["fields"] and "home" in sub.vouched["fields"]


def test_anonymous_residents_start_empty(permit_app, browser):
    r = browser.client.post("/apply/permit/start")
    sent = _inputs(browser.client.get(r.headers["Location"]).get_data(as_text=True))
    assert sent.get("name-family", "") == "" and sent.get("home-postal_code", "") == ""


CORPORATE = """\
id: corp
version: 1
procedure: A
title: {ja: 法人の届出, en: Company notice}
identity: {level: required, kinds: [business]}
pages:
  - id: company
    title: {ja: 法人, en: Company}
    fields:
      - {id: number, type: text, label: 法人番号, required: true, prefill: profile.corporate_number}
      - {id: company, type: text, label: 法人名, required: true, prefill: profile.corporate_name}
      - {id: head, type: text, label: 代表者, required: true, prefill: profile.representative_name}
      - {id: office, type: address, label: 所在地, required: true, prefill: profile.address}
"""


def test_a_business_applies_on_a_corporation_form_with_its_corporate_facts(
    permit_app, browser, tmp_path
):
    path = tmp_path / "corp.yaml"
    path.write_text(CORPORATE, encoding="utf-8")
    with permit_app.app_context():
        assert not versions.load_forms([path]).problems
    assert browser.client.post("/apply/corp/start").headers["Location"].startswith("/signin?")
    browser.sign_in("business-1", provider="gbiz")
    r = browser.client.post("/apply/corp/start")
    sent = _inputs(browser.client.get(r.headers["Location"]).get_data(as_text=True))
    assert sent["number"] == "1234567890123" and sent["company"] == "株式会社鈴鹿テスト"
    assert sent["head"] == "鈴鹿 一郎" and sent["office-city"] == "鈴鹿市"
    r = browser.client.post("/apply/corp/company", data=sent)
    assert r.headers["Location"].endswith("/check"), r.get_data(as_text=True)[:1500]
    assert "/done/" in browser.client.post("/apply/corp/submit").headers["Location"]
    with permit_app.app_context():
        sub = db.session.scalar(select(Submission))
        assert sub.vouched == {
            "provider": "gbiz",
            "fields": ["number", "company", "head", "office"],
        }
