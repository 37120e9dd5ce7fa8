"""A resident completes every shipped form on a phone: mistakes first, then right."""

from __future__ import annotations

import re

import pytest
import requests

from .filler import fill_page

FORMS = ["hunting-licence-renewal", "prefectural-housing", "information-disclosure",
         "vocational-training", "industrial-waste-report", "small-business-subsidy"]


def definition(server, form_id):
    return requests.get(f"{server}/api/v1/forms/{form_id}", timeout=10).json()["definition"]


def next_button(page):
    return page.locator(".actions button[value=next]")


@pytest.mark.parametrize("form_id", FORMS)
def test_complete_every_form_on_a_phone(phone, server, shoot, form_id):
    defn = definition(server, form_id)
    pages = {p["id"]: p for p in defn["pages"]}
    phone.goto(f"/apply/{form_id}")
    shoot(phone, "start")
    phone.locator("button.start").click()

    # a mistake first: nothing filled in, then a wrong email on the first page that has one
    first = phone.url
    next_button(phone).click()
    summary = phone.locator(".error-summary")
    assert summary.is_visible()
    # the error summary takes focus (autofocus is applied at the next rendering step)
    phone.wait_for_function("() => document.activeElement.classList.contains('error-summary')", timeout=3000)
    assert phone.title().startswith("エラー")
    shoot(phone, "errors")
    link = summary.locator("a").first
    target = link.get_attribute("href")
    assert phone.locator(target).count() == 1, f"the error summary links to {target}"
    assert phone.url == first

    for _ in range(12):
        page_id = phone.url.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
        if page_id == "check":
            break
        fill_page(phone, pages[page_id])
        email = phone.locator('input[type=email]').first
        if email.count() and email.is_visible() and not getattr(test_complete_every_form_on_a_phone, "_typo", {}).get(form_id):
            email.fill("taro.mie@@example")
            next_button(phone).click()
            assert "メールアドレス" in phone.locator(".error-summary").inner_text()
            # what was typed elsewhere on the page is still there
            assert phone.locator('input[type=email]').first.input_value() == "taro.mie@@example"
            shoot(phone, f"{page_id}-wrong-email")
            test_complete_every_form_on_a_phone.__dict__.setdefault("_typo", {})[form_id] = True
            phone.locator('input[type=email]').first.fill("taro.mie@example.jp")
        shoot(phone, page_id)
        next_button(phone).click()
        if phone.locator(".error-summary").count():
            shoot(phone, f"{page_id}-unexpected-errors")
            pytest.fail(f"{form_id}/{page_id}: " + phone.locator(".error-summary").inner_text())
    assert phone.url.endswith("/check"), phone.url
    body = phone.locator("main").inner_text()
    assert "申請内容の確認" in body and "変更" in body
    # readings typed in hiragana (or half-width) were stored as katakana
    assert "ヤマダ タロウ" in body or "ミエケン" in body
    assert "やまだ" not in body and "みえけん" not in body
    shoot(phone, "check")
    declaration = phone.locator("#declaration")
    if declaration.count():
        phone.locator("form button[type=submit]").last.click()
        assert phone.locator(".error-summary").is_visible()
        phone.locator("#declaration").check()
    phone.locator("form button[type=submit]").last.click()
    assert "/done/" in phone.url
    text = phone.locator("main").inner_text()
    receipt = re.search(r"\d{4}-[2-9A-HJKMNP-Z]{8}", text)
    assert receipt, text
    shoot(phone, "done")
    # the status page shows it as received
    phone.locator("text=申請状況を確認する").click()
    assert "受付済み" in phone.locator("main").inner_text()
    shoot(phone, "status")
    # the page weight of a form page stays small and needs no script
    html = requests.get(f"{server}/apply/{form_id}", timeout=10).text
    assert "<script" not in html
