"""A question moves to another page of the same draft, its condition with it; when a
condition then names a later question, the parser says so at that question."""

from __future__ import annotations

from app.builder import document
from app.builder.models import FormDraft
from app.extensions import db

from .conftest import EMAILS, draft_row, revision, sign_in, start

Q = "/staff/builder/{d}/pages/{p}/questions/{q}"


def _ids(app, draft_id) -> list[list[str]]:
    data, _ = document.read(draft_row(app, draft_id).yaml_text)
    return [[f["id"] for f in page["fields"]] for page in data["pages"]]


def _move(client, draft_id, p, q, to):
    url = Q.format(d=draft_id, p=p, q=q)
    html = client.get(url).get_data(as_text=True)
    return client.post(url, data={"action": "move", "to_page": to, "revision": revision(html)})


def _condition(client, draft_id, p, q, on: str) -> None:
    url = Q.format(d=draft_id, p=p, q=q)
    html = client.get(url).get_data(as_text=True)
    data, _ = document.read(client.get(f"/staff/builder/{draft_id}/form.yaml").get_data(True))
    f = data["pages"][p]["fields"][q]
    r = client.post(
        url,
        data={"revision": revision(html), "id": f["id"], "label-ja": f["label"]["ja"],
              "required": "y", "cond-mode": "simple", "cond-field": on, "cond-op": "filled"},
    )  # fmt: skip
    assert r.status_code == 302


def test_the_question_page_offers_the_other_pages(office, author):
    draft_id = start(author)
    html = author.get(Q.format(d=draft_id, p=0, q=0)).get_data(as_text=True)
    assert "別のページに移す" in html
    assert '<option value="1">ページ2: 代表者</option>' in html
    assert '<option value="0">' not in html  # not the page it is on
    assert html.count(f'<form method="post" action="{Q.format(d=draft_id, p=0, q=0)}">') == 2
    english = author.get(Q.format(d=draft_id, p=0, q=0) + "?lang=en").get_data(as_text=True)
    assert "Move to another page" in english and "Page 2: " in english


def test_moved_to_an_earlier_page_it_goes_last_there(office, author):
    app, _ = office
    draft_id = start(author)
    r = _move(author, draft_id, 1, 0, "0")
    assert r.status_code == 302 and r.headers["Location"].endswith("/pages/0/questions/3")
    assert _ids(app, draft_id) == [
        ["corporation_name", "corporate_number", "head_office", "representative_title"],
        ["representative_name"],
    ]
    html = author.get(r.headers["Location"]).get_data(as_text=True)
    assert "ページ1に移しました。" in html and "代表者の役職" in html
    assert 'id="question-problems"' not in html


def test_moved_to_a_later_page_it_goes_first_and_conditions_naming_it_stay_valid(office, author):
    app, _ = office
    draft_id = start(author)
    # the representative's title is asked only once the corporation's name is given
    _condition(author, draft_id, 1, 0, "corporation_name")
    r = _move(author, draft_id, 0, 0, "1")
    assert r.status_code == 302 and r.headers["Location"].endswith("/pages/1/questions/0")
    assert _ids(app, draft_id)[1] == ["corporation_name", "representative_title",
                                      "representative_name"]  # fmt: skip
    html = author.get(f"/staff/builder/{draft_id}").get_data(as_text=True)
    assert "問題は見つかりませんでした。" in html


def test_a_condition_that_would_name_a_later_question_is_reported_at_the_question(office, author):
    app, _ = office
    draft_id = start(author)
    _condition(author, draft_id, 1, 1, "representative_title")  # the name after the title
    r = _move(author, draft_id, 1, 1, "0")
    assert r.status_code == 302 and r.headers["Location"].endswith("/pages/0/questions/3")
    html = author.get(r.headers["Location"]).get_data(as_text=True)
    # the condition went with it, and the parser (as forms check) names the problem there
    assert "移したことで問題が1件増えました。" in html
    problems = html[html.index('id="question-problems"') :]
    assert "条件がフィールド &#39;representative_title&#39; を参照していますが" in problems
    data, _ = document.read(draft_row(app, draft_id).yaml_text)
    assert data["pages"][0]["fields"][3]["show_if"] == {
        "field": "representative_title",
        "filled": True,
    }
    overview = author.get(f"/staff/builder/{draft_id}").get_data(as_text=True)
    assert "問題が1件あります" in overview
    # moved back it goes first on the later page, still before the title: moved down, fixed
    r = _move(author, draft_id, 0, 3, "1")
    assert r.headers["Location"].endswith("/pages/1/questions/0")
    assert "問題が1件あります" in author.get(f"/staff/builder/{draft_id}").get_data(True)
    html = author.get(r.headers["Location"]).get_data(as_text=True)
    author.post(r.headers["Location"], data={"action": "down", "revision": revision(html)})
    overview = author.get(f"/staff/builder/{draft_id}").get_data(as_text=True)
    assert "問題は見つかりませんでした。" in overview


def test_a_page_that_is_not_another_page_of_the_draft_is_refused(office, author):
    app, _ = office
    draft_id = start(author)
    before = draft_row(app, draft_id).yaml_text
    for bad in ("0", "2", "99", "-1", "abc", "", "1" * 40):
        r = _move(author, draft_id, 0, 1, bad)
        assert r.status_code == 422, bad
        html = r.get_data(as_text=True)
        assert "移す先のページを選んでください。" in html and 'href="#to_page"' in html
        assert 'value="corporate_number"' in html  # the question's page, as it was
    assert draft_row(app, draft_id).yaml_text == before


def test_only_the_drafts_department_moves_its_questions(office):
    app, _ = office
    draft_id = start(sign_in(app, EMAILS["d01"]))
    url = Q.format(d=draft_id, p=0, q=0)
    for role, status in (("d02", 403), ("bureau", 403), ("admin", 302), ("d01", 302)):
        before = _ids(app, draft_id)
        rev = draft_row(app, draft_id).revision
        client = sign_in(app, EMAILS[role])
        r = client.post(url, data={"action": "move", "to_page": "1", "revision": str(rev)})
        assert r.status_code == status, role
        after = _ids(app, draft_id)
        if status == 403:
            assert after == before
        else:  # the first question of the first page is now the first of the second
            assert after[1][0] == before[0][0] and len(after[0]) == len(before[0]) - 1


def test_a_page_whose_questions_are_not_a_list_takes_none(office, author):
    """A draft uploaded with a page whose `fields` is not a list: a question is not moved
    there (what the page holds is kept for the parser to name), and nothing changes."""
    app, _ = office
    draft_id = start(author)
    with app.app_context():
        row = db.session.get(FormDraft, draft_id)
        data, _ = document.read(row.yaml_text)
        data["pages"][1]["fields"] = "代表者の欄"
        row.yaml_text = document.dump(data)
        db.session.commit()
    before = draft_row(app, draft_id).yaml_text
    r = _move(author, draft_id, 0, 0, "1")
    assert r.status_code == 422 and "移す先のページを選んでください。" in r.get_data(as_text=True)
    assert draft_row(app, draft_id).yaml_text == before
