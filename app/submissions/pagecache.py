"""A question page made once per layout, then filled in: the form pages' fast path.

Besides its questions, what a question page's HTML depends on is its *layout*: the form
version, the page, the languages, whether the resident came from the check page, the
step numbers and the way back, and which questions earlier answers hide or explain. The
page's template is rendered once per layout, with markers where the CSRF token, the
language links and each question go; a request then puts the token, the links and each
question's HTML (made once per shape of its data by fieldcache) in their places, without
binding WTForms or running the template. The output is the template's, character for
character (tests/submissions/test_pagecache.py).

Not taken this way (the template renders the page, as before): a page with errors or with
messages to flash, a page with file or repeatable group fields, and a page one of whose
questions holds data of a kind the question cache does not take.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import current_app, render_template, session
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from app.formengine import FormDefinition, Page
from app.formengine.types import Runtime, has_answer, kind
from app.formengine.wtf import bind
from app.settings import CONTENT_LANGUAGES
from app.web import lang_url

from . import fieldcache
from .fieldcache import MARK, Slot

_CSRF, _LANG, _FIELD = 0, 1, 10  # marker numbers: the token, a language link, a question
MAX_LAYOUTS = 2_000  # a bound on the layouts one application keeps
_TEXT = (Slot(None, "text"),)


def _plan(fv, defn: FormDefinition, page: Page, lang: str):
    """The questions of a page with their slots (fieldcache), once per version, page and
    language; None when a question cannot be filled in (files, groups, long checklists)."""
    plans = current_app.extensions.setdefault("page_plans", {})
    key = (fv.id, fv.content_hash, page.id, lang)
    if key not in plans:
        form = bind(defn, page, lang, answers={})
        plan: list[tuple[int, Any, tuple[Slot, ...], Callable | None]] | None = []
        for j, f in enumerate(page.fields):
            if not has_answer(f):
                continue
            slots = fieldcache.slots_of(form[f.id]) if f.type not in ("file", "group") else None
            if slots is None:
                plan = None
                break
            # a text the answers hold as it is shown (to_wtforms keeps it): read directly
            plain = slots == _TEXT and kind(f).to_wtforms.__func__ is Runtime.to_wtforms.__func__
            plan.append((j, f, slots, None if plain else kind(f).to_wtforms))
        plans[key] = plan
    return plans[key]


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
    plan = _plan(fv, defn, page, lang)
    if plan is None:
        return None
    locale = str(get_locale())
    made = fieldcache.entries()
    fills = [""] * (_FIELD + len(page.fields))  # by marker number
    missing = []
    hidden = layout["hidden"]
    for j, f, slots, to_wtforms in plan:
        if f.id in hidden:  # not on the page for these answers
            continue
        if to_wtforms is None:  # plain text, the most common question
            v = shown.get(f.id)
            if v.__class__ is not str and v is not None:
                return None
            data, shape = [v], (v if not v else 1,)
        else:
            present = f.id in shown
            value = to_wtforms(f, shown[f.id]) if present else None
            data = fieldcache.data_from(slots, present, value)
            shape = fieldcache.state(slots, data) if data is not None else None
            if shape is None:
                return None
        template = made.get(fieldcache.key(fv, f, lang, locale, shape))
        if template is None:
            missing.append((j, f))
        else:
            fills[_FIELD + j] = fieldcache.fill(template, data)
    if missing:  # shapes not seen yet: the macro makes them, from a bound form
        form = bind(defn, page, lang, answers=shown)
        macros = current_app.jinja_env.get_template("apply/_fields.html").make_module(
            {"lang": lang}
        )
        for j, f in missing:
            fills[_FIELD + j] = fieldcache.field_html(macros.widget, fv, f, form[f.id], {}, lang)

    template, marks = _skeleton(fv, page, lang, locale, layout)
    fills[_CSRF] = escape(generate_csrf())
    for n, code in enumerate(CONTENT_LANGUAGES):  # the language links a page may offer
        if _LANG + n in marks:
            fills[_LANG + n] = escape(lang_url(code))
    return template.format(*fills)


def _skeleton(
    fv, page: Page, lang: str, locale: str, layout: dict[str, Any]
) -> tuple[str, frozenset[int]]:
    """The page rendered with markers → its `template_of()`."""
    cache = current_app.extensions.setdefault("page_layouts", {})
    key = (
        fv.id,
        fv.content_hash,
        page.id,
        lang,
        locale,
        *((k, _hashable(v)) for k, v in sorted(layout.items()) if k not in ("fv", "defn", "page")),
    )
    hit = cache.get(key)
    if hit is not None:
        return hit
    answerable = {f.id: None for f in page.fields if has_answer(f)}
    index = {f.id: j for j, f in enumerate(page.fields)}

    def mark(n: int) -> Markup:
        return Markup(MARK.format(n))

    html = render_template(
        "apply/page.html",
        **layout,
        form=answerable,  # each question's place, filled in per request
        errors={},
        summary=[],
        files={},
        csrf_token=lambda: mark(_CSRF),
        lang_url=lambda code: mark(_LANG + CONTENT_LANGUAGES.index(code)),
        field_html=lambda macro, fv, f, wt, errors, lang: mark(_FIELD + index[f.id]),
    )
    hit = fieldcache.template_of(html)
    if len(cache) >= MAX_LAYOUTS:
        cache.clear()
    cache[key] = hit
    return hit


def _hashable(value):
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    if isinstance(value, (list, set, frozenset, tuple)):
        items = [_hashable(v) for v in value]
        return tuple(sorted(items) if isinstance(value, (set, frozenset)) else items)
    return value
