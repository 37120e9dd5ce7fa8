"""A correction (補正) end to end: a resident submits on a phone; staff (at a desk) return it
with a marked question and a deadline; the resident gets the mail, opens the correction
from the status page, corrects an answer and replaces a file, resubmits; staff see
revision 2."""

from __future__ import annotations

import email
import re
import time
from datetime import date, timedelta
from email import policy
from pathlib import Path

import requests

from .conftest import SERVER_ENV
from .filler import _png, fill_page
from .test_staff_journeys import sign_in

FORM = "hunting-licence-renewal"


def apply(page, server) -> tuple[str, str]:
    """Fill and submit the form → (receipt number, access code) from the done page."""
    defn = requests.get(f"{server}/api/v1/forms/{FORM}", timeout=10).json()["definition"]
    pages = {p["id"]: p for p in defn["pages"]}
    page.goto(f"/apply/{FORM}")
    page.click("button.start")
    for _ in range(10):
        page_id = page.url.rsplit("/", 1)[-1]
        if page_id == "check":
            break
        fill_page(page, pages[page_id])
        page.locator(".actions button[value=next]").click()
    page.check("#declaration")
    page.locator("form button[type=submit]").last.click()
    text = page.locator("main").inner_text()
    receipt = re.search(r"\d{4}-[2-9A-HJKMNP-Z]{8}", text).group(0)
    code = re.search(r"アクセスコード\s*[:：]?\s*([2-9A-HJKMNP-Z-]{8,9})", text).group(1)
    return receipt, code


def mail_about(receipt: str, subject: str, wait: float = 60) -> email.message.EmailMessage:
    """The resident's mail (the development transport writes .eml files) → the message."""
    outbox = Path(SERVER_ENV["DOCUMENT_DIR"]) / "mail"  # the test server's DOCUMENT_DIR
    until = time.monotonic() + wait
    while time.monotonic() < until:
        for path in outbox.glob(f"notice-{receipt}-*.eml"):
            msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            if subject in msg["Subject"]:
                return msg
        time.sleep(0.2)
    raise AssertionError(f"no mail '{subject}' for {receipt} in {outbox}")


def test_return_correct_and_resubmit(new_context, server, shoot):
    resident = new_context().new_page()
    receipt, code = apply(resident, server)

    desk = new_context(1280, 800).new_page()
    sign_in(desk, "norin@example.pref.mie.lg.jp")
    desk.goto("/staff/submissions")
    assert "未読" in desk.locator("main").inner_text()
    desk.fill("#q", receipt)
    desk.click("text=絞り込む")
    assert desk.locator("tbody tr").count() == 1
    shoot(desk, "inbox")
    desk.click(f"text={receipt}")
    desk.click("text=補正を求めて差し戻す")
    due = (date.today() + timedelta(days=14)).isoformat()
    desk.fill("#return-message", "電話番号がつながりませんでした。\n顔写真も撮り直してください。")
    desk.check("#mark-phone")
    desk.check("#mark-photo")
    desk.fill("#due_on", due)
    shoot(desk, "return-form")
    desk.click("text=差し戻す >> nth=-1")
    assert "補正を求めて差し戻しました" in desk.locator("main").inner_text()
    shoot(desk, "returned")

    msg = mail_about(receipt, "補正をお願いします")
    body = msg.get_content()
    assert "電話番号がつながりませんでした。" in body and due in body
    assert "顔写真も撮り直してください" not in body  # only the first line is mailed
    assert code not in body and code.replace("-", "") not in body
    link = re.search(r"https?://\S+/status\?receipt_no=\S+", body).group(0)

    # the link leads to the status page, which asks for the access code
    phone = new_context().new_page()
    phone.goto(link)
    assert phone.locator("#receipt_no").input_value() == receipt
    phone.fill("#access_code", code)
    phone.locator("main form button[type=submit]").click()
    text = phone.locator("main").inner_text()
    assert "補正のお願い" in text and due in text
    shoot(phone, "status-returned")
    phone.click("text=申請を補正する")
    assert phone.url.endswith(f"/correction/{receipt}/check")
    assert phone.locator(".tag-marked").count() == 2
    shoot(phone, "correction-check")

    phone.click("a[href*='/applicant?from=check']")
    phone.fill("#phone", "0592242001")
    phone.locator(".actions button[value=next]").click()
    # the number is shown grouped as written in Japan (formengine normalise.group_tel)
    assert phone.url.endswith("/check") and "059-224-2001" in phone.locator("main").inner_text()
    phone.click("a[href*='/documents?from=check']")
    phone.set_input_files(
        "#photo", {"name": "retaken.png", "mimeType": "image/png", "buffer": _png()}
    )
    shoot(phone, "correction-page")
    phone.locator(".actions button[value=next]").click()
    assert "retaken.png" in phone.locator("main").inner_text()
    phone.check("#declaration")
    phone.click("button:has-text('再申請する')")
    text = phone.locator("main").inner_text()
    assert "補正した申請を受け付けました" in text and "第2版" in text
    assert "受付済み" in text and "retaken.png" in text
    shoot(phone, "resubmitted")
    assert "補正後の申請を受け付けました" in mail_about(receipt, "補正後の申請")["Subject"]

    desk.reload()
    main = desk.locator("main").inner_text()
    assert "補正の履歴" in main and "第2版" in main and "retaken.png" in main
    desk.click("a:has-text('第1版')")
    first = desk.locator("main").inner_text()
    assert "retaken.png" not in first and "059-224-2001" not in first
    shoot(desk, "revision-1")
