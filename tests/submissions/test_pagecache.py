"""The fast path for a question page writes exactly what the page's template writes."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask import render_template
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.formengine.parser import check_file
from app.formengine.types import has_answer
from app.formengine.wtf import bind
from app.submissions import fieldcache, pagecache, views
from app.submissions.versions import Version

from .test_fieldcache import FORMS, answer


def _pages():
    out = []
    for path in FORMS:
        defn, problems = check_file(path)
        assert defn is not None, problems
        out.extend((defn, page) for page in defn.pages)
    return out


PAGES = _pages()


def answers_for(defn, data) -> dict:
    """Answers of every kind for some of the form's fields (all pages: conditions on earlier
    pages hide or show questions here)."""
    fields = [f for _, f in defn.all_fields() if has_answer(f) and f.type not in ("group", "file")]
    chosen = (
        data.draw(st.lists(st.sampled_from(fields), unique_by=lambda f: f.id)) if fields else []
    )
    return {f.id: data.draw(answer(f)) for f in chosen}


def template_page(fv, defn, page, lang, shown, layout) -> str:
    """The page as the template renders it, for the same answers and layout."""
    return render_template(
        "apply/page.html",
        fv=fv,
        **layout,
        form=bind(defn, page, lang, answers=shown),
        errors={},
        summary=[],
        files={},
    )


@pytest.fixture(scope="module")
def page_app(tmp_path_factory):
    from app import create_app
    from config import TestConfig

    return create_app(TestConfig, instance_path=str(tmp_path_factory.mktemp("instance")))


@pytest.mark.parametrize("lang", ["ja", "en", "ja-easy"])
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_the_fast_path_writes_what_the_template_writes(page_app, lang, data):
    defn, page = data.draw(st.sampled_from(PAGES))
    if lang not in defn.languages:
        lang = "ja"
    fv = Version(1, defn.id, defn.version, defn.procedure, "", defn.id, "")  # one per form
    answers = answers_for(defn, data)
    # the kept answers, or what was typed on this page and not accepted yet
    shown = answers if data.draw(st.booleans()) else answers_for(defn, data)
    query = data.draw(st.sampled_from(["", "?from=check", "?from=check&x=%E3%81%82"]))
    with page_app.test_request_context(f"/apply/{defn.id}/{page.id}{query}"):
        from flask import session

        session["lang"] = lang
        draft = SimpleNamespace(answers=answers, pending={})
        for _ in range(2):  # made, then taken from the caches
            layout = views._layout(defn, draft, page, lang)
            fast = pagecache.page_html(fv, defn, page, lang, shown, layout)
            if fast is None:  # files or groups, or an answer of a kind the questions' cache
                return  # does not take (a choice not among the options): the template's
            assert fast == template_page(fv, defn, page, lang, shown, layout)
            assert "\ue000" not in fast


def test_pages_without_files_or_groups_take_the_fast_path(page_app):
    """Every shipped page whose questions are all plain is made this way: no files, no
    groups, no checklist longer than the questions' cache takes."""
    taken = 0
    for defn, page in PAGES:
        plain = all(
            f.type not in ("file", "group")
            and not (f.type == "checkboxes" and len(f.options) > fieldcache.MAX_MULTI_OPTIONS)
            for f in page.fields
        )
        fv = Version(1, defn.id, defn.version, defn.procedure, "", defn.id, "")
        with page_app.test_request_context(f"/apply/{defn.id}/{page.id}"):
            draft = SimpleNamespace(answers={}, pending={})
            layout = views._layout(defn, draft, page, "ja")
            fast = pagecache.page_html(fv, defn, page, "ja", {}, layout)
            assert (fast is not None) == plain, (defn.id, page.id)
            taken += fast is not None
    assert taken >= 10


def test_flashed_messages_are_shown_by_the_template(page_app):
    defn, page = next((d, p) for d, p in PAGES if all(f.type != "file" for f in p.fields))
    fv = Version(1, defn.id, defn.version, defn.procedure, "", defn.id, "")
    with page_app.test_request_context(f"/apply/{defn.id}/{page.id}"):
        from flask import flash

        flash("一時保存しました")
        layout = views._layout(defn, SimpleNamespace(answers={}, pending={}), page, "ja")
        assert pagecache.page_html(fv, defn, page, "ja", {}, layout) is None
