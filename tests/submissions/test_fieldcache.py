"""The fast path for a question's HTML writes exactly what its macro writes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from app.formengine.parser import check_file
from app.formengine.wtf import bind
from app.submissions import fieldcache
from app.submissions.versions import Version

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
    from app import create_app
    from config import TestConfig

    return create_app(TestConfig, instance_path=str(tmp_path_factory.mktemp("instance")))


@pytest.mark.parametrize("lang", ["ja", "en"])
@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_the_fast_path_writes_what_the_macro_writes(page_app, lang, data):
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
            fast = fieldcache.field_html(macros.widget, fv, f, form[f.id], errors, lang)
            assert str(fast) == str(macros.widget(f, form[f.id], f.id, errors))
            assert "\ue000" not in str(fast)


def test_the_cache_is_used_and_bounded(page_app, monkeypatch):
    defn, page, f = next(x for x in FIELDS if x[2].type == "text")
    fv = Version(2, defn.id, defn.version, defn.procedure, "", "bounded", "")
    page_app.extensions.pop("field_html", None)  # not what the test above made
    monkeypatch.setattr(fieldcache, "MAX_ENTRIES", 2)
    with page_app.test_request_context("/"):
        macros = page_app.jinja_env.get_template("apply/_fields.html").make_module({"lang": "ja"})
        calls = []

        def widget(*args):
            calls.append(1)
            return macros.widget(*args)

        for value in ["", "a", "<b>", "c", None]:
            form = bind(defn, page, "ja", answers={f.id: value})
            html = str(fieldcache.field_html(widget, fv, f, form[f.id], {}, "ja"))
            assert (value or "") in html or "&lt;b&gt;" in html
        # "" and None are one shape each, any text another: three made, the rest reused;
        # the third found the cache full (2) and emptied it first
        assert len(calls) == 3
        assert len(page_app.extensions["field_html"]) == 1
