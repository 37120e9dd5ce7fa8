"""The DX bureau preparing a board report, and a resident telling how it went."""

from __future__ import annotations


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
