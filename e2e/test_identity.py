"""Signing in once, typing once (issue 18), at 375 px against the local OpenID Connect
provider (devidp/, started beside the app by conftest.py): a resident signs in with a My
Number Card-like account, finds name, reading, birth date and address filled, confirms
them, attaches again a document kept from an earlier application, finds both in マイページ
and signs out; a business signs in with gBizID-like corporate facts and applies on a
corporation form; a form that requires sign-in leads to it before anything starts.

No shipped form asks for sign-in: each journey loads forms of its own (`flask forms load`),
named for the journey and the run, so that nothing here depends on another journey."""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlsplit

import pytest

from .filler import PDF, open_menu, page_id

RECEIPT = re.compile(r"\d{4}-[2-9A-HJKMNP-Z]{8}")

RESIDENT_FORM = """\
id: {id}
version: 1
procedure: P-0034
title: {{ja: 住民票を添えた届出（e2e）, en: A notice with a certificate of residence (e2e)}}
identity: optional
declaration: {{ja: 記載内容は事実と相違ありません。, en: The information given is true.}}
pages:
  - id: you
    title: {{ja: 申請者, en: Applicant}}
    fields:
      - {{id: name, type: name, label: 氏名, required: true, prefill: profile.name}}
      - {{id: born, type: date, label: 生年月日, required: true, prefill: profile.birthdate}}
      - {{id: home, type: address, label: 住所, required: true, prefill: profile.address}}
  - id: docs
    title: {{ja: 添付書類, en: Attachments}}
    fields:
      - {{id: juminhyo, type: file, label: 住民票の写し, required: true, accept: [application/pdf]}}
"""

CORPORATE_FORM = """\
id: {id}
version: 1
procedure: P-0041
title: {{ja: 法人の届出（e2e）, en: A company's notice (e2e)}}
identity: {{level: required, kinds: [business]}}
pages:
  - id: company
    title: {{ja: 法人, en: Company}}
    fields:
      - {{id: number, type: text, label: 法人番号, required: true, prefill: profile.corporate_number}}
      - {{id: company, type: text, label: 法人名, required: true, prefill: profile.corporate_name}}
      - {{id: head, type: text, label: 代表者, required: true, prefill: profile.representative_name}}
      - {{id: office, type: address, label: 所在地, required: true, prefill: profile.address}}
"""

REQUIRED_FORM = """\
id: {id}
version: 1
procedure: P-0034
title: {{ja: 本人確認が必要な申請（e2e）, en: An application that needs sign-in (e2e)}}
identity: required
pages:
  - id: you
    title: {{ja: 申請者, en: Applicant}}
    fields:
      - {{id: name, type: name, label: 氏名, required: true, prefill: profile.name}}
      - {{id: note, type: text, label: 連絡事項}}
"""


@pytest.fixture
def load_form(flask_cli, tmp_path, idp):
    """Load a form of the journey's own (`flask forms load`) → its id, new for each call."""
    def load(template: str, name: str) -> str:
        form_id = f"e2e-{name}-{uuid.uuid4().hex[:8]}"
        path = tmp_path / f"{form_id}.yaml"
        path.write_text(template.format(id=form_id), encoding="utf-8")
        assert "loaded" in flask_cli("forms", "load", str(path))
        return form_id

    return load


def sign_in_at_provider(page, idp: str, user: str) -> None:
    """On the local provider's page (開発用, not real), choose the test user; → back at the app."""
    page.wait_for_url(f"{idp}/**")
    assert "開発用ログイン（本物ではありません）" in page.locator("body").inner_text()
    page.get_by_role("button", name=user).click()
    page.wait_for_url(lambda url: not url.startswith(idp))


def submit(page, shoot=None, name: str = "check") -> str:
    """From the check page: agree (where the form asks), send → the receipt number."""
    assert page_id(page) == "check", page.url
    if shoot:
        shoot(page, name)
    if page.locator("#declaration").count():
        page.check("#declaration")
    page.locator("main form button[type=submit]").last.click()
    assert "/done/" in page.url, page.url
    return RECEIPT.search(page.locator("main").inner_text()).group(0)


def next_page(page) -> None:
    page.locator(".actions button[value=next]").click()
    errors = page.locator(".error-summary")
    assert not errors.count(), f"{page.url}: {errors.inner_text()}"


def value(page, name: str) -> str:
    return page.locator(f'[name="{name}"]').input_value()


def test_a_resident_signs_in_confirms_the_prefilled_facts_reuses_a_kept_document_and_signs_out(
        new_context, idp, load_form, shoot):
    form_id = load_form(RESIDENT_FORM, "resident")
    certificate = f"住民票_{form_id}.pdf"  # its own content too: the same content is kept once
    content = PDF.replace(b"%%EOF", f"% {form_id}\n%%EOF".encode())
    page = new_context().new_page()

    # the start page offers sign-in; the sign-in page names the local provider as not real
    page.goto(f"/apply/{form_id}")
    assert "ログイン" in open_menu(page).inner_text()
    page.locator("#sign-in a", has_text="ログインする").click()
    assert page.url.split("?")[0].endswith("/signin")
    assert "開発用ログイン（本物ではありません）" in page.locator("main").inner_text()
    shoot(page, "signin")
    page.get_by_role("button", name="マイナンバーカードでログイン").click()
    sign_in_at_provider(page, idp, "三重 太郎（個人・マイナンバーカード風）")
    assert page.url.endswith(f"/apply/{form_id}"), page.url  # back where sign-in began
    assert "マイページ" in open_menu(page).inner_text()
    assert "ログインしています" in page.locator("#sign-in").inner_text()

    # the first application: the four facts and the reading filled, confirmed as they are;
    # the certificate attached and kept in マイページ
    page.locator("button.start").click()
    assert page_id(page) == "you"
    filled = {name: value(page, name) for name in (
        "name-family", "name-given", "name-family_kana", "name-given_kana", "born-month", "born-day",
        "home-postal_code", "home-prefecture", "home-city", "home-street")}
    assert filled == {"name-family": "三重", "name-given": "太郎", "name-family_kana": "ミエ",
                      "name-given_kana": "タロウ", "born-month": "4", "born-day": "1",
                      "home-postal_code": "514-8570", "home-prefecture": "三重県",
                      "home-city": "津市", "home-street": "広明町13番地"}, filled
    assert (value(page, "born-era"), value(page, "born-year")) == ("", "1985")  # 西暦
    shoot(page, "prefilled")
    next_page(page)
    assert page_id(page) == "docs"
    page.locator('input[type=file][name="juminhyo"]').set_input_files(
        {"name": certificate, "mimeType": "application/pdf", "buffer": content})
    page.check("#keep-juminhyo")
    next_page(page)
    vouched = page.locator("main .tag-vouched")
    assert vouched.count() == 3, page.locator("main").inner_text()  # name, birth date, address
    first = submit(page)

    # the second application: the same facts filled again; the kept certificate chosen with
    # one box (the consent for this application), nothing uploaded
    page.goto(f"/apply/{form_id}")
    page.locator("button.start").click()
    assert page_id(page) == "you" and value(page, "name-family") == "三重"
    assert value(page, "home-street") == "広明町13番地"
    next_page(page)
    reuse = page.locator("fieldset", has_text="マイページに保管した書類を使う")
    choice = reuse.locator(".choice", has_text=certificate)
    assert choice.count() == 1, reuse.inner_text()
    assert "この申請に添付して提出することに同意します" in choice.inner_text()
    shoot(page, "kept-document")
    choice.locator("input[type=checkbox]").check()
    next_page(page)
    assert certificate in page.locator("main").inner_text()
    assert page.locator("main .tag-vouched").count() == 3
    second = submit(page, shoot, "check-reused")
    assert second != first

    # マイページ: both applications, the kept certificate, the profile as the provider vouched
    open_menu(page).locator("a", has_text="マイページ").click()
    assert page.url.endswith("/mypage")
    main = page.locator("main").inner_text()
    assert first in main and second in main, main
    assert certificate in main and "三重 太郎" in main and "ミエ タロウ" in main
    assert "1985-04-01" in main and "〒514-8570 三重県津市広明町13番地" in main
    shoot(page, "mypage")
    # an application's status opens from マイページ without its access code
    page.locator("main li", has_text=second).locator("a").click()
    assert "/status/" in page.url and second in page.locator("main").inner_text(), page.url
    shoot(page, "status")

    # signing out ends the provider's session too (RP-initiated logout), then back here
    page.goto("/mypage")
    page.get_by_role("button", name="ログアウト").click()
    page.wait_for_url(f"{idp}/**")
    page.get_by_role("button", name=re.compile("ログアウトする")).click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/signout/done")
    shoot(page, "signed-out")
    assert "ログイン" in open_menu(page).inner_text()
    assert "マイページ" not in open_menu(page).inner_text()
    page.goto("/mypage")
    assert "/signin" in page.url, page.url  # マイページ wants sign-in again


def test_a_business_signs_in_with_its_corporate_facts_and_applies_on_a_corporation_form(
        new_context, idp, load_form, shoot):
    form_id = load_form(CORPORATE_FORM, "corporate")
    page = new_context().new_page()
    page.goto(f"/apply/{form_id}")
    assert page.locator("button.start").count() == 0  # nothing starts before sign-in
    page.locator("#sign-in a", has_text="ログインして申請を始める").click()
    providers = page.locator("main form.signin-provider button")
    assert providers.all_inner_texts() == ["gBizIDでログイン（法人・個人事業主）"]  # businesses only
    providers.click()
    sign_in_at_provider(page, idp, "株式会社 鈴鹿テスト（法人・gBizID風）")
    assert page.url.endswith(f"/apply/{form_id}"), page.url
    page.locator("button.start").click()
    assert page_id(page) == "company"
    assert value(page, "number") == "1234567890123"
    assert value(page, "company") == "株式会社鈴鹿テスト"
    assert value(page, "head") == "鈴鹿 一郎"
    assert (value(page, "office-city"), value(page, "office-street")) == ("鈴鹿市", "神戸1丁目18番18号")
    shoot(page, "prefilled")
    next_page(page)
    assert page.locator("main .tag-vouched").count() == 4, page.locator("main").inner_text()
    receipt = submit(page, shoot)
    open_menu(page).locator("a", has_text="マイページ").click()
    main = page.locator("main").inner_text()
    assert receipt in main and "株式会社鈴鹿テスト" in main and "1234567890123" in main, main
    shoot(page, "mypage")


def test_a_form_that_requires_sign_in_leads_to_it_before_anything_starts(
        new_context, idp, load_form, shoot):
    form_id = load_form(REQUIRED_FORM, "required")
    page = new_context().new_page()
    page.goto(f"/apply/{form_id}")
    notice = page.locator("#sign-in")
    assert "この申請にはログインが必要です" in notice.inner_text()
    assert page.locator("button.start").count() == 0, "no way to start without signing in"
    shoot(page, "start-signed-out")
    # a page of the form opened directly: no draft, back to the start page
    page.goto(f"/apply/{form_id}/you")
    assert page.url.endswith(f"/apply/{form_id}"), page.url
    # and the start itself, posted as the start page's button would: to sign-in
    token = page.evaluate("""() => fetch('/signin').then(r => r.text())
        .then(t => (t.match(/name="csrf_token" value="([^"]+)"/) || [])[1])""")
    answer = page.request.post(f"/apply/{form_id}/start", form={"csrf_token": token}, max_redirects=0)
    assert answer.status in (302, 303), answer.status
    assert answer.headers["location"].startswith("/signin?"), answer.headers["location"]

    page.locator("#sign-in a", has_text="ログインして申請を始める").click()
    assert page.url.split("?")[0].endswith("/signin")
    page.get_by_role("button", name="マイナンバーカードでログイン").click()
    sign_in_at_provider(page, idp, "伊勢 花子（個人・マイナンバーカード風）")
    assert page.url.endswith(f"/apply/{form_id}"), page.url
    page.locator("button.start").click()
    assert page_id(page) == "you"
    assert (value(page, "name-family"), value(page, "name-given")) == ("伊勢", "花子")
