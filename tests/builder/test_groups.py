"""Repeating groups in the builder: the group's own questions are added, edited, moved
and removed each on a page of its own, and its fewest and most items are set, with the
types and keys the registry and the parser give; problems show at the question inside."""

from __future__ import annotations

from app.builder import document
from app.builder.changes import Change, changes
from app.formengine import parser

from .conftest import EMAILS, draft_row, revision, sign_in, start


def _add_group(client, draft_id: int) -> str:
    """A new group at the end of the first page; the address of its page."""
    page = client.get(f"/staff/builder/{draft_id}/pages/0").get_data(as_text=True)
    r = client.post(
        f"/staff/builder/{draft_id}/pages/0",
        data={"action": "add_question", "type": "group", "revision": revision(page)},
    )
    assert r.status_code == 302
    return r.headers["Location"]


def _add_inner(client, group_url: str, type_name: str):
    html = client.get(group_url).get_data(as_text=True)
    return client.post(group_url + "/fields", data={"type": type_name, "revision": revision(html)})


def _name_group(client, group_url: str) -> None:
    html = client.get(group_url).get_data(as_text=True)
    r = client.post(
        group_url, data={"revision": revision(html), "id": "household", "label-ja": "世帯員"}
    )
    assert r.status_code == 302


def _form(app, draft_id):
    data, _ = document.read(draft_row(app, draft_id).yaml_text)
    return data


def test_a_group_is_built_question_by_question_without_yaml(office, author):
    app, _ = office
    draft_id = start(author, template="contact", form_id="household-form")
    group_url = _add_group(author, draft_id)
    html = author.get(group_url).get_data(as_text=True)
    # the group's own settings and its (still empty) questions, with the parser's problem
    assert "1件ごとの見出し" in html and "最少の件数" in html and "最多の件数" in html
    assert "最多の件数を指定しないときは20件まで。指定できるのは100件までです。" in html
    assert "まとまりの中の質問はまだありません。" in html
    assert 'id="question-problems"' in html and "&#39;fields&#39;" in html
    # the types a group may hold: not a file, not another group
    assert 'id="inner-type-text"' in html and 'id="inner-type-name"' in html
    assert 'id="inner-type-file"' not in html and 'id="inner-type-group"' not in html

    r = _add_inner(author, group_url, "text")
    assert r.status_code == 302 and r.headers["Location"].endswith("/fields/0")
    inner_url = r.headers["Location"]
    html = author.get(inner_url).get_data(as_text=True)
    assert "まとまりの中の質問" in html and "まとまりに戻る" in html
    assert "最大文字数" in html  # the text type's own keys, from the registry
    assert "この質問を別のページに移す" not in html and 'id="to_page"' not in html
    assert f'<form method="post" action="{inner_url}">' in html  # its page saves it
    r = author.post(
        inner_url,
        data={"revision": revision(html), "id": "member_name", "label-ja": "氏名",
              "label-en": "Name", "required": "y", "x-max_length": "50"},
    )  # fmt: skip
    assert r.status_code == 302 and r.headers["Location"] == inner_url
    r = _add_inner(author, group_url, "radio")
    radio_url = r.headers["Location"]
    html = author.get(radio_url).get_data(as_text=True)
    author.post(
        radio_url,
        data={"revision": revision(html), "id": "relation", "label-ja": "続柄",
              "opt-0-value": "spouse", "opt-0-ja": "配偶者",
              "opt-1-value": "child", "opt-1-ja": "子"},
    )  # fmt: skip
    # the second question moves above the first
    html = author.get(radio_url).get_data(as_text=True)
    r = author.post(radio_url, data={"action": "up", "revision": revision(html)})
    assert r.status_code == 302 and r.headers["Location"] == group_url
    html = author.get(group_url).get_data(as_text=True)
    assert html.index("続柄") < html.index("氏名")
    r = author.post(
        group_url,
        data={"revision": revision(html), "id": "household", "label-ja": "世帯員",
              "x-item_label-ja": "世帯員", "x-repeat-min": "1", "x-repeat-max": "6"},
    )  # fmt: skip
    assert r.status_code == 302
    data = _form(app, draft_id)
    group = data["pages"][0]["fields"][-1]
    assert group["id"] == "household" and group["repeat"] == {"min": 1, "max": 6}
    assert group["item_label"] == {"ja": "世帯員"}
    assert [f["id"] for f in group["fields"]] == ["relation", "member_name"]
    assert group["fields"][1]["max_length"] == 50 and group["fields"][1]["required"] is True
    # what the builder wrote is a form the parser takes, and the overview says so
    defn, problems = parser.parse(draft_row(app, draft_id).yaml_text, path="f.yaml")
    assert defn is not None and not problems, problems
    assert "問題は見つかりませんでした。" in author.get(f"/staff/builder/{draft_id}").get_data(
        as_text=True
    )
    # check your questions (and the page) list the questions inside the group, linked
    overview = author.get(f"/staff/builder/{draft_id}").get_data(as_text=True)
    assert f'href="{group_url}/fields/0">続柄</a>' in overview
    assert f'href="{group_url}/fields/1">氏名</a>' in author.get(
        f"/staff/builder/{draft_id}/pages/0"
    ).get_data(as_text=True)
    english = author.get(group_url + "?lang=en").get_data(as_text=True)
    assert "Add a question to the group" in english and "Most items" in english
    # a question inside the group is removed
    html = author.get(group_url + "/fields/1").get_data(as_text=True)
    r = author.post(group_url + "/fields/1", data={"action": "remove", "revision": revision(html)})
    assert r.status_code == 302
    assert [f["id"] for f in _form(app, draft_id)["pages"][0]["fields"][-1]["fields"]] == [
        "relation"
    ]


def test_a_problem_inside_a_group_is_shown_at_that_question(office, author):
    app, _ = office
    draft_id = start(author, template="contact", form_id="household-form")
    group_url = _add_group(author, draft_id)
    inner_url = _add_inner(author, group_url, "integer").headers["Location"]
    _name_group(author, group_url)
    html = author.get(inner_url).get_data(as_text=True)
    author.post(
        inner_url,
        data={"revision": revision(html), "id": "age", "label-ja": "年齢", "x-max": "abc"},
    )
    html = author.get(inner_url).get_data(as_text=True)
    assert "&#39;max&#39; には 整数 を指定してください" in html and 'value="abc"' in html
    group = author.get(group_url).get_data(as_text=True)
    # listed at the row of the question inside, not as the group's own problem
    assert 'id="inner-0-problems"' in group and 'id="question-problems"' not in group
    overview = author.get(f"/staff/builder/{draft_id}").get_data(as_text=True)
    assert "問題が1件あります" in overview


def test_repeat_beyond_what_the_type_allows_is_kept_and_named_by_the_parser(office, author):
    app, _ = office
    draft_id = start(author, template="contact", form_id="household-form")
    group_url = _add_group(author, draft_id)
    _add_inner(author, group_url, "text")
    html = author.get(group_url).get_data(as_text=True)
    author.post(
        group_url,
        data={"revision": revision(html), "id": "household", "label-ja": "世帯員",
              "x-repeat-min": "3", "x-repeat-max": "500"},
    )  # fmt: skip
    html = author.get(group_url).get_data(as_text=True)
    assert 'value="500"' in html and "repeat.max" in html
    assert 'id="question-problems"' in html


def test_a_question_inside_a_group_may_be_shown_on_an_earlier_answer(office, author):
    app, _ = office
    draft_id = start(author, template="contact", form_id="household-form")
    group_url = _add_group(author, draft_id)
    inner_url = _add_inner(author, group_url, "text").headers["Location"]
    _name_group(author, group_url)
    html = author.get(inner_url).get_data(as_text=True)
    # the questions before the group are offered, not those inside it
    assert '<option value="contact_phone"' in html
    author.post(
        inner_url,
        data={"revision": revision(html), "id": "note", "label-ja": "備考",
              "cond-mode": "simple", "cond-field": "contact_email", "cond-op": "filled"},
    )  # fmt: skip
    html = author.get(group_url).get_data(as_text=True)
    assert "メールアドレス" in html  # the condition in words, in the group's list
    assert _form(app, draft_id)["pages"][0]["fields"][-1]["fields"][0]["show_if"] == {
        "field": "contact_email",
        "filled": True,
    }


def test_a_type_a_group_cannot_hold_is_refused_and_nothing_changes(office, author):
    app, _ = office
    draft_id = start(author, template="contact", form_id="household-form")
    group_url = _add_group(author, draft_id)
    before = draft_row(app, draft_id).yaml_text
    for bad in ("file", "group", "nonsense", ""):
        r = _add_inner(author, group_url, bad)
        assert r.status_code == 422
        assert "まとまりに入れる質問の種類を選んでください。" in r.get_data(as_text=True)
    assert draft_row(app, draft_id).yaml_text == before
    # a question that is not a group has no questions inside
    assert author.get(f"/staff/builder/{draft_id}/pages/0/questions/0/fields/0").status_code == 404
    r = author.post(
        f"/staff/builder/{draft_id}/pages/0/questions/0/fields",
        data={"type": "text", "revision": "1"},
    )
    assert r.status_code == 404


def test_two_authors_on_one_group_question(office, author):
    app, _ = office
    draft_id = start(author, template="contact", form_id="household-form")
    group_url = _add_group(author, draft_id)
    inner_url = _add_inner(author, group_url, "text").headers["Location"]
    other = sign_in(app, EMAILS["admin"])
    mine = author.get(inner_url).get_data(as_text=True)
    theirs = other.get(inner_url).get_data(as_text=True)
    author.post(inner_url, data={"revision": revision(mine), "id": "a1", "label-ja": "一人目"})
    r = other.post(inner_url, data={"revision": revision(theirs), "id": "a2", "label-ja": "二人目"})
    assert r.status_code == 409
    html = r.get_data(as_text=True)
    assert "ほかの人がこの下書きを先に保存しました" in html and 'value="二人目"' in html


def test_the_review_names_the_changes_inside_a_group_in_words():
    def form(inner, group_page):
        group = {"id": "officers", "type": "group", "label": {"ja": "役員"}, "fields": inner}
        pages = [
            {"id": "p1", "title": {"ja": "法人"}, "fields": [{"id": "a", "type": "text"}]},
            {"id": "p2", "title": {"ja": "代表者"}, "fields": []},
        ]
        pages[group_page]["fields"].append(group)
        return {"id": "f", "pages": pages}

    name = {"id": "officer_name", "type": "text", "label": {"ja": "氏名"}}
    title = {"id": "officer_title", "type": "text", "label": {"ja": "役職"}}
    old = form([name, title], 0)
    new = form([{**name, "max_length": 50}, {"id": "since", "type": "date"}], 1)
    found = changes(old, new)
    assert Change("question_changed", "氏名", "代表者 · 役員", ("max_length",)) in found
    assert Change("question_added", "since", "代表者 · 役員") in found
    assert Change("question_removed", "役職", "法人 · 役員") in found
    assert Change("question_moved", "役員", "代表者") in found
    # the group itself did not change: its questions are named one by one
    assert not [c for c in found if c.kind == "question_changed" and c.name == "役員"]
