"""WTForms forms built from a page of a definition (the HTML side of the engine).

WTForms reads the posted form data into the JSON shape of each answer and holds
what was typed for re-display; the rules themselves are the engine's (answers.py),
so the HTML flow and the API share one validation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wtforms import Form

from .model import FormDefinition, Page
from .types import has_answer, kind

_cache: dict[tuple, type[Form]] = {}


def page_form_class(defn: FormDefinition, page: Page, lang: str) -> type[Form]:
    """A WTForms Form class for one page (made once per form version, page and language)."""
    key = (defn.id, defn.version, page.id, lang)
    cls = _cache.get(key)
    if cls is None:
        attrs = {f.id: kind(f).wtforms_field(f, lang) for f in page.fields if has_answer(f)}
        cls = _cache[key] = type(f"Page_{page.id}", (Form,), attrs)
    return cls


def bind(
    defn: FormDefinition,
    page: Page,
    lang: str,
    formdata=None,
    answers: Mapping[str, Any] | None = None,
    extra_items: Mapping[str, int] | None = None,
) -> Form:
    """The page's form filled from posted data, or else from the kept answers."""
    cls = page_form_class(defn, page, lang)
    if formdata is not None:
        form = cls(formdata=formdata)
    else:
        data = {
            f.id: kind(f).to_wtforms(f, answers.get(f.id))
            for f in page.fields
            if has_answer(f) and answers and f.id in answers
        }
        form = cls(data=data)
    for field_id, count in (extra_items or {}).items():
        for _ in range(count):
            form[field_id].append_entry()
    return form


def answers_from(defn: FormDefinition, page: Page, form: Form) -> dict[str, Any]:
    """The raw answers of the page in their JSON shape (files are added by the caller)."""
    return {f.id: kind(f).from_wtforms(f, form[f.id]) for f in page.fields if has_answer(f)}
