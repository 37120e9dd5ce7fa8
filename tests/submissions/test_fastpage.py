"""The fast path of a question page writes exactly what the templates write: each
question what its macro writes, each page what apply/page.html writes."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import flash, render_template, session
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from app import create_app
from app.formengine.parser import check_file
from app.formengine.types import has_answer, kind
from app.formengine.wtf import bind
from app.submissions import fastpage, views
from app.submissions.versions import Version
from config import TestConfig

ROOT = Path(__file__).resolve().parent.parent.parent
FORMS = sorted((ROOT / "forms").glob("*.yaml"))
TEXT = st.text(
    alphabet=st.sampled_from(list("あア漢字ｱ１1aZ <>&\"'/\\{}%#\n")), min_size=0, max_size=12
)


def _fields():
    out = []
    for path in FORMS:
        defn, problems = check_file(path)
        assert defn is not None, problems
        for page in defn.pages:
            for f in page.fields:
                if f.type not in ("heading", "paragraph", "file", "group"):
                    out.append((defn, page, f))
    return out


FIELDS = _fields()


def answer(f):
    """Answers of every kind a draft can hold for this field, valid or not."""
    options = [o.value for o in getattr(f, "options", None) or []]
    choice = st.sampled_from(options) if options else TEXT
    by_type = {
        "radio": st.one_of(st.none(), choice, TEXT),
        "select": st.one_of(st.none(), choice, TEXT),
        "checkboxes": st.one_of(st.none(), st.lists(choice, max_size=4), st.lists(TEXT)),
        "checkbox": st.one_of(st.none(), st.booleans()),
        "integer": st.one_of(st.none(), st.integers(-5, 10**6), TEXT),
        "date": st.one_of(
            st.none(),
            st.dates().map(lambda d: d.isoformat()),
            st.fixed_dictionaries(
                {
                    "era": st.sampled_from(["", "令和", "平成", "昭和", "X"]),
                    "year": TEXT,
                    "month": TEXT,
                    "day": TEXT,
                }
            ),
        ),
        "name": st.one_of(
            st.none(),
            st.dictionaries(
                st.sampled_from(["family", "given", "family_kana", "given_kana"]), TEXT
            ),
        ),
        "address": st.one_of(
            st.none(),
            st.dictionaries(
                st.sampled_from(["postal_code", "prefecture", "city", "street", "building"]),
                TEXT,
            ),
        ),
    }
    return by_type.get(f.type, st.one_of(st.none(), TEXT))


@pytest.fixture(scope="module")
def page_app(tmp_path_factory):
    return create_app(TestConfig, instance_path=str(tmp_path_factory.mktemp("instance")))


@pytest.mark.parametrize("lang", ["ja", "en"])
@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_a_question_is_what_its_macro_writes(page_app, lang, data):
    defn, page, f = data.draw(st.sampled_from(FIELDS))
    fv = Version(1, defn.id, defn.version, defn.procedure, "", defn.id, "")  # one per form
    with page_app.test_request_context(f"/apply/{defn.id}/{page.id}?lang={lang}"):
        macros = page_app.jinja_env.get_template("apply/_fields.html").make_module({"lang": lang})
        if data.draw(st.booleans()):  # a draft's answers
            form = bind(defn, page, lang, answers={f.id: data.draw(answer(f))})
        else:  # what was posted, shown again
            posted = MultiDict(
                [(name, data.draw(TEXT)) for name in data.draw(st.lists(st.sampled_from(
                    [f.id, f"{f.id}-era", f"{f.id}-year", f"{f.id}-family", f"{f.id}-city"]
                ), max_size=4))]
            )  # fmt: skip
            form = bind(defn, page, lang, formdata=posted)
        errors = data.draw(st.sampled_from([{}, {f.id: ["エラー"]}, {f"{f.id}.city": ["x"]}]))
        for _ in range(2):  # made, then taken from the cache
            fast = fastpage.field_html(macros.widget, fv, f, form[f.id], errors, lang)
            assert str(fast) == str(macros.widget(f, form[f.id], f.id, errors))
            assert "\ue000" not in str(fast)


def test_the_questions_cache_is_used_and_bounded(page_app, monkeypatch):
    defn, page, f = next(x for x in FIELDS if x[2].type == "text")
    fv = Version(2, defn.id, defn.version, defn.procedure, "", "bounded", "")
    page_app.extensions.pop("question_templates", None)  # not what the test above made
    monkeypatch.setattr(fastpage, "MAX_QUESTIONS", 2)
    with page_app.test_request_context("/"):
        macros = page_app.jinja_env.get_template("apply/_fields.html").make_module({"lang": "ja"})
        calls = []

        def widget(*args):
            calls.append(1)
            return macros.widget(*args)

        for value in ["", "a", "<b>", "c", None]:
            form = bind(defn, page, "ja", answers={f.id: value})
            html = str(fastpage.field_html(widget, fv, f, form[f.id], {}, "ja"))
            assert (value or "") in html or "&lt;b&gt;" in html
        # "" and None are one shape each, any text another: three made, the rest reused;
        # the third found the cache full (2) and emptied it first
        assert len(calls) == 3
        assert len(page_app.extensions["question_templates"]) == 1


@settings(max_examples=100, deadline=None)
@given(value=st.one_of(st.none(), TEXT))
def test_a_type_that_shows_its_answer_as_is_does(value):
    """The page takes a question of such a type as it is stored, without its to_wtforms
    (the most common question, written fastest): the type's word must hold."""
    declared = [(d, p, f) for d, p, f in FIELDS if kind(f).shows_answer_as_is]
    assert {f.type for _, _, f in declared} == {"text", "textarea", "email", "tel"}
    for defn, page, f in declared:
        assert kind(f).to_wtforms(f, value) is value
        form = bind(defn, page, "ja", answers={f.id: value})
        assert fastpage.slots_of(form[f.id]) == (fastpage.Slot(None, "text"),)
        assert form[f.id].data == value


# --- whole pages ------------------------------------------------------------------------


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


@pytest.mark.parametrize("lang", ["ja", "en", "ja-easy"])
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_a_page_is_what_its_template_writes(page_app, lang, data):
    defn, page = data.draw(st.sampled_from(PAGES))
    if lang not in defn.languages:
        lang = "ja"
    fv = Version(1, defn.id, defn.version, defn.procedure, "", defn.id, "")  # one per form
    answers = answers_for(defn, data)
    # the kept answers, or what was typed on this page and not accepted yet
    shown = answers if data.draw(st.booleans()) else answers_for(defn, data)
    query = data.draw(st.sampled_from(["", "?from=check", "?from=check&x=%E3%81%82"]))
    with page_app.test_request_context(f"/apply/{defn.id}/{page.id}{query}"):
        session["lang"] = lang
        draft = SimpleNamespace(answers=answers, pending={})
        for _ in range(2):  # made, then taken from the caches
            layout = views._layout(defn, draft, page, lang)
            fast = fastpage.page_html(fv, defn, page, lang, shown, layout)
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
            and not (f.type == "checkboxes" and len(f.options) > fastpage.MAX_MULTI_OPTIONS)
            for f in page.fields
        )
        fv = Version(1, defn.id, defn.version, defn.procedure, "", defn.id, "")
        with page_app.test_request_context(f"/apply/{defn.id}/{page.id}"):
            draft = SimpleNamespace(answers={}, pending={})
            layout = views._layout(defn, draft, page, "ja")
            fast = fastpage.page_html(fv, defn, page, "ja", {}, layout)
            assert (fast is not None) == plain, (defn.id, page.id)
            taken += fast is not None
    assert taken >= 10


def test_flashed_messages_are_shown_by_the_template(page_app):
    defn, page = next((d, p) for d, p in PAGES if all(f.type != "file" for f in p.fields))
    fv = Version(1, defn.id, defn.version, defn.procedure, "", defn.id, "")
    with page_app.test_request_context(f"/apply/{defn.id}/{page.id}"):
        flash("一時保存しました")
        layout = views._layout(defn, SimpleNamespace(answers={}, pending={}), page, "ja")
        assert fastpage.page_html(fv, defn, page, "ja", {}, layout) is None
