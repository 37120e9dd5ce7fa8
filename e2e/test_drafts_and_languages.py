"""A resident saves a draft and resumes it on another device (through the link, whose code
travels after '#', and by typing the code), switches language mid-form, submits,
downloads the receipt and looks the status up with the receipt number."""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import requests

from .filler import fill_page, fill_to_check, open_menu, page_id


def definition(server, form_id):
    return requests.get(f"{server}/api/v1/forms/{form_id}", timeout=10).json()["definition"]


def test_resume_a_saved_draft_on_another_device_then_check_the_status(new_context, server, shoot, flask_cli):
    form_id = "vocational-training"
    pages = {p["id"]: p for p in definition(server, form_id)["pages"]}
    first = new_context().new_page()
    first.goto(f"/apply/{form_id}")
    first.locator("button.start").click()
    first_page = page_id(first)
    fill_page(first, pages[first_page])
    typed = {name: first.locator(f'[name="{name}"]').input_value()
             for name in ("name-family", "name-given", "email") if first.locator(f'[name="{name}"]').count()}
    assert typed, "the first page has the resident's name or email"
    first.locator("button[value=save]").click()
    assert first.url.endswith("/saved")
    code = first.locator("strong.receipt").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{5}-[0-9A-Z]{5}", code), code
    shoot(first, "saved")
    link = first.locator("main a[href*='/resume#']").get_attribute("href")
    assert link.endswith(f"/apply/{form_id}/resume#{code}"), link  # the code after '#' only

    # another device, opening the link: its script sends the code from the fragment in a
    # POST; no request carries it in its URL
    linked = new_context().new_page()
    requests_sent = []
    linked.on("request", lambda r: requests_sent.append((urlsplit(r.url)._replace(fragment="").geturl(), r.post_data or "")))
    linked.goto(link)
    linked.wait_for_url(lambda url: "/resume" not in url)
    assert page_id(linked) == first_page, linked.url
    for name, value in typed.items():
        assert linked.locator(f'[name="{name}"]').input_value() == value, name
    assert not any(code in url for url, _ in requests_sent), requests_sent
    assert any(code in body for _, body in requests_sent), "the code was POSTed"
    assert "#" not in linked.url

    # another device: nothing in common with the first but the code, typed
    other = new_context(1280, 800).new_page()
    other.goto(f"/apply/{form_id}")
    other.click("text=一時保存した申請を再開する")
    other.fill("#code", "ZZZZZ-ZZZZZ")
    other.locator("main form button[type=submit]").click()
    other.wait_for_function("() => document.activeElement.classList.contains('error-summary')", timeout=3000)
    shoot(other, "resume-wrong-code")
    other.fill("#code", code.lower())  # typed in lower case, as people do
    other.locator("main form button[type=submit]").click()
    assert page_id(other) == first_page, other.url
    for name, value in typed.items():
        assert other.locator(f'[name="{name}"]').input_value() == value, name
    shoot(other, "resumed")
    fill_to_check(other, pages)
    other.check("#declaration")
    other.locator("main form button[type=submit]").last.click()
    assert "/done/" in other.url
    text = other.locator("main").inner_text()
    receipt = re.search(r"\d{4}-[2-9A-HJKMNP-Z]{8}", text).group(0)
    access = other.locator("strong.receipt").nth(1).inner_text().strip()
    shoot(other, "done")
    download_receipt(other, shoot.folder / "done-receipt.pdf", flask_cli)

    # the status, looked up from the first device with the numbers the resident noted
    first.goto("/status")
    first.fill("#receipt_no", receipt)
    first.fill("#access_code", "WRONG")
    first.locator("main form button[type=submit]").click()
    first.wait_for_function("() => document.activeElement.classList.contains('error-summary')", timeout=3000)
    assert first.title().startswith("エラー")
    shoot(first, "status-wrong-code")
    first.fill("#access_code", access)
    first.locator("main form button[type=submit]").click()
    assert first.url.endswith(f"/status/{receipt}")
    assert "受付済み" in first.locator("main").inner_text()
    shoot(first, "status")
    download_receipt(first, shoot.folder / "status-receipt.pdf", flask_cli)


def download_receipt(page, target: Path, flask_cli):
    """The receipt PDF from the done or status page: the page says 作成中 until a job has
    made it, and offers the download once it is there."""
    link = page.locator('a[href$="receipt.pdf"]')
    swept = False
    deadline = time.monotonic() + 30
    while not link.count() and time.monotonic() < deadline:
        assert "作成できませんでした" not in page.locator("main").inner_text()
        if not swept and time.monotonic() > deadline - 20:
            # Known bug (reported): inline jobs wait for the development server to close the
            # response, which it skips when the browser drops the connection first, and
            # nothing sweeps in inline mode. A worker sweeps pending jobs; do what it does.
            print(f"receipt still pending on {page.url}: {flask_cli('jobs', 'sweep', '--no-periodic')}")
            swept = True
        page.wait_for_timeout(500)
        page.reload()
    assert link.count(), f"no receipt.pdf link on {page.url}: " + page.locator("main").inner_text()
    with page.expect_download() as info:
        link.click()
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(b"%PDF"), data[:20]
    info.value.save_as(target)


def test_the_language_switch_keeps_the_draft(phone, server, shoot):
    form_id = "prefectural-housing"
    pages = {p["id"]: p for p in definition(server, form_id)["pages"]}
    phone.goto(f"/apply/{form_id}")
    phone.locator("button.start").click()
    fill_page(phone, pages["applicant"])
    phone.locator(".actions button[value=next]").click()
    assert page_id(phone) == "housing"

    def answers():
        return (phone.locator('[name="name-family"]').input_value(),
                phone.locator('[name="email"]').input_value(),
                phone.locator('[name="address-city"]').input_value())

    # mid-form, in the header: English
    open_menu(phone).locator("a", has_text="English").click()
    assert phone.locator("html").get_attribute("lang") == "en"
    assert phone.locator("h1").inner_text() == pages["housing"]["title"]["en"]
    assert phone.locator(".actions button[value=next]").inner_text() == "Continue"
    assert "やさしい にほんご" in open_menu(phone).inner_text()
    shoot(phone, "housing-en")
    phone.locator("a.back").click()
    assert page_id(phone) == "applicant"
    assert phone.locator("h1").inner_text() == pages["applicant"]["title"]["en"]
    assert answers() == ("山田", "taro.mie@example.jp", "津市広明町")
    shoot(phone, "applicant-en")

    # やさしい日本語: the form's own words, the draft unchanged
    open_menu(phone).locator("a", has_text="やさしい にほんご").click()
    assert phone.locator("html").get_attribute("lang") == "ja"
    assert phone.locator("h1").inner_text() == pages["applicant"]["title"]["ja-easy"]
    assert pages["applicant"]["fields"][0]["label"]["ja-easy"] in phone.locator("main").inner_text()
    assert answers() == ("山田", "taro.mie@example.jp", "津市広明町")
    shoot(phone, "applicant-ja-easy")

    # back to Japanese; the choice is remembered on the next pages
    open_menu(phone).locator("a", has_text="日本語").click()
    assert phone.locator("h1").inner_text() == pages["applicant"]["title"]["ja"]
    assert answers() == ("山田", "taro.mie@example.jp", "津市広明町")
    phone.locator(".actions button[value=next]").click()
    assert phone.locator("h1").inner_text() == pages["housing"]["title"]["ja"]

    # the page that refuses a submission without the declaration switches too, twice
    fill_to_check(phone, pages)
    for _ in range(2):
        phone.locator("main form button[type=submit]").last.click()
        assert phone.locator(".error-summary").is_visible()
    shoot(phone, "check-refused")
    open_menu(phone).locator("a", has_text="English").click()
    assert phone.url.split("?")[0].endswith(f"/apply/{form_id}/check"), phone.url
    assert phone.locator("h1").inner_text() == "Check your answers"
    assert "山田" in phone.locator("main").inner_text()
    shoot(phone, "check-en")
