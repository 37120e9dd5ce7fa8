"""Journeys of issue 23: a resident finds a procedure by its reading on a phone and reaches
where to apply, in each language; a department sends its catalogue file, sees the bad
row, fixes it, previews and applies; one form changes the status of 20 procedures."""

from __future__ import annotations

import pytest

from e2e.test_staff_journeys import sign_in

APPLY_ELSEWHERE = {"ja": "申請ページへ進む", "en": "Go to the application page", "ja-easy": "しんせいの ページへ"}


@pytest.mark.parametrize("lang", ["ja", "en", "ja-easy"])
def test_a_resident_types_the_reading_and_reaches_where_to_apply(phone, shoot, lang):
    phone.goto(f"/?lang={lang}")
    phone.fill("#q", "じょうかそう")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    results = phone.locator("ul.procedures li")
    assert results.count() == 1
    if lang != "en":  # the reading, with the typed word marked
        assert results.first.locator("mark").first.inner_text() == "じょうかそう"
    shoot(phone, "search")
    with phone.expect_navigation():
        results.first.locator("a").first.click()
    assert phone.url.endswith("/procedures/P-0021")
    heading = phone.locator("h1").inner_text()
    assert heading == ("Notification of septic tank installation" if lang == "en" else "浄化槽設置届")
    go = phone.get_by_role("link", name=APPLY_ELSEWHERE[lang])
    assert go.get_attribute("href") == "https://apply.e-tumo.jp/pref-mie-u/"
    assert go.is_visible()
    assert phone.locator("address.contact a[href^='tel:']").is_visible()
    shoot(phone, "guide")


BAD_FILE = (
    "code,name_ja,department_code,priority,summary\n"
    "P-0006,県営住宅の入居申込,KENDO,1,県営住宅に入居を希望する方の申込です。\n"
    "P-0007,建設業許可申請,KENDO,たぶん,建設業を営む方の許可申請です。\n"
)


def test_a_department_uploads_a_file_with_a_bad_row_fixes_it_and_applies(phone, shoot):
    sign_in(phone, "kendo@example.pref.mie.lg.jp")
    phone.goto("/staff/catalogue")
    phone.set_input_files("#file-1", files=[{"name": "procedures.csv", "mimeType": "text/csv",
                                             "buffer": BAD_FILE.encode("utf-8-sig")}])
    with phone.expect_navigation():
        phone.get_by_role("button", name="確認する", exact=True).click()
    problems = phone.locator(".error-summary").inner_text()
    assert "procedures.csv:3: priority の値 'たぶん' が読めません" in problems
    assert phone.get_by_role("button", name="この内容で取り込む").count() == 0
    shoot(phone, "upload-refused")
    fixed = BAD_FILE.replace(",たぶん,", ",1,")
    phone.set_input_files("#file-1", files=[{"name": "procedures.csv", "mimeType": "text/csv",
                                             "buffer": fixed.encode("utf-8-sig")}])
    with phone.expect_navigation():
        phone.get_by_role("button", name="確認する", exact=True).click()
    preview = phone.locator("main").inner_text()
    assert "まだ取り込んでいません" in preview
    shoot(phone, "upload-preview")
    with phone.expect_navigation():
        phone.get_by_role("button", name="この内容で取り込む", exact=True).click()
    assert "取り込みました。" in phone.locator("main").inner_text()
    phone.goto("/procedures/P-0007")
    assert "建設業を営む方の許可申請です。" in phone.locator("main").inner_text()


NEW_PROCEDURES = "code,name_ja,department_code,priority,valid_from\n" + "".join(
    f"P-{9000 + i},県土整備部の新しい手続{i},KENDO,0,2026-04-01\n" for i in range(1, 11)
)


def test_one_form_records_a_status_for_20_procedures(phone, shoot):
    # the department has 11 procedures: it adds ten new ones from a file first
    sign_in(phone, "kendo@example.pref.mie.lg.jp")
    phone.goto("/staff/catalogue")
    phone.set_input_files("#file-1", files=[{"name": "procedures.csv", "mimeType": "text/csv",
                                             "buffer": NEW_PROCEDURES.encode("utf-8-sig")}])
    with phone.expect_navigation():
        phone.get_by_role("button", name="確認する", exact=True).click()
    with phone.expect_navigation():
        phone.get_by_role("button", name="この内容で取り込む", exact=True).click()
    phone.goto("/staff/procedures")
    boxes = phone.locator("input[name=code]")
    assert boxes.count() >= 20
    codes = []
    for i in range(20):
        boxes.nth(i).check()
        codes.append(boxes.nth(i).get_attribute("value"))
    phone.select_option("#bulk-status-input", "online")
    phone.fill("#bulk-date", "2026-12-01")
    phone.fill("#bulk-note-input", "電子申請システムの更新を確認")
    shoot(phone, "bulk-form")
    with phone.expect_navigation():
        phone.get_by_role("button", name="選んだ手続に記録する", exact=True).click()
    assert "20 件の手続に状態を記録しました。" in phone.locator("main").inner_text()
    phone.goto(f"/staff/procedures/{codes[-1]}")
    assert "電子申請システムの更新を確認" in phone.locator("main").inner_text()
