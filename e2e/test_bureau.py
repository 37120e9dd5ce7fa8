"""The DX bureau preparing a board report, and a resident telling how it went."""

from __future__ import annotations

import re

import requests

from .filler import fill_page


def test_official_figure_and_laggards_first_on_a_phone(phone, shoot):
    phone.goto("/dashboard")
    main = phone.locator("main")
    # the first figure on the page is the official one, with its label
    first_big = main.locator(".big").first
    official = main.locator(".figure.official")
    assert official.locator(".big").inner_text() == first_big.inner_text()
    assert "公式の指標" in official.inner_text()
    assert main.locator(".sensitivity").is_visible()
    # the first department row is a laggard (behind its target), not a 100 % one
    first_row = main.locator("table.departments tbody tr").first
    assert "ポイント" in first_row.inner_text()
    shoot(phone, "dashboard")
    first_row.locator("th a").click()
    assert "手続ごとの状況" in phone.locator("main").inner_text()
    shoot(phone, "department")


def test_pdf_and_xlsx_downloads(phone, shoot):
    from openpyxl import load_workbook

    phone.goto("/dashboard?fy=2025")
    shoot(phone, "dashboard-2025")
    with phone.expect_download() as pdf:
        phone.get_by_role("link", name=re.compile("KPI報告書")).click()
    path = shoot.folder / "kpi-report-2025.pdf"
    pdf.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    with phone.expect_download() as xlsx:
        phone.get_by_role("link", name=re.compile("数値一覧")).click()
    path = shoot.folder / "kpi-figures-2025.xlsx"
    xlsx.value.save_as(path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["公式の指標", "推移", "部局別", "未対応の手続", "オンライン利用"]
    ws = wb["公式の指標"]
    assert ws["A1"].value == "年度" and ws["G1"].value == "デジタル化率"
    assert ws["A2"].value == 2025 and ws["C2"].value == "公式の指標"
    assert isinstance(ws["E2"].value, int) and isinstance(ws["G2"].value, float)
    assert 0.9 < ws["G2"].value <= 1.0


FORM = "information-disclosure"


def _apply(page, server) -> None:
    """Complete the form as a resident → on its done page."""
    defn = requests.get(f"{server}/api/v1/forms/{FORM}", timeout=10).json()["definition"]
    pages = {p["id"]: p for p in defn["pages"]}
    page.goto(f"/apply/{FORM}")
    page.locator("button.start").click()
    for _ in range(12):
        page_id = page.url.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
        if page_id == "check":
            break
        fill_page(page, pages[page_id])
        page.locator(".actions button[value=next]").click()
    if page.locator("#declaration").count():
        page.locator("#declaration").check()
    page.locator("form button[type=submit]").last.click()
    assert "/done/" in page.url


def test_residents_answer_and_the_service_page_shows_figures(new_context, server, shoot):
    procedure = requests.get(f"{server}/api/v1/forms/{FORM}", timeout=10).json()["definition"]["procedure"]
    first = new_context().new_page()
    _apply(first, server)
    main = first.locator("main")
    assert "この手続の使いやすさはいかがでしたか" in main.inner_text()
    first.locator("form button", has_text="回答を送る").click()  # nothing chosen
    assert "5段階のうち" in first.locator(".error-summary").inner_text()
    shoot(first, "feedback-error")
    first.get_by_label("使いやすい", exact=True).check()
    first.locator("#comment").fill("わかりやすかったです。連絡先 090-1234-5678")
    first.locator("form button", has_text="回答を送る").click()
    assert "ご回答ありがとうございました" in first.locator("main").inner_text()
    shoot(first, "feedback-thanks")
    # one answer: the service page still waits for a second
    first.goto(f"/dashboard/services/{procedure}")
    assert "回答が2件に達するまで表示しません（いま1件）" in first.locator("main").inner_text()
    second = new_context().new_page()
    _apply(second, server)
    second.get_by_label("とても使いやすい", exact=True).check()
    second.locator("form button", has_text="回答を送る").click()
    second.goto(f"/dashboard/services/{procedure}")
    text = second.locator("main").inner_text()
    assert "4.5 / 5" in text and "申請を終えた割合" in text
    shoot(second, "service-performance")


def test_the_bureau_screens_on_a_phone(phone, flask_cli, shoot):
    import pyotp
    from openpyxl import load_workbook

    email, password = "e2e-bureau@example.pref.mie.lg.jp", "bureau-journey-2026"
    flask_cli("staff", "create", email, "--role", "bureau", "--password", password)
    phone.goto("/staff/login")
    phone.fill("#email", email)
    phone.fill("#password", password)
    phone.click("main form button[type=submit]")
    assert phone.url.endswith("/staff/2fa/setup")  # the bureau sets up its second factor
    phone.fill("#code", pyotp.TOTP(phone.locator("#key").inner_text().replace(" ", "")).now())
    phone.click("main form button[type=submit]")
    phone.goto("/staff/bureau/")
    assert "改善の余地" in phone.locator("main").inner_text()
    assert phone.locator("table.ranking tbody tr").count() >= 6  # the six shipped forms
    shoot(phone, "ranking")
    with phone.expect_download() as report:
        phone.get_by_role("link", name=re.compile("サービス品質の報告")).click()
    path = shoot.folder / "service-quality.xlsx"
    report.value.save_as(path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["サービス品質", "利用者の声"]
    assert wb["サービス品質"]["A1"].value == "手続コード"
    phone.goto("/staff/bureau/years")
    shoot(phone, "years")
    phone.goto("/staff/bureau/comments")
    shoot(phone, "comments")
