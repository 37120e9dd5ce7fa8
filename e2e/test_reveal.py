"""A question that applies only for some answers on the same page appears as the resident
answers (progressive disclosure); without JavaScript it stays, with its condition in words."""

from __future__ import annotations

import requests

from .filler import fill_page, page_id

FORM = "industrial-waste-report"


def _pages(server) -> dict:
    defn = requests.get(f"{server}/api/v1/forms/{FORM}", timeout=10).json()["definition"]
    return {p["id"]: p for p in defn["pages"]}


def _to_the_waste_page(page, server):
    pages = _pages(server)
    page.goto(f"/apply/{FORM}")
    page.locator("button.start").click()
    for _ in range(8):
        if page.locator('[name="waste_kinds"]').count():
            return
        fill_page(page, pages[page_id(page)])
        page.locator(".actions button[value=next]").click()
        assert not page.locator(".error-summary").count(), page.locator(".error-summary").inner_text()
    raise AssertionError("no page asks for the kinds of waste")


def test_a_quantity_appears_when_its_kind_is_ticked(phone, server, shoot):
    _to_the_waste_page(phone, server)
    ash = phone.locator('[name="qty_ash"]')
    assert not ash.is_visible() and not phone.locator('[name="qty_sludge"]').is_visible()
    shoot(phone, "nothing-ticked")
    phone.locator('[name="waste_kinds"][value="ash"]').check()
    assert ash.is_visible()
    # the revealed question sits right under the choices, with its condition in words
    block = phone.locator('[data-show-if]:has([name="qty_ash"])')
    assert "燃え殻" in block.inner_text()
    assert not phone.locator('[name="qty_sludge"]').is_visible()
    shoot(phone, "ash-ticked")
    ash.fill("１２０")
    phone.locator('[name="waste_kinds"][value="ash"]').uncheck()
    assert not ash.is_visible()
    phone.locator('[name="waste_kinds"][value="ash"]').check()
    assert ash.input_value() == "１２０"  # nothing typed is lost by hiding it
    # the rest of the page answered and sent: no error about the kinds not ticked
    fill_page(phone, _pages(server)["waste"])
    phone.locator(".actions button[value=next]").click()
    assert not phone.locator(".error-summary").count(), phone.locator(".error-summary").inner_text()


def test_without_javascript_every_question_stays_with_its_words(new_context, server):
    page = new_context(java_script_enabled=False).new_page()
    _to_the_waste_page(page, server)
    assert page.locator('[name="qty_ash"]').is_visible()
    assert page.locator('[name="qty_sludge"]').is_visible()
    words = page.locator('[data-show-if]:has([name="qty_sludge"]) .conditional').inner_text()
    assert "汚泥" in words and "場合に回答してください" in words
