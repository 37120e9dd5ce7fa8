"""Staff in a browser: each demo role signs in; a status update moves the dashboard;
processing a submission changes what the resident sees."""

from __future__ import annotations

import re

import pyotp
import pytest
import requests

from .filler import fill_page

PASSWORD = "tetsuzuki-demo-2026"


def sign_in(page, email):
    page.goto("/staff/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")


@pytest.mark.parametrize("email,sees", [
    ("admin@example.pref.mie.lg.jp", "操作記録"),
    ("bureau@example.pref.mie.lg.jp", "申請の受付"),
    ("norin@example.pref.mie.lg.jp", "農林水産部"),
], ids=["admin", "bureau", "department"])
def test_each_role_signs_in(phone, shoot, email, sees):
    sign_in(phone, email)
    if not email.startswith("norin"):  # admin and bureau set up their second factor first
        assert phone.url.endswith("/staff/2fa/setup")
        shoot(phone, "two-factor-setup")
        totp = pyotp.TOTP(phone.locator("#key").inner_text().replace(" ", ""))
        phone.fill("#code", totp.now())
        phone.click("main form button[type=submit]")
        codes = phone.locator("ul.recovery-codes code").all_inner_texts()
        assert len(codes) == 10
        shoot(phone, "recovery-codes")
        phone.click("text=ログアウト")
        sign_in(phone, email)  # now the code is asked for; a recovery code works at once
        assert phone.url.endswith("/staff/login/code")
        shoot(phone, "code")
        phone.fill("#code", codes[0])
        phone.click("main form button[type=submit]")
    assert phone.url.endswith("/staff/")
    assert sees in phone.locator("body").inner_text()
    shoot(phone, "home")
    phone.click("text=ログアウト")
    assert "/staff/login" in phone.url
    phone.goto("/staff/")
    assert "/staff/login" in phone.url  # the session really ended


def test_a_status_update_moves_the_dashboard(phone, server, shoot, flask_cli):
    def rate():
        return requests.get(f"{server}/api/v1/kpi", timeout=10).json()["weighted"]["rate"]

    before = rate()
    # the police's desk, an account of its own: the form builder's journey takes the one
    # planned priority procedure of the demo departments online (P-0037, 農林水産部)
    desk = "keisatsu-desk@example.pref.mie.lg.jp"
    flask_cli("staff", "create", desk, "--role", "department", "--department", "KEISATSU",
              "--password", PASSWORD)
    sign_in(phone, desk)
    phone.goto("/staff/procedures?status=planned")
    shoot(phone, "procedures")
    # a planned priority procedure of the department with receipts: it moves the official
    # figure (priority scope); other journeys add procedures that would move nothing
    listed = phone.locator("table tbody a").evaluate_all("links => links.map(a => a.href)")

    def moves_the_figure(code: str) -> bool:
        p = requests.get(f"{server}/api/v1/procedures/{code}", timeout=10).json()
        return p["priority"] and any(v["receipts"] for v in p["volumes"])

    code = next(c for c in (h.rsplit("/", 1)[-1] for h in listed) if moves_the_figure(c))
    phone.locator(f'table tbody a[href$="/{code}"]').click()
    assert phone.url.endswith(f"/{code}")
    phone.select_option("#status", "online")
    phone.fill("#effective_date", "2026-04-01")
    phone.fill("#note", "電子申請を開始")
    shoot(phone, "procedure-form")
    phone.click("text=状態を記録する >> nth=1")
    assert "状態を記録しました" in phone.locator("main").inner_text()
    shoot(phone, "procedure-recorded")
    after = rate()
    assert after > before, (code, before, after)
    phone.goto("/dashboard")
    assert f"{after * 100:.1f}%" in phone.locator(".headline").inner_text()


def test_processing_a_submission_changes_the_residents_status_page(new_context, server, shoot):
    page = new_context().new_page()
    defn = requests.get(f"{server}/api/v1/forms/hunting-licence-renewal", timeout=10).json()["definition"]
    pages = {p["id"]: p for p in defn["pages"]}
    page.goto("/apply/hunting-licence-renewal")
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

    desk = new_context(1280, 800).new_page()
    sign_in(desk, "norin@example.pref.mie.lg.jp")
    desk.goto("/staff/submissions")
    desk.click(f"text={receipt}")
    shoot(desk, "submission")
    desk.check("#to-in_review")
    desk.click("main form button[type=submit]")
    desk.click("text=補正を求めて差し戻す")
    desk.fill("#return-message", "診断書の日付が確認できません。再提出してください。")
    desk.click("text=差し戻す >> nth=-1")
    assert "補正を求めて差し戻しました" in desk.locator("main").inner_text()
    shoot(desk, "submission-returned")

    page.goto(f"/status/{receipt}")
    body = page.locator("main").inner_text()
    assert "補正のため差し戻し" in body and "診断書の日付が確認できません" in body
    shoot(page, "resident-status")
    # the department of another procedure cannot open it
    other = new_context(1280, 800).new_page()
    sign_in(other, "kendo@example.pref.mie.lg.jp")
    response = other.goto(f"/staff/submissions/{receipt}")
    assert response.status == 403
