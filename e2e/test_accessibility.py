"""Accessibility beyond axe (which `shoot` runs on every page): a form completed with the
keyboard alone, a visible focus on everything that takes it, the public pages at both widths
and in both languages. Reflow at 200% and 400% zoom is checked by `shoot` on every page."""

from __future__ import annotations

import re

import pytest

from .filler import open_menu, page_id

FOCUS_STYLE = """(prev) => {
  const el = document.activeElement;
  const look = e => { const s = getComputedStyle(e);
    return {outline: s.outlineStyle, width: parseFloat(s.outlineWidth), shadow: s.boxShadow}; };
  const now = look(el);
  const before = window.__lastFocused && window.__lastFocused !== el ? look(window.__lastFocused) : null;
  window.__lastFocused = el;
  return {tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name'), value: el.value,
          text: (el.innerText || '').trim().slice(0, 40), visible: el.matches(':focus-visible'),
          now, before};
}"""


class Keyboard:
    """Drive a page with Tab, Shift+Tab, Space, Enter, arrows and typing only; check at every
    step that the focused element shows a visible focus indicator that it lacks without focus."""

    def __init__(self, page):
        self.page = page
        self.seen = 0

    def _check(self, focus):
        where = f"{focus['tag']}#{focus['id'] or focus['name'] or focus['text']}"
        assert focus["visible"], f"{where} has focus but is not :focus-visible"
        assert focus["now"]["outline"] != "none" and focus["now"]["width"] >= 2, \
            f"{where} has no visible focus outline: {focus['now']}"
        if focus["before"] is not None:  # the element left behind lost its indicator
            assert focus["before"]["outline"] == "none" or focus["before"]["width"] == 0, focus

    def tab_to(self, selector: str, limit: int = 80):
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            focus = self.page.evaluate(FOCUS_STYLE)
            if focus["tag"] == "body":
                continue
            self._check(focus)
            self.seen += 1
            if self.page.evaluate("s => document.activeElement.matches(s)", selector):
                return focus
        raise AssertionError(f"Tab never reached {selector} on {self.page.url}")

    def type_into(self, selector: str, text: str):
        self.tab_to(selector)
        self.page.keyboard.type(text)

    def press(self, selector: str, key: str):
        self.tab_to(selector)
        self.page.keyboard.press(key)

    def submit(self, selector: str):
        """Enter on a button, then wait for the next page."""
        with self.page.expect_navigation():
            self.press(selector, "Enter")


def test_a_form_completed_with_the_keyboard_alone(phone, shoot):
    kb = Keyboard(phone)
    phone.goto("/apply/information-disclosure")
    kb.submit("button.start")

    # nothing typed yet: Enter in the first field submits, the error summary takes focus
    kb.tab_to('[name="requester_type"]')
    kb.submit(".actions button[value=next]")
    phone.wait_for_function("() => document.activeElement.classList.contains('error-summary')", timeout=3000)
    focus = phone.evaluate(FOCUS_STYLE)
    assert focus["now"]["outline"] != "none", "the focused error summary shows its focus"
    # its first link leads to the first wrong answer
    first_link = phone.locator(".error-summary a").first.get_attribute("href")
    kb.press(".error-summary a", "Enter")
    assert phone.evaluate("() => location.hash") == first_link

    # a radio button: Space chooses the focused option
    kb.press('[name="requester_type"]', "Space")
    assert phone.locator("#requester_type-0").is_checked()
    kb.type_into('[name="name-family"]', "山田")
    kb.type_into('[name="name-given"]', "花子")
    kb.type_into('[name="name-family_kana"]', "ヤマダ")
    kb.type_into('[name="name-given_kana"]', "ハナコ")
    kb.type_into('[name="address-postal_code"]', "514-0006")
    kb.submit('button[value="lookup:address"]')  # the postcode look-up, without a mouse
    assert phone.locator('[name="address-city"]').input_value() == "津市広明町"
    kb.type_into('[name="address-street"]', "13番地")
    kb.type_into('[name="phone"]', "059-224-2000")
    kb.type_into('[name="email"]', "hanako@example.jp")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")  # Enter in a text field means "Continue", not the look-up
    assert page_id(phone) == "documents", phone.url
    shoot(phone, "documents")

    kb.type_into('[name="document_description"]', "令和7年度 県営住宅の修繕に関する契約書")
    kb.tab_to('[name="department"]')
    phone.keyboard.press("ArrowDown")  # a closed select changes with the arrow keys
    assert phone.locator('[name="department"]').input_value() == "bosai"
    kb.submit(".actions button[value=next]")
    assert page_id(phone) == "method", phone.url

    # arrows move the choice within a radio group
    kb.press('[name="receive_method"]', "Space")
    for _ in range(3):
        phone.keyboard.press("ArrowDown")
    assert phone.locator('[name="receive_method"]:checked').get_attribute("value") == "copy_online"
    kb.submit(".actions button[value=next]")
    assert page_id(phone) == "confirm", phone.url

    kb.press('[name="understand_cost"]', "Space")
    kb.press('[name="understand_partial"]', "Space")
    kb.submit(".actions button[value=next]")
    assert page_id(phone) == "check", phone.url
    shoot(phone, "check")

    kb.press("#declaration", "Space")
    kb.submit("main form button[type=submit]:not([name])")
    assert "/done/" in phone.url
    assert re.search(r"\d{4}-[2-9A-HJKMNP-Z]{8}", phone.locator("main").inner_text())
    assert kb.seen > 20
    shoot(phone, "done")


def test_the_skip_link_is_the_first_stop_and_leads_to_the_content(phone):
    phone.goto("/")
    phone.keyboard.press("Tab")
    skip = phone.evaluate("() => [document.activeElement.className, document.activeElement.getBoundingClientRect().left]")
    assert skip[0] == "skip" and skip[1] >= 0, "the skip link shows when it has focus"
    phone.keyboard.press("Enter")
    phone.keyboard.press("Tab")
    assert phone.evaluate("() => !!document.activeElement.closest('main')")


JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def assert_in_language(page, lang: str, heading: str):
    """The page's heading, and in English its whole chrome (header, footer), are in `lang`."""
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("h1").inner_text() == heading
    if lang == "en":
        open_menu(page)  # its links too; the other languages' names are in their language
        chrome = (page.locator("header.site").inner_text().replace("やさしい にほんご", "").replace("日本語", "")
                  + page.locator("footer").inner_text())
        assert not JAPANESE.search(chrome), chrome


HEADINGS = {"ja": ["手続をさがす", "行政手続のデジタル化の状況", "申請状況の確認", "お探しのページは見つかりませんでした。"],
            "en": ["Find a procedure", "Digitization of administrative procedures", "Check an application",
                   "We could not find the page you were looking for."]}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_public_pages_at_both_widths(phone, shoot, lang):
    find, dashboard, status, missing = HEADINGS[lang]
    phone.goto(f"/?lang={lang}")
    assert_in_language(phone, lang, find)
    shoot(phone, "find")
    phone.fill("#q", "住宅" if lang == "ja" else "housing")
    phone.locator("form.search button").click()
    shoot(phone, "search-results")
    phone.locator("ul.procedures li > a", has_text="県営住宅" if lang == "ja" else "prefectural housing").first.click()
    assert "/procedures/" in phone.url
    shoot(phone, "procedure")
    phone.locator("main a.button").click()  # オンラインで申請する
    assert phone.url.split("?")[0].endswith("/apply/prefectural-housing")
    assert phone.locator("html").get_attribute("lang") == lang
    shoot(phone, "apply-start")

    phone.goto("/dashboard")
    assert_in_language(phone, lang, dashboard)
    shoot(phone, "dashboard")
    phone.locator("details summary").first.press("Enter")
    phone.locator('table.departments th a[href*="sort=rate"]').click()  # all procedures' rate
    assert "sort=rate" in phone.url
    shoot(phone, "dashboard-all-by-rate")

    phone.goto("/status")
    assert_in_language(phone, lang, status)
    shoot(phone, "status-lookup")

    for path, name in (("/opendata", "open-data"), ("/opendata/vocab", "vocabulary"),
                       ("/api/docs", "api-docs")):
        phone.goto(f"{path}?lang={lang}")
        assert phone.locator("html").get_attribute("lang") == lang
        shoot(phone, name)
    response = phone.goto("/no-such-page")
    assert response.status == 404
    assert_in_language(phone, lang, missing)
    shoot(phone, "not-found")
