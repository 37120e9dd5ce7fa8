"""The form builder in a browser: a department author builds a three-page form from the
corporation template with the keyboard, previews it at phone width, fixes the problem the
builder shows, and sends it for review; the bureau sees the changes and approves; the
status history gets its row, the dashboard moves, and a resident completes the new form.
axe runs on every builder page (`shoot`); a few screenshots go to e2e/artifacts/, or to
docs/images/ with DOC_SCREENSHOTS=1 (how the docs' pictures are remade)."""

from __future__ import annotations

import os
import re

import pyotp
import requests
import yaml

from app.builder import bundle

from .conftest import ROOT
from .filler import fill_page, fill_to_check, page_id

PASSWORD = "tetsuzuki-demo-2026"
FORM_ID = "e2e-corporation-permit"
REVIEWER = "e2e-reviewer@example.pref.mie.lg.jp"
DOCS = ROOT / ("docs/images" if os.environ.get("DOC_SCREENSHOTS") else "e2e/artifacts")


def sign_in(page, email):
    page.goto("/staff/login")
    page.focus("#email")
    page.keyboard.type(email)
    page.focus("#password")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    if page.url.endswith("/staff/2fa/setup"):  # the bureau sets up its second factor first
        totp = pyotp.TOTP(page.locator("#key").inner_text().replace(" ", ""))
        type_into(page, "#code", totp.now())
        with page.expect_navigation():
            page.keyboard.press("Enter")


def press(page, selector):
    """Move the focus to a link or button and press Enter, as a keyboard user does."""
    page.locator(selector).first.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def tick(page, selector):
    page.locator(selector).focus()
    page.keyboard.press("Space")


def type_into(page, selector, text):
    page.locator(selector).focus()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text)


def doc_shot(page, name):
    DOCS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS / f"builder-{name}.png"), full_page=True)


def rate(server) -> float:
    return requests.get(f"{server}/api/v1/kpi", timeout=10).json()["weighted"]["rate"]


def test_a_department_builds_a_form_the_bureau_publishes_it_a_resident_uses_it(
    new_context, server, shoot, flask_cli
):
    author = new_context().new_page()
    sign_in(author, "norin@example.pref.mie.lg.jp")
    author.goto("/staff/procedures?status=planned")
    author.locator("table tbody a").first.click()
    code = author.url.rsplit("/", 1)[-1]

    # start from the corporation template
    press(author, "a:has-text('オンライン申請フォームを作る')")
    shoot(author, "builder-start")
    type_into(author, "#form_id", FORM_ID)
    author.select_option("#template", "corporation")
    press(author, "button:has-text('下書きを作る')")
    assert "法人名" in author.locator("main").inner_text()
    shoot(author, "builder-overview")
    press(author, "a:has-text('様式の設定を変更する')")
    tick(author, "#lang-ja-easy")
    press(author, "button:has-text('保存する')")
    assert "未翻訳（やさしい日本語）" in author.locator("main").inner_text()  # back on the overview
    press(author, "a:has-text('様式の設定を変更する')")
    shoot(author, "builder-settings")
    tick(author, "#lang-ja-easy")  # not offered after all
    press(author, "button:has-text('保存する')")

    # a third page with a choice and a file question shown for one of its answers
    press(author, "button:has-text('ページを追加する')")
    type_into(author, "#title-ja", "添付書類")
    type_into(author, "#title-en", "Documents")
    press(author, "button[value=save]")
    shoot(author, "builder-page")
    tick(author, "#type-radio")
    press(author, "button[value=add_question]")
    type_into(author, "#label-ja", "書類の出し方")
    tick(author, "#required")
    type_into(author, "#opt-0-value", "online")
    type_into(author, "#opt-0-ja", "オンラインで添付する")
    type_into(author, "#opt-1-value", "mail")
    type_into(author, "#opt-1-ja", "郵送する")
    press(author, "button[value=save]")
    assert "保存しました" in author.locator("main").inner_text()
    press(author, "a.back")
    tick(author, "#type-file")
    press(author, "button[value=add_question]")
    type_into(author, "#label-ja", "登記事項証明書")
    tick(author, "#required")
    type_into(author, "#x-accept", "application/pdf")
    type_into(author, "#x-max_size_mb", "10MB")  # not a number: the builder says so
    tick(author, "#cond-simple")
    author.select_option("#cond-field", "radio")
    type_into(author, "#cond-value", "online")
    press(author, "button[value=save]")
    problem = author.locator("#question-problems")
    assert "max_size_mb" in problem.inner_text()
    shoot(author, "builder-question-problem")
    doc_shot(author, "question-problem")
    type_into(author, "#x-max_size_mb", "10")
    press(author, "button[value=save]")
    assert author.locator("#question-problems").count() == 0
    assert "「書類の出し方」が「オンラインで添付する」" in author.locator("main").inner_text()
    shoot(author, "builder-question")
    doc_shot(author, "question")

    # a repeating group of the corporation's other officers, built without YAML, then
    # moved to the representative's page
    press(author, "a.back")
    tick(author, "#type-group")
    press(author, "button[value=add_question]")
    type_into(author, "#label-ja", "その他の役員")
    type_into(author, "#x-item_label-ja", "役員")
    type_into(author, "#x-repeat-max", "5")
    press(author, "button[value=save]")
    assert "まとまりの中の質問はまだありません。" in author.locator("main").inner_text()
    tick(author, "#inner-type-text")
    press(author, "button:has-text('まとまりに質問を追加する')")
    type_into(author, "#label-ja", "役員の氏名")
    type_into(author, "#x-max_length", "50")
    press(author, "button[value=save]")
    shoot(author, "builder-group-question")
    press(author, "a.back")
    assert "役員の氏名" in author.locator("#inner-0").inner_text()
    assert author.locator("#question-problems").count() == 0
    shoot(author, "builder-group")
    doc_shot(author, "group")
    author.select_option("#to_page", "1")
    press(author, "button[value=move]")
    assert "ページ2に移しました。" in author.locator("main").inner_text()
    shoot(author, "builder-question-moved")

    press(author, "a.back")
    press(author, "a.back")
    text = author.locator("main").inner_text()
    assert "問題は見つかりませんでした。" in text and "添付書類" in text
    doc_shot(author, "overview")

    # preview at phone width: the resident's pages, answers thrown away
    definition = yaml.safe_load(author.context.request.get(author.url + "/form.yaml").text())
    pages = {p["id"]: p for p in definition["pages"]}
    press(author, "a:has-text('住民が見る画面でプレビューする')")
    assert author.viewport_size["width"] == 375
    for _ in range(5):
        if page_id(author) == "check":
            break
        fill_page(author, pages[page_id(author)])
        shoot(author, f"builder-preview-{page_id(author)}")
        if page_id(author) == "page3":
            doc_shot(author, "preview")
        author.locator(".actions button[value=next]").click()
        assert not author.locator(".error-summary").count(), author.locator("main").inner_text()
    assert "登記事項証明書" in author.locator("main").inner_text()
    shoot(author, "builder-preview-check")
    press(author, "main form button[type=submit]")
    assert "保存も送信もしていません" in author.locator("main").inner_text()
    shoot(author, "builder-preview-submitted")

    press(author, "button:has-text('審査に出す')")
    assert "審査に出しました" in author.locator("main").inner_text()
    shoot(author, "builder-sent")
    draft_url = author.url

    # the bureau reviews: the changes in words and the YAML diff, then approves
    before = rate(server)
    desk = new_context(1280, 800).new_page()
    # a reviewer of its own: the demo bureau account's first sign-in belongs to the staff
    # journeys (it sets up its second factor there)
    flask_cli("staff", "create", REVIEWER, "--role", "bureau", "--password", PASSWORD)
    sign_in(desk, REVIEWER)
    desk.goto("/staff/builder/")
    shoot(desk, "builder-index")
    desk.goto(draft_url + "/review")
    text = desk.locator("main").inner_text()
    assert "初めて公開する様式です。" in text and f"id: {FORM_ID}" in desk.content()
    shoot(desk, "builder-review")
    doc_shot(desk, "review")
    assert desk.locator("#record_online").is_checked()
    press(desk, "button[value=approve]")
    assert "承認して公開しました" in desk.locator("main").inner_text()

    desk.goto(f"/staff/builder/forms/{code}")
    assert "v1" in desk.locator("main").inner_text()
    shoot(desk, "builder-versions")
    desk.goto(f"/staff/procedures/{code}")
    first_row = desk.locator("table tbody tr").first.inner_text()
    assert "オンライン申請可" in first_row and REVIEWER in first_row
    after = rate(server)
    assert after > before, (code, before, after)

    # a resident completes the new form to a receipt
    resident = new_context().new_page()
    published = requests.get(f"{server}/api/v1/forms/{FORM_ID}", timeout=10).json()["definition"]
    resident.goto(f"/apply/{FORM_ID}")
    resident.click("button.start")
    fill_to_check(resident, {p["id"]: p for p in published["pages"]})
    resident.locator("main form button[type=submit]").last.click()
    assert re.search(r"\d{4}-[2-9A-HJKMNP-Z]{8}", resident.locator("main").inner_text())


def test_a_bundle_from_another_deployment_brings_its_templates(new_context, shoot):
    """The department exports its bundle, and imports one from another organisation: the
    forms become drafts, a template of theirs is offered when a form is started."""
    author = new_context().new_page()
    sign_in(author, "norin@example.pref.mie.lg.jp")
    author.goto("/staff/builder/")
    shoot(author, "builder-index-department")
    exported = author.context.request.get("/staff/builder/bundle.zip").body()
    got = bundle.read(exported)
    assert not got.problems and any(e.kind == "template" for e in got.entries)
    theirs = bundle.write([*got.entries, bundle.Entry(
        "template", "templates/forest-owner.yaml", "forest-owner", 1, FOREST_OWNER)])
    author.locator("#bundle").set_input_files(
        {"name": "forms-bundle.zip", "mimeType": "application/zip", "buffer": theirs})
    press(author, "button:has-text('取り込む')")
    text = author.locator("main").inner_text()
    assert "まとめて取り込んだ結果" in text and "森林の所有者（forest-owner）" in text
    shoot(author, "builder-imported")
    author.goto("/staff/procedures?status=planned")
    author.locator("table tbody a").first.click()
    press(author, "a:has-text('オンライン申請フォームを作る')")
    assert "森林の所有者（取り込んだひな形）" in author.locator("#template").inner_text()


FOREST_OWNER = """# ひな形: 森林の所有者（ほかの団体から）
id: forest-owner
version: 1
procedure: TEMPLATE
title: {ja: 森林の所有者, en: Forest owner}
languages: [ja, en]
pages:
  - id: owner
    title: {ja: 所有者, en: Owner}
    fields:
      - id: owner_name
        type: name
        label: {ja: 所有者の氏名, en: Name of the owner}
        required: true
"""
