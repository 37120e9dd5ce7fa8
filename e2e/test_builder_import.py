"""様式から作る in a browser: a department author uploads a sample Excel 様式 (made by
bench/yoshiki_corpus.py, as the corpus is), gets a draft whose two uncertain questions
are marked 要確認, fixes them with the keyboard, previews the form at phone width and
sends it for review. Its own procedure and form id: it needs nothing another journey
did. axe runs on every page reached (`shoot`)."""

from __future__ import annotations

import yaml

from bench import yoshiki_corpus

from .filler import fill_page, page_id
from .test_builder import press, sign_in, type_into

FORM_ID = "e2e-yoshiki-hunting"


def test_a_department_makes_a_draft_from_its_excel_yoshiki_and_sends_it_for_review(
    new_context, shoot, tmp_path
):
    (sample,) = yoshiki_corpus.write(tmp_path, names={"hunting-licence.xlsx"})
    author = new_context().new_page()
    sign_in(author, "norin@example.pref.mie.lg.jp")
    author.goto("/staff/procedures?status=planned")
    author.locator("table tbody a").last.click()

    press(author, "a:has-text('オンライン申請フォームを作る')")
    type_into(author, "#form_id", FORM_ID)
    author.locator("#how-yoshiki").focus()
    author.keyboard.press("Space")
    author.set_input_files("#yoshiki", str(sample))
    shoot(author, "import-start")
    press(author, "button:has-text('下書きを作る')")

    main = author.locator("main")
    text = main.inner_text()
    assert "様式から取り込みました" in text and "確認が必要な質問が2件あります" in text
    assert "問題は見つかりませんでした。" in text and "押印欄" in text
    assert author.locator(".builder-questions .tag-waiting").count() == 2
    shoot(author, "import-overview")
    draft_url = author.url

    # the first question marked 要確認: the club number, one line of text
    press(author, "li:has(.tag-waiting) a")
    assert "猟友会の会員番号" in main.inner_text()
    assert author.locator("#import-mark").count() == 1
    shoot(author, "import-question-unsure")
    type_into(author, "#x-max_length", "20")
    press(author, "button[value=save]")
    assert "保存しました" in main.inner_text()
    author.goto(draft_url)
    assert "確認が必要な質問が1件あります" in main.inner_text()

    # the second: the revenue-stamp box, now a paragraph on paying the fee
    press(author, "li:has(.tag-waiting) a")
    assert "収入証紙" in main.inner_text()
    type_into(author, "#text-ja", "手数料（5,200円）は、審査の後にオンラインで納めてください。")
    press(author, "button[value=save]")
    author.goto(draft_url)
    text = main.inner_text()
    assert "確認が必要な質問はありません。" in text and "問題は見つかりませんでした。" in text
    assert author.locator(".builder-questions .tag-waiting").count() == 0
    shoot(author, "import-overview-checked")

    # preview at phone width: the resident's pages, answers thrown away
    definition = yaml.safe_load(author.context.request.get(draft_url + "/form.yaml").text())
    pages = {p["id"]: p for p in definition["pages"]}
    press(author, "a:has-text('住民が見る画面でプレビューする')")
    assert author.viewport_size["width"] == 375
    for _ in range(6):
        if page_id(author) == "check":
            break
        fill_page(author, pages[page_id(author)])
        shoot(author, f"import-preview-{page_id(author)}")
        author.locator(".actions button[value=next]").click()
        assert not author.locator(".error-summary").count(), main.inner_text()
    assert page_id(author) == "check" and "猟友会の会員番号" in main.inner_text()
    shoot(author, "import-preview-check")

    author.goto(draft_url)
    press(author, "button:has-text('審査に出す')")
    assert "審査に出しました" in main.inner_text()
    shoot(author, "import-sent")
