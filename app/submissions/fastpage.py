"""The question page's fast path: its HTML rendered once with markers, then filled in.

Rendering a question page (apply/page.html, a Jinja macro per question, a bound WTForms
form) costs most of its GET, yet almost none of that HTML depends on what was typed. So
the real templates render it in pieces, once each, with markers (private-use characters)
where the changing parts go, each piece kept as a `str.format` template:
- a *question*, once per form version, language and *shape* of its data (which parts are
  empty, which option is chosen, which boxes are ticked): a marker for each typed text;
- a *page*, once per *layout* (version, page, language, step, the way back, what earlier
  answers hide or explain): a marker for the CSRF token, each language link, each question.
A request works out each question's data as WTForms would bind it, fills the questions
with the escaped texts and the page with the questions, token and links. The output is
the template's, character for character (tests/submissions/test_fastpage.py).

Not taken this way (the template renders them as before): a page with errors or flashed
messages, with files or repeatable groups, a question with an error, and data no shape
covers (a choice outside the options, a checklist longer than MAX_MULTI_OPTIONS).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from flask import current_app, render_template, session
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from wtforms import BooleanField, FormField, RadioField, SelectField, SelectMultipleField
from wtforms.fields.core import Field as WTField

from app.formengine import FormDefinition, Page
from app.formengine.types import has_answer, kind
from app.formengine.wtf import bind
from app.settings import CONTENT_LANGUAGES
from app.web import lang_url

MARKER = "\ue000{}\ue001"  # never in a label, never left in the output
_MARKERS = re.compile("\ue000(\\d+)\ue001")
# a page's marker numbers: the CSRF token, its language links, then its questions by index
CSRF, LANG_LINK, QUESTION = 0, 1, 10
MAX_MULTI_OPTIONS = 8  # a checklist with more options has too many shapes: the macro writes it
MAX_QUESTIONS = 20_000  # bounds on what one application keeps
MAX_LAYOUTS = 2_000


@dataclass(frozen=True)
class Slot:
    """A part of a question whose data changes its HTML: the question itself, or one part
    of a composite (`part`, a sub-field of a FormField, e.g. a name's `family`); how
    (`kind`: text written out, one option chosen, a box ticked, several options ticked);
    the options there are."""

    part: str | None
    kind: str  # text | choice | bool | multi
    values: frozenset[str] = frozenset()


# --- a page -------------------------------------------------------------------------------


def page_html(
    fv,
    defn: FormDefinition,
    page: Page,
    lang: str,
    shown: Mapping[str, Any],
    layout: dict[str, Any],
) -> str | None:
    """The question page for these answers (`shown`: what bind() would fill it with) and
    this layout (the template's other variables, without form, errors and files); None
    when the page is not one this path takes."""
    if "_flashes" in session:
        return None
    questions = _questions(fv, defn, page, lang)
    if questions is None:
        return None
    locale = str(get_locale())
    templates = _cache("question_templates")
    fills = [""] * (QUESTION + len(page.fields))  # by marker number
    missing = []
    for q in questions:
        f = q.field
        if f.id in layout["hidden"]:  # not on the page for these answers
            continue
        if q.plain:  # what data_of_answer and shape_of would give, without the calls
            v = shown.get(f.id)
            if v.__class__ is not str and v is not None:
                return None
            data, shape = [v], (v if not v else 1,)
        else:
            present = f.id in shown
            value = kind(f).to_wtforms(f, shown[f.id]) if present else None
            data = data_of_answer(q.slots, present, value)
            shape = shape_of(q.slots, data) if data is not None else None
            if shape is None:
                return None
        template = templates.get(_question_key(fv, f, lang, locale, shape))
        if template is None:
            missing.append(q)
        else:
            fills[QUESTION + q.index] = _fill(template, data)
    if missing:  # shapes not seen yet: their macro makes them, from a bound form
        form = bind(defn, page, lang, answers=shown)
        macros = current_app.jinja_env.get_template("apply/_fields.html").make_module(
            {"lang": lang}
        )
        for q in missing:
            fills[QUESTION + q.index] = field_html(
                macros.widget, fv, q.field, form[q.field.id], {}, lang
            )

    template, markers = _page_template(fv, page, lang, locale, layout)
    fills[CSRF] = escape(generate_csrf())
    for n, code in enumerate(CONTENT_LANGUAGES):  # the language links a page may offer
        if LANG_LINK + n in markers:
            fills[LANG_LINK + n] = escape(lang_url(code))
    return template.format(*fills)


class Question(NamedTuple):
    index: int  # its place among the page's fields: its marker is QUESTION + index
    field: Any
    slots: tuple[Slot, ...]
    plain: bool  # one text input holding the answer as stored (most questions): no to_wtforms


_ONE_TEXT = (Slot(None, "text"),)


def _questions(fv, defn: FormDefinition, page: Page, lang: str) -> list[Question] | None:
    """The page's questions with their slots, once per version, page and language; None
    when one of them is not made this way (files, groups, long checklists)."""
    plans = _cache("page_questions")
    key = (fv.id, fv.content_hash, page.id, lang)
    if key not in plans:
        form = bind(defn, page, lang, answers={})
        plan: list[Question] | None = []
        for index, f in enumerate(page.fields):
            if not has_answer(f):
                continue
            slots = slots_of(form[f.id]) if f.type not in ("file", "group") else None
            if slots is None:
                plan = None
                break
            plain = slots == _ONE_TEXT and kind(f).shows_answer_as_is
            plan.append(Question(index, f, slots, plain))
        plans[key] = plan
    return plans[key]


def _page_template(
    fv, page: Page, lang: str, locale: str, layout: dict[str, Any]
) -> tuple[str, frozenset[int]]:
    """apply/page.html for this layout, rendered with markers → `format_template()`."""
    layouts = _cache("page_templates")
    key = (
        fv.id,
        fv.content_hash,
        page.id,
        lang,
        locale,
        *((k, _hashable(v)) for k, v in sorted(layout.items()) if k not in ("defn", "page")),
    )
    made = layouts.get(key)
    if made is not None:
        return made
    index = {f.id: j for j, f in enumerate(page.fields)}

    def marker(n: int) -> Markup:
        return Markup(MARKER.format(n))

    html = render_template(
        "apply/page.html",
        **layout,
        fv=fv,
        form={f.id: None for f in page.fields if has_answer(f)},  # each question's place
        errors={},
        summary=[],
        files={},
        csrf_token=lambda: marker(CSRF),
        lang_url=lambda code: marker(LANG_LINK + CONTENT_LANGUAGES.index(code)),
        field_html=lambda macro, fv, f, wt, errors, lang: marker(QUESTION + index[f.id]),
    )
    return _keep(layouts, key, format_template(html), MAX_LAYOUTS)


def _hashable(value):
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    if isinstance(value, (list, set, frozenset, tuple)):
        items = [_hashable(v) for v in value]
        return tuple(sorted(items) if isinstance(value, (set, frozenset)) else items)
    return value


# --- a question: its slots, its data, its shape -------------------------------------------


def slots_of(wt: WTField) -> tuple[Slot, ...] | None:
    """The slots of a WTForms field, in the order of its markers; None: not made this way."""
    if isinstance(wt, FormField):
        parts = tuple(_slot(sub, sub.short_name) for sub in wt)
        return None if any(s is None for s in parts) else parts
    one = _slot(wt, None)
    return None if one is None else (one,)


def _slot(wt: WTField, part: str | None) -> Slot | None:
    if isinstance(wt, SelectMultipleField):
        if len(wt.choices) > MAX_MULTI_OPTIONS:
            return None
        return Slot(part, "multi", frozenset(c.value for c in wt.choices))
    if isinstance(wt, (SelectField, RadioField)):
        return Slot(part, "choice", frozenset(c.value for c in wt.choices))
    if isinstance(wt, BooleanField):
        return Slot(part, "bool")
    if wt.type in ("StringField", "TextAreaField"):
        return Slot(part, "text")
    return None


_ABSENT = object()


def data_of_answer(slots: tuple[Slot, ...], present: bool, value: Any) -> list | None:
    """The data each slot would hold once WTForms binds this value (the field type's
    `to_wtforms` of the answer; `present`: the answers have the question), without
    binding: text as given, a choice when it is a string, a box as a bool, ticked options
    as a list. None for a value of another kind (then WTForms binds it)."""
    out = []
    for slot in slots:
        raw = value if present else _ABSENT
        if slot.part is not None:  # a part of a composite: WTForms reads it from a dict
            if raw is _ABSENT or raw is None:
                raw = _ABSENT
            elif isinstance(raw, dict):
                raw = raw.get(slot.part, _ABSENT)
            else:
                return None
        if slot.kind == "text":
            out.append(None if raw is _ABSENT else raw)
        elif slot.kind == "choice":
            if raw is _ABSENT or raw is None:
                out.append(None)
            elif isinstance(raw, str):
                out.append(raw)
            else:
                return None
        elif slot.kind == "bool":
            out.append(False if raw is _ABSENT else bool(raw))
        elif raw is _ABSENT or raw is None:  # multi
            out.append(None)
        elif isinstance(raw, list) and all(isinstance(x, str) for x in raw):
            out.append(list(raw))
        else:
            return None
    return out


def _bound_data(wt: WTField) -> list:
    """The data of each slot of a bound WTForms field."""
    return [sub.data for sub in wt] if isinstance(wt, FormField) else [wt.data]


def _empty(value) -> bool:
    return value is None or value == ""


def shape_of(slots: tuple[Slot, ...], data: list) -> tuple | None:
    """What of the data changes the HTML besides the text itself; None when a value is
    not one the shapes cover."""
    out = []
    for slot, v in zip(slots, data, strict=True):
        if slot.kind == "text":
            if not _empty(v) and not isinstance(v, str):
                return None
            out.append(v if _empty(v) else 1)  # 1: some text, put in at its marker
        elif slot.kind == "choice":
            if not (v is None or (isinstance(v, str) and v in slot.values)):
                return None
            out.append(v)
        elif slot.kind == "bool":
            out.append(bool(v))
        else:  # multi
            if v is not None and not (
                isinstance(v, list) and all(isinstance(x, str) and x in slot.values for x in v)
            ):
                return None
            out.append(tuple(sorted(set(v or []))))
    return tuple(out)


# --- a question's HTML, and templates with markers ----------------------------------------


def format_template(html: str) -> tuple[str, frozenset[int]]:
    """HTML with markers → (a `str.format` template where marker n is `{n}`, the markers)."""
    parts = _MARKERS.split(html)
    text = "".join(
        "{" + p + "}" if n % 2 else p.replace("{", "{{").replace("}", "}}")
        for n, p in enumerate(parts)
    )
    return text, frozenset(int(p) for p in parts[1::2])


def _cache(name: str) -> dict:
    return current_app.extensions.setdefault(name, {})


def _keep(cache: dict, key: tuple, value, limit: int):
    if len(cache) >= limit:
        cache.clear()
    cache[key] = value
    return value


def _question_key(fv, f, lang: str, locale: str, shape: tuple) -> tuple:
    return (fv.id, fv.content_hash, f.id, lang, locale, shape)


def _question_template(macro: Callable, f, wt: WTField, slots: tuple[Slot, ...]) -> str:
    """The question's macro, rendered with a marker for each text written out."""
    subs = list(wt) if isinstance(wt, FormField) else [wt]
    saved = [s.data for s in subs]
    try:
        for i, (s, slot) in enumerate(zip(subs, slots, strict=True)):
            if slot.kind == "text" and not _empty(s.data):
                s.data = MARKER.format(i)
        html = str(macro(f, wt, f.id, {}))
    finally:
        for s, v in zip(subs, saved, strict=True):
            s.data = v
    return format_template(html)[0]


def _fill(template: str, data: list) -> str:
    """A question's HTML: its texts, escaped, where their markers were."""
    return template.format(*[escape(v) if v.__class__ is str else v for v in data])


def field_html(
    macro: Callable, fv, f, wt: WTField, errors: Mapping[str, list], lang: str
) -> Markup:
    """A question's HTML as `macro(f, wt, f.id, errors)` writes it, from its template when
    it can be (the template global apply/page.html uses for each question)."""
    slots = slots_of(wt)
    data = _bound_data(wt)
    shape = shape_of(slots, data) if slots is not None and not _has_errors(f.id, errors) else None
    if shape is None:
        return macro(f, wt, f.id, errors)
    templates = _cache("question_templates")
    key = _question_key(fv, f, lang, str(get_locale()), shape)
    template = templates.get(key)
    if template is None:
        template = _keep(templates, key, _question_template(macro, f, wt, slots), MAX_QUESTIONS)
    return Markup(_fill(template, data))


def _has_errors(field_id: str, errors: Mapping[str, list]) -> bool:
    if not errors:
        return False
    prefixes = (field_id + ".", field_id + "[")
    return any(k == field_id or k.startswith(prefixes) for k in errors)
