"""A department keeps its procedure's guide on a staff page and through the API, by the
same rule as the catalogue's CSV files; residents read it at once on the procedure's page."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.api import tokens as api_tokens
from app.extensions import db
from app.staff.models import AuditEvent

from .conftest import sign_in


def text(r) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r.get_data(as_text=True)))


GUIDE = {
    "name_kana": "きょかしんせい",
    "summary": "試験のための許可を申請します。",
    "audience": ["individual", "business"],
    "fee": "２，４００円",
    "fee_payment": "三重県収入証紙",
    "standard_processing_days": "１４",
    "documents": "住民票の写し\n身分証明書",
    "online_url": "",
    "paper_form_url": "https://www.pref.mie.lg.jp/form.pdf",
    "section": "試験課",
    "section_phone": "０５９（２２４）２０００",
    "section_email": "shiken@pref.mie.lg.jp",
    "egov_url": "",
}


def test_the_department_edits_the_guide_and_residents_read_it(office):
    app, _ = office
    client = sign_in(app, "d01@example.jp")
    assert "手続案内を編集する" in text(client.get("/staff/procedures/A"))
    r = client.post("/staff/procedures/A/guide", data=GUIDE)
    assert r.status_code == 302
    page = text(client.get("/staff/procedures/A/guide"))
    assert "手続案内を保存しました" in page
    guide = client.get("/api/v1/procedures/A").get_json()["guide"]
    assert guide["fee"] == "2400" and guide["standard_processing_days"] == 14
    assert guide["documents"] == ["住民票の写し", "身分証明書"]
    assert guide["audience"] == ["individual", "business"]
    assert guide["section"] == {
        "name": "試験課",
        "phone": "059-224-2000",
        "email": "shiken@pref.mie.lg.jp",
    }
    public = text(app.test_client().get("/procedures/A"))
    assert "住民票の写し" in public and "059-224-2000" in public and "2,400" in public
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()))
        assert event.action == "procedure.guide" and "fee" in event.detail["changed"]
    # the same again changes nothing and says so
    client.post("/staff/procedures/A/guide", data=GUIDE)
    assert "変更はありませんでした" in text(client.get("/staff/procedures/A/guide"))


def test_mistakes_are_named_at_their_field_and_nothing_typed_is_lost(office):
    app, _ = office
    client = sign_in(app, "d01@example.jp")
    bad = {
        **GUIDE,
        "section_phone": "12345",
        "egov_url": "https://example.com/law",
        "summary": "あ" * 2001,
    }
    r = client.post("/staff/procedures/A/guide", data=bad)
    assert r.status_code == 422
    page = text(r)
    assert "担当課の電話番号は10桁または11桁" in page and "概要は2,000文字までです" in page
    assert "laws.e-gov.go.jp" in page
    html = r.get_data(as_text=True)
    assert 'value="12345"' in html and 'value="三重県収入証紙"' in html
    assert (
        'id="section_phone-error"' in html
        and 'aria-describedby="section_phone-hint section_phone-error"' in html
    )
    # nothing was stored
    assert app.test_client().get("/api/v1/procedures/A").get_json()["guide"]["fee_payment"] is None
    # in English, the same rule in English
    en = client.post("/staff/procedures/A/guide?lang=en", data=bad)
    assert "section_phone must be a Japanese number" in text(en)


def test_the_api_changes_only_the_parts_it_is_given(office):
    app, _ = office
    with app.app_context():
        own = api_tokens.create_token("01", "基幹システム")[1]
        other = api_tokens.create_token("02", "別の部局")[1]
        db.session.commit()
    c = app.test_client()
    url = "/api/v1/procedures/A/guide"
    r = c.patch(
        url,
        json={"fee": "なし", "documents": ["申請書", "写真"]},
        headers={"Authorization": f"Bearer {own}"},
    )
    assert r.status_code == 200, r.get_json()
    guide = r.get_json()
    assert guide["fee"] == "none" and guide["documents"] == ["申請書", "写真"]
    assert guide["summary"] is None  # not given: left as it was
    r = c.patch(url, json={"section_phone": "12"}, headers={"Authorization": f"Bearer {own}"})
    assert r.status_code == 422 and "section_phone" in r.get_json()["errors"]
    assert (
        c.patch(url, json={"fee": "1"}, headers={"Authorization": f"Bearer {other}"}).status_code
        == 403
    )
    assert c.patch(url, json={"fee": "1"}).status_code == 401
    assert (
        c.patch(url, json={"colour": "red"}, headers={"Authorization": f"Bearer {own}"}).status_code
        == 422
    )
