"""A question's HTML, made once and then filled in: the form pages' fast path.

Rendering a field through its Jinja macro costs far more than the page's other work, and
almost all of what it writes depends only on the field's definition and the language.
So the macro renders each field once per form version, language and *shape* of its
data — which parts are empty, which option is chosen — with markers in place of what
the resident typed; a request then only puts the escaped text where the markers were.
The output is the macro's, character for character (tests/submissions/test_fieldcache.py).

Not taken this way (the macro renders them as before): a field with an error, repeatable
groups and file fields, and a choice outside the field's options.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from flask import current_app
from flask_babel import get_locale
from markupsafe import Markup, escape
from wtforms import BooleanField, FormField, RadioField, SelectField, SelectMultipleField
from wtforms.fields.core import Field as WTField

MARK = "\ue000{}\ue001"  # private-use characters: never in a label, never left in the output
_MARKS = re.compile("\ue000(\\d+)\ue001")
MAX_MULTI_OPTIONS = 8  # a checkboxes field with more options is rendered by its macro
MAX_ENTRIES = 20_000  # a bound on the cache of one application


def _slots(wt: WTField) -> list[tuple[WTField, str]] | None:
    """The parts of a bound field whose data changes its HTML, with how: `text` (written
    out), `choice` (which option), `bool` or `multi` (which options); None: not cached."""
    if isinstance(wt, FormField):
        parts = [(sub, _kind(sub)) for sub in wt]
        return None if any(k is None for _, k in parts) else parts
    k = _kind(wt)
    return None if k is None else [(wt, k)]


def _kind(wt: WTField) -> str | None:
    if isinstance(wt, SelectMultipleField):
        return "multi" if len(wt.choices) <= MAX_MULTI_OPTIONS else None
    if isinstance(wt, (SelectField, RadioField)):
        return "choice"
    if isinstance(wt, BooleanField):
        return "bool"
    if wt.type in ("StringField", "TextAreaField", "IntegerField", "EmailField", "TelField"):
        return "text"
    return None


def _empty(value) -> bool:
    return value is None or value == ""


def _state(slots: list[tuple[WTField, str]]) -> tuple | None:
    """What of the data shapes the HTML; None when a value is not one the cache takes."""
    out = []
    for wt, k in slots:
        v = wt.data
        if k == "text":
            if not _empty(v) and not isinstance(v, (str, int)):
                return None
            out.append(v if _empty(v) else 1)  # 1: some text, put in at its marker
        elif k == "choice":
            if not (v is None or (isinstance(v, str) and v in _values(wt))):
                return None
            out.append(v)
        elif k == "bool":
            out.append(bool(v))
        else:  # multi
            if v is not None and not (
                isinstance(v, list) and all(isinstance(x, str) and x in _values(wt) for x in v)
            ):
                return None
            out.append(tuple(sorted(set(v or []))))
    return tuple(out)


def _values(wt: WTField) -> set:
    return {c.value for c in wt.choices}


def _compile(macro: Callable, f, wt: WTField, slots) -> list:
    """Render the macro with a marker for each written-out part → [text, slot index, …]."""
    saved = [s.data for s, _ in slots]
    try:
        for i, (s, k) in enumerate(slots):
            if k == "text" and not _empty(s.data):
                s.data = MARK.format(i)
        html = str(macro(f, wt, f.id, {}))
    finally:
        for (s, _), v in zip(slots, saved, strict=True):
            s.data = v
    pieces = _MARKS.split(html)
    return [int(p) if n % 2 else p for n, p in enumerate(pieces)]


def field_html(
    macro: Callable, fv, f, wt: WTField, errors: Mapping[str, list], lang: str
) -> Markup:
    """The field's HTML as `macro(f, wt, f.id, errors)` writes it."""
    slots = _slots(wt)
    state = _state(slots) if slots is not None and not _has_errors(f.id, errors) else None
    if state is None:
        return macro(f, wt, f.id, errors)
    cache = current_app.extensions.setdefault("field_html", {})
    key = (fv.id, fv.content_hash, f.id, lang, str(get_locale()), state)
    pieces = cache.get(key)
    if pieces is None:
        if len(cache) >= MAX_ENTRIES:
            cache.clear()
        pieces = cache[key] = _compile(macro, f, wt, slots)
    return Markup("".join(p if isinstance(p, str) else escape(slots[p][0].data) for p in pieces))


def _has_errors(field_id: str, errors: Mapping[str, list]) -> bool:
    if not errors:
        return False
    prefixes = (field_id + ".", field_id + "[")
    return any(k == field_id or k.startswith(prefixes) for k in errors)
