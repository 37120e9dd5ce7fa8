"""YAML stays the truth: builder → YAML → load → builder is the identity, and what the
builder writes from a form the parser accepts is accepted again, unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.builder import document, edit, services
from app.extensions import db
from app.formengine.parser import parse
from app.formengine.registry import FIELD_TYPES
from app.submissions import versions
from app.submissions.models import FormVersion

SHIPPED = sorted((Path(__file__).resolve().parents[2] / "forms").glob("*.yaml"))
STARTERS = sorted(services.STARTERS.glob("*.yaml"))


def through_builder(text: str) -> tuple[dict, str]:
    data, problems = document.read(text)
    assert not problems
    return data, document.dump(data)


@pytest.mark.parametrize("path", SHIPPED + STARTERS, ids=lambda p: p.name)
def test_a_form_written_by_the_builder_is_the_same_form(path):
    original, problems = parse(path.read_text(encoding="utf-8"))
    assert not problems
    data, text = through_builder(path.read_text(encoding="utf-8"))
    again, problems = parse(text)
    assert not problems, problems
    assert again.source_json() == original.source_json()
    assert document.read(text)[0] == data


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_builder_to_yaml_to_load_to_builder_is_the_identity(form_app, path):
    data, text = through_builder(path.read_text(encoding="utf-8"))
    data = document.retarget(data, data["id"], "A", 1)  # a procedure of the test catalogue
    text = document.dump(data)
    with form_app.app_context():
        report = versions.load_text(text, name=path.name)
        assert not report.problems, report.problems
        stored = db.session.scalar(select(FormVersion).where(FormVersion.form_id == data["id"]))
        assert document.read(stored.yaml_text)[0] == data
        # the exported text loads as the same version again: unchanged, not refused
        again = versions.load_text(stored.yaml_text, name=path.name)
        assert again.loaded == [(data["id"], 1, "unchanged")] and not again.problems


def test_every_question_of_the_shipped_forms_survives_its_edit_page():
    """Saving a question's page with what it shows changes nothing (no second model of a
    question inside the builder that could lose a key), a group's questions' pages too."""
    for path in SHIPPED + STARTERS:
        data, _ = document.read(path.read_text(encoding="utf-8"))
        langs = document.languages(data)
        for p, page in enumerate(document.pages(data)):
            for q, f in enumerate(document.questions(page)):
                earlier = document.earlier_questions(data, p, q)
                for g in [f, *document.questions(f)]:
                    assert edit.read_question(g, shown(g, langs), langs, earlier) == g, (
                        path.name,
                        g["id"],
                    )


def shown(f: dict, langs: list[str]) -> MultiDict:
    """What the question page posts when saved as shown (builder/question.html)."""
    out = MultiDict({"id": f["id"], "cond-mode": "keep" if f.get("show_if") else "none"})
    for key in ("label", "short_label", "help", "text"):
        for lang in langs:
            out[f"{key}-{lang}"] = document.text_of(f.get(key), lang)
    if f.get("required"):
        out["required"] = "y"
    for n, o in enumerate(f.get("options") or []):
        out[f"opt-{n}-value"] = str(o["value"])
        for lang in langs:
            out[f"opt-{n}-{lang}"] = document.text_of(o.get("label"), lang)
    for item in edit.inputs(f["type"]):
        value = f.get(item.key)
        name = f"x-{item.key}"
        if value is None:
            continue
        if item.kind == "text":
            for lang in langs:
                out[f"{name}-{lang}"] = document.text_of(value, lang)
        elif item.kind == "boolean":
            out[name] = "true" if value else "false"
        elif item.kind == "list":
            out[name] = ", ".join(value)
        elif item.kind == "bounds":
            for key in item.choices:
                if key in value:
                    out[f"{name}-{key}"] = str(value[key])
        else:
            out[name] = str(value)
    return out


# --- generated forms ---------------------------------------------------------------------

# texts a YAML writer must quote or keep apart: booleans, numbers, dates, null, comments,
# flow characters, leading spaces and line breaks
TRICKY = st.sampled_from(
    ["yes", "no", "on", "off", "true", "null", "~", "123", "0x1F", "1e3", "2027-02-26",
     "# 見出し", "a: b", "[x]", "{y}", "- z", " 前に空白", "後に空白 ", "改行\nあり", "'", '"',
     "@", "`", "%", "&anchor", "*alias", "!tag", "ｶﾀｶﾅ", "𠮷野家"]
)  # fmt: skip
TEXT = st.one_of(
    TRICKY,
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30).filter(
        lambda s: s.strip() == s and s.strip()
    ),
)
SIMPLE_TYPES = [
    name for name, t in FIELD_TYPES.items()
    if "fields" not in t.extra_keys and name != "file"
]  # fmt: skip


@st.composite
def texts(draw, langs):
    return {lang: draw(TEXT) for lang in langs if lang == "ja" or draw(st.booleans())}


@st.composite
def question(draw, n: int, type_name: str, langs: list[str]) -> dict:
    t = FIELD_TYPES[type_name]
    f = {"id": f"q{n}", "type": type_name}
    if "text" in t.extra_keys:
        f["text"] = draw(texts(langs))
    else:
        f["label"] = draw(texts(langs))
        if draw(st.booleans()):
            f["help"] = draw(texts(langs))
        if draw(st.booleans()):
            f["required"] = True
    if t.has_options:
        values = draw(st.lists(TEXT, min_size=1, max_size=4, unique=True))
        f["options"] = [{"value": v, "label": draw(texts(langs))} for v in values]
    if "max_length" in t.extra_keys and draw(st.booleans()):
        f["max_length"] = draw(st.integers(1, t.max_length_ceiling or 1000))
    if type_name == "file":
        f["accept"] = ["application/pdf"]
        f["max_size_mb"] = draw(st.sampled_from([1, 2.5, 10]))
    return f


@st.composite
def group(draw, n: int, langs: list[str]) -> dict:
    """A repeating group of simple questions (ids q<n>_1, …), its repeat sometimes set."""
    t = FIELD_TYPES["group"]
    f = {"id": f"q{n}", "type": "group", "label": draw(texts(langs))}
    if draw(st.booleans()):
        f["item_label"] = draw(texts(langs))
    if draw(st.booleans()):
        low = draw(st.integers(0, t.max_items))
        f["repeat"] = {"min": low, "max": draw(st.integers(max(low, 1), t.max_items_ceiling))}
    inner = []
    for i in range(draw(st.integers(1, 3))):
        q = draw(question(n, draw(st.sampled_from(SIMPLE_TYPES)), langs))
        inner.append({**q, "id": f"q{n}_{i + 1}"})
    f["fields"] = inner
    return f


@st.composite
def forms(draw):
    langs = ["ja", *draw(st.lists(st.sampled_from(document.OPTIONAL_LANGUAGES), unique=True))]
    n = 0
    pages = []
    option_fields = []
    for p in range(draw(st.integers(1, 3))):
        fields = []
        for _ in range(draw(st.integers(1, 4))):
            n += 1
            type_name = draw(st.sampled_from(SIMPLE_TYPES + ["file"] * (p > 0)))
            f = draw(question(n, type_name, langs))
            if option_fields and draw(st.booleans()):
                target = draw(st.sampled_from(option_fields))
                f["show_if"] = {"field": target["id"], "equals": target["options"][0]["value"]}
            fields.append(f)
            if FIELD_TYPES[type_name].has_options and type_name != "checkboxes":
                option_fields.append(f)
        if draw(st.booleans()):
            n += 1
            fields.append(draw(group(n, langs)))
        pages.append({"id": f"page{p + 1}", "title": draw(texts(langs)), "fields": fields})
    data = {
        "id": "generated",
        "version": draw(st.integers(1, 1000)),
        "procedure": "A",
        "title": draw(texts(langs)),
        "languages": langs,
        "pages": pages,
    }
    if draw(st.booleans()):
        data["declaration"] = draw(texts(langs))
    if draw(st.booleans()):
        data["outputs"] = [{"type": "email", "to": "section@example.jp"}]
    if draw(st.booleans()):
        data["retention_days"] = draw(st.integers(1, 3650))
    return data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(forms())
def test_generated_forms_go_through_the_builder_unchanged(data):
    text = document.dump(data)
    defn, problems = parse(text)
    assert not problems, (problems, text)
    assert defn.source_json() == data
    assert document.read(text)[0] == data
    langs = document.languages(data)
    for p, page in enumerate(document.pages(data)):
        for q, f in enumerate(document.questions(page)):
            earlier = document.earlier_questions(data, p, q)
            # the question page (and the page of each question inside a group) takes the
            # spaces off either end of what is typed
            # (a group's page keeps the questions inside it as they are)
            for g in [f, *document.questions(f)]:
                expected = trimmed(g) | ({"fields": g["fields"]} if "fields" in g else {})
                assert edit.read_question(g, shown(g, langs), langs, earlier) == expected


def trimmed(value):
    if isinstance(value, dict):
        return {k: trimmed(v) if k != "show_if" else v for k, v in value.items()}
    if isinstance(value, list):
        return [trimmed(v) for v in value]
    return value.strip() if isinstance(value, str) else value
