"""Decisions in steps and signed results, in a browser: a resident applies for the grant
(375 px); the officer sends it on and the head of division approves it (1280 px); the
resident downloads the signed notice, which pdfsig and /verify confirm; undoing the
decision is in the audit log; an overdue case shows on the staff home page."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import requests

from .conftest import ROOT, SERVER_ENV
from .filler import fill_to_check
from .test_staff_journeys import sign_in

FORM = "small-business-subsidy"


def apply(phone, server, shoot) -> tuple[str, str]:
    """A resident applies for the grant → (receipt number, access code)."""
    defn = requests.get(f"{server}/api/v1/forms/{FORM}", timeout=10).json()["definition"]
    phone.goto(f"/apply/{FORM}")
    start = phone.locator("main").inner_text()
    assert "電子署名付きの文書（PDF）で交付します" in start  # the start page says how results come
    shoot(phone, "start")
    phone.click("button.start")
    fill_to_check(phone, {p["id"]: p for p in defn["pages"]})
    phone.check("#declaration")
    phone.locator("main form button[type=submit]").last.click()
    assert "/done/" in phone.url
    receipt = re.search(r"\d{4}-[2-9A-HJKMNP-Z]{8}", phone.locator("main").inner_text()).group(0)
    access = phone.locator("strong.receipt").nth(1).inner_text().strip()
    return receipt, access


def decide(page, receipt: str, action: str, **fields) -> str:
    page.goto(f"/staff/submissions/{receipt}")
    form = page.locator(f"form:has(input[name=action][value={action}])")
    for name, value in fields.items():
        if name == "outcome":
            form.locator(f"#outcome-{value}").check()
        else:
            form.locator(f"[name={name}]").fill(value)
    form.locator("button[type=submit]").click()
    return page.locator("main").inner_text()


def test_two_steps_a_signed_notice_verify_undo_and_overdue(new_context, server, shoot):
    phone = new_context().new_page()
    receipt, access = apply(phone, server, shoot)

    officer = new_context(1280, 800).new_page()
    sign_in(officer, "koyo@example.pref.mie.lg.jp")
    officer.goto(f"/staff/submissions/{receipt}")
    officer.check("#to-in_review")
    officer.click("section[aria-labelledby=move-title] button[type=submit]")
    text = decide(officer, receipt, "forward", memo="事業計画と見積書を確認しました。")
    assert "次の段階へ送りました" in text
    assert "決裁する" not in officer.locator("main").inner_text()  # a second person decides
    shoot(officer, "officer-sent-on")

    head = new_context(1280, 800).new_page()
    sign_in(head, "koyo-head@example.pref.mie.lg.jp")
    head.goto(f"/staff/submissions/{receipt}")
    assert "事業計画と見積書を確認しました。" in head.locator("main").inner_text()
    shoot(head, "head-decides")
    text = decide(head, receipt, "decide", outcome="approved", message="交付を決定しました。")
    assert "決裁しました" in text

    # the resident: the status page lists the signed notice; it downloads
    phone.goto("/status")
    phone.fill("#receipt_no", receipt)
    phone.fill("#access_code", access)
    phone.locator("main form button[type=submit]").click()
    body = phone.locator("main").inner_text()
    assert "承認" in body and "交付を決定しました。" in body
    assert "事業計画と見積書を確認しました" not in body  # internal memos stay inside
    link = phone.locator("a", has_text="補助金交付決定通知書")
    for _ in range(60):  # the job signs it right after the decision (作成中 until then)
        if link.count():
            break
        phone.wait_for_timeout(1000)
        phone.reload()
    shoot(phone, "status-with-notice")
    with phone.expect_download() as download:
        link.click()
    notice = shoot.folder / "notice.pdf"
    download.value.save_as(notice)
    data = notice.read_bytes()
    assert data.startswith(b"%PDF")
    if shutil.which("pdfsig"):
        out = subprocess.run(["pdfsig", str(notice)], capture_output=True, text=True).stdout
        assert "Signature is Valid." in out and "Total document signed" in out

    # /verify: the notice is the prefecture's; a changed copy is not
    phone.goto("/verify")
    shoot(phone, "verify")
    phone.set_input_files("#document", str(notice))
    phone.locator("main form button[type=submit]").click()
    assert (
        "三重県が発行した文書です。発行後に変更されていません。"
        in phone.locator("main").inner_text()
    )
    shoot(phone, "verified")
    changed = shoot.folder / "changed.pdf"
    at = data.index(b"/Title")
    changed.write_bytes(data[: at + 8] + b"X" + data[at + 9 :])
    phone.set_input_files("#document", str(changed))
    phone.locator("main form button[type=submit]").click()
    assert "署名の後に変更されています" in phone.locator("main").inner_text()

    # the head takes the decision back, with a reason: audited, and the notice withdrawn
    text = decide(head, receipt, "undo", memo="交付申請額の計算誤り")
    assert "決裁を取り消しました" in text
    record = head.locator("section.decision").inner_text()
    assert "決裁の取消し" in record and "交付申請額の計算誤り" in record
    shoot(head, "undone")
    audit = subprocess.run(
        [sys.executable, "-c", AUDIT, receipt], cwd=ROOT, env=SERVER_ENV, check=True,
        capture_output=True, text=True,
    ).stdout.split()
    assert "submission.undo" in audit and "submission.decide" in audit
    phone.set_input_files("#document", str(notice))
    phone.locator("main form button[type=submit]").click()
    assert "取り消されています" in phone.locator("main").inner_text()

    # an overdue case counts on the home page (its due date moved back: no waiting 30 days)
    subprocess.run([sys.executable, "-c", OVERDUE, receipt], cwd=ROOT, env=SERVER_ENV, check=True)
    officer.goto("/staff/")
    home = officer.locator("main").inner_text()
    assert re.search(r"期限超過: ?1", home) and receipt in home
    shoot(officer, "home-overdue")


AUDIT = """
import sys
from sqlalchemy import select
from app import create_app
from app.extensions import db
from app.staff.models import AuditEvent
app = create_app()
with app.app_context():
    print(*db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.target == f"submission:{sys.argv[1]}")))
"""

OVERDUE = """
import sys
from datetime import timedelta
from app import create_app
from app.clock import today
from app.extensions import db
from app.submissions import store
app = create_app()
with app.app_context():
    store.find_by_receipt(sys.argv[1]).due_on = today() - timedelta(days=2)
    db.session.commit()
"""
