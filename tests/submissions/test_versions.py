"""A draft is answered, checked and submitted on one version of its form — the one it
started on, or the newer one the resident moves it to — never half of each."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.submissions import versions
from app.submissions.models import FormVersion, Submission

from .conftest import FORM, GOOD, Resident

# version 2 asks for a phone number on the first page and adds a page of its own
V2 = FORM.replace("version: 1", "version: 2").replace(
    "      - {id: email, type: email, label: {ja: メールアドレス, en: Email}, required: true}\n",
    "      - {id: email, type: email, label: {ja: メールアドレス, en: Email}, required: true}\n"
    "      - {id: phone, type: tel, label: {ja: 電話番号, en: Phone}, required: true}\n",
) + (
    "  - id: consent\n"
    "    title: {ja: 同意, en: Consent}\n"
    "    fields:\n"
    "      - {id: agree, type: checkbox, label: {ja: 利用規約に同意する, en: I agree}, required: true}\n"
)


@pytest.fixture
def v2(form_app, tmp_path):
    def load():
        path = tmp_path / "v2" / "test-permit.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(V2, encoding="utf-8")
        with form_app.app_context():
            report = versions.load_forms([path])
            assert not report.problems, report.problems
        form_app.extensions.pop("form_versions", None)  # other processes: within 5 s

    return load


def _stored(app):
    with app.app_context():
        sub = db.session.scalar(select(Submission))
        return sub.answers, db.session.get(FormVersion, sub.form_version_id).version


def test_a_draft_stays_on_the_version_it_started_on(form_app, v2):
    resident = Resident(form_app)
    resident.start()
    resident.page("applicant", GOOD)
    v2()  # version 2 is published while the resident is on page 2
    more = resident.get("/apply/test-permit/more").get_data(as_text=True)
    assert 'name="count"' in more
    first = resident.get("/apply/test-permit/applicant").get_data(as_text=True)
    assert 'name="phone"' not in first  # the page of version 1, as it was answered
    resident.page("more", {"count": "2"})
    after_docs = resident.page("docs", {})
    check = after_docs.get_data(as_text=True)
    assert "確認" in check and "利用規約" not in check  # no page of version 2
    done = resident.post("/apply/test-permit/submit", {"declaration": "y"})
    assert done.status_code == 200
    answers, version = _stored(form_app)
    assert version == 1
    assert "phone" not in answers and answers["count"] == 2
    page = done.get_data(as_text=True)
    assert "2人" in page or ">2<" in page or "2\n" in page  # every answer on the done page
    assert "事業のため" in page


def test_the_start_page_offers_the_new_version_and_moving_asks_what_is_new(form_app, v2):
    resident = Resident(form_app)
    resident.start()
    resident.page("applicant", GOOD)
    v2()
    start = resident.get("/apply/test-permit").get_data(as_text=True)
    assert "この申請様式は新しくなりました" in start
    assert "新しい様式に切り替えて続ける" in start and "始めたときの様式のまま続ける" in start
    moved = resident.post("/apply/test-permit/start", {"action": "move"})
    html = moved.get_data(as_text=True)
    assert 'name="phone"' in html  # straight to the page with the new question
    assert 'value="山田"' in html  # earlier answers kept
    resident.page("applicant", {**GOOD, "phone": "059-224-2000"})
    resident.page("more", {"count": "2"})
    resident.page("docs", {})
    consent = resident.get("/apply/test-permit/consent").get_data(as_text=True)
    assert 'name="agree"' in consent
    resident.page("consent", {"agree": "y"})
    done = resident.post("/apply/test-permit/submit", {"declaration": "y"})
    answers, version = _stored(form_app)
    assert version == 2
    assert answers["phone"] == "0592242000" and answers["agree"] is True
    assert "0592242000" in done.get_data(as_text=True) or "059-224-2000" in done.get_data(
        as_text=True
    )


def test_continuing_on_the_old_version_is_a_choice_too(form_app, v2):
    resident = Resident(form_app)
    resident.start()
    resident.page("applicant", GOOD)
    v2()
    page = resident.post("/apply/test-permit/start", {"action": "continue"}).get_data(as_text=True)
    assert 'name="phone"' not in page and 'value="山田"' in page


def test_a_new_resident_starts_on_the_newest_version(form_app, v2):
    v2()
    resident = Resident(form_app)
    html = resident.start().get_data(as_text=True)
    assert 'name="phone"' in html
    assert "この申請様式は新しくなりました" not in resident.get("/apply/test-permit").get_data(
        as_text=True
    )
