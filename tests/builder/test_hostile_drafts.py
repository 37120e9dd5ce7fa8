"""Whatever a draft holds (an upload can hold any YAML), every builder page answers
without a server error, and what was uploaded is kept as it was read."""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.builder import document

from .conftest import draft_row, revision, start

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20),
    st.sampled_from(["text", "radio", "file", "group", "heading", "ja", "en", "email"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                ["id", "type", "label", "options", "fields", "show_if", "field", "ja", "title"]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=20,
)
QUESTIONS = st.one_of(
    VALUES,
    st.fixed_dictionaries(
        {"id": VALUES, "type": VALUES},
        optional={
            "label": VALUES,
            "options": VALUES,
            "show_if": VALUES,
            "required": VALUES,
            "fields": VALUES,
            "repeat": VALUES,
        },
    ),
)
FORMS = st.fixed_dictionaries(
    {"pages": st.lists(st.fixed_dictionaries({"id": VALUES, "fields": st.lists(QUESTIONS, max_size=3)},
                                             optional={"title": VALUES, "show_if": VALUES}),
                       min_size=1, max_size=2)},
    optional={"id": VALUES, "title": VALUES, "languages": VALUES, "outputs": VALUES,
              "before_you_start": VALUES, "retention_days": VALUES},
)  # fmt: skip


DRAFTS: dict[int, int] = {}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=FORMS)
def test_every_page_answers_whatever_the_draft_holds(office, author, data):
    app, _ = office
    if id(app) not in DRAFTS:  # one draft per app: each example uploads over it
        DRAFTS[id(app)] = start(author)
    draft_id = DRAFTS[id(app)]
    overview = author.get(f"/staff/builder/{draft_id}").get_data(as_text=True)
    text = document.dump(data)
    r = author.post(
        f"/staff/builder/{draft_id}/upload",
        data={"revision": revision(overview), "yaml": (io.BytesIO(text.encode()), "f.yaml")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    stored, _ = document.read(draft_row(app, draft_id).yaml_text)
    assert {k: v for k, v in stored.items() if k != "procedure"} == {
        k: v for k, v in data.items() if k != "procedure"
    }
    base = f"/staff/builder/{draft_id}"
    for url in (base, base + "/settings", base + "/pages/0", base + "/pages/0/questions/0",
                base + "/pages/0/questions/0/fields/0", base + "/review", base + "/preview",
                base + "/form.yaml"):  # fmt: skip
        r = author.get(url)
        assert r.status_code < 500, (url, text)
    page = author.get(base + "/pages/0/questions/0")
    if page.status_code == 200:
        html = page.get_data(as_text=True)
        r = author.post(
            base + "/pages/0/questions/0",
            data={"revision": revision(html), "action": "save", "id": "q", "label-ja": "質問",
                  "cond-mode": "keep", "x-max": "5", "opt-0-value": "a"},
        )  # fmt: skip
        assert r.status_code < 500, text
    for url, posted in (
        (base + "/pages/0/questions/0/fields", {"type": "text"}),
        (base + "/pages/0/questions/0/fields/0", {"action": "save", "id": "inner", "x-max": "x"}),
        (base + "/pages/0/questions/0", {"action": "move", "to_page": "1"}),
    ):
        rev = revision(author.get(base).get_data(as_text=True))
        r = author.post(url, data={"revision": rev, **posted})
        assert r.status_code < 500, (url, text)
    r = author.post(
        base + "/settings",
        data={
            "revision": revision(author.get(base).get_data(as_text=True)),
            "title-ja": "題名",
            "mail_to": "a@example.jp",
        },
    )
    assert r.status_code < 500, text
