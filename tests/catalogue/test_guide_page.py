"""/procedures/<code> as a guide: what it is, who, what is needed, how long, how much, how
to apply (here, elsewhere or on paper) and whom to ask; marked up for machines too."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from sqlalchemy import select

from app.catalogue.models import Procedure
from app.extensions import db
from tests.catalogue.test_import_export import SHIPPED, run


@pytest.fixture
def shipped(app):
    assert run(app, "import", SHIPPED).exit_code == 0
    return app


def text_of(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def json_ld(html: str) -> dict:
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(block.group(1))


def test_a_procedure_online_elsewhere_leads_there_with_everything_a_resident_asks(shipped):
    html = shipped.test_client().get("/procedures/P-0021").get_data(as_text=True)
    text = text_of(html)
    assert "浄化槽設置届" in text and "じょうかそうせっちとどけ" in text
    assert 'href="https://apply.e-tumo.jp/pref-mie-u/"' in html and "申請ページへ進む" in text
    for words in ("対象となる方", "必要なもの", "標準処理期間", "手数料", "無料", "お問い合わせ"):
        assert words in text, words
    assert re.search(r"電話: 059-224-\d{4}", text)
    assert 'href="https://laws.e-gov.go.jp/law/358AC1000000043"' in html
    assert "紙で申請する" in text and "申請書をダウンロードする" in text
    data = json_ld(html)
    assert data["@type"] == "GovernmentService" and data["name"] == "浄化槽設置届"
    assert data["availableChannel"][0]["serviceUrl"] == "https://apply.e-tumo.jp/pref-mie-u/"
    assert data["identifier"] == "P-0021"


def test_in_english_the_names_are_english(shipped):
    html = shipped.test_client().get("/procedures/P-0021?lang=en").get_data(as_text=True)
    text = text_of(html)
    assert "Notification of septic tank installation" in text
    assert "Environment and Life Department" in text
    assert "Go to the application page" in text and "Free" in text
    assert json_ld(html)["name"] == "Notification of septic tank installation"


def test_a_procedure_with_our_form_starts_here(shipped):
    with shipped.app_context():
        code = db.session.scalar(select(Procedure.code).where(Procedure.form.is_not(None)))
    html = shipped.test_client().get(f"/procedures/{code}").get_data(as_text=True)
    assert re.search(r'<a class="button start" href="/apply/[a-z-]+">申請を始める</a>', html)
    assert "申請ページへ進む" not in html


def test_a_paper_only_procedure_says_how_to_apply_on_paper(shipped):
    with shipped.app_context():
        code = db.session.scalar(
            select(Procedure.code).where(Procedure.form.is_(None), Procedure.online_url.is_(None))
        )
    text = text_of(shipped.test_client().get(f"/procedures/{code}").get_data(as_text=True))
    assert "窓口または郵送で申請する" in text and "担当課の窓口に持参するか郵送" in text
