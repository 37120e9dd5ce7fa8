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
from dataclasses import dataclass

from flask import current_app
from flask_babel import get_locale
from markupsafe import Markup, escape
from wtforms import BooleanField, FormField, RadioField, SelectField, SelectMultipleField
from wtforms.fields.core import Field as WTField

MARK = "\ue000{}\ue001"  # private-use characters: never in a label, never left in the output
_MARKS = re.compile("\ue000(\\d+)\ue001")
MAX_MULTI_OPTIONS = 8  # a checkboxes field with more options is rendered by its macro
MAX_ENTRIES = 20_000  # a bound on the cache of one application


@dataclass(frozen=True)
class Slot:
    """A part of a question whose data changes its HTML: the field itself, or one part of a
    composite (`part`, a sub-field of a FormField); how (`kind`: text written out, which
    option is chosen, a box ticked, which options are ticked); the options there are."""

    part: str | None
    kind: str
    values: frozenset[str] = frozenset()


def slots_of(wt: WTField) -> tuple[Slot, ...] | None:
    """The slots of a bound field, in the order of its HTML's markers; None: not cached."""
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


def _data(wt: WTField) -> list:
    """The data of each slot of a bound field."""
    return [sub.data for sub in wt] if isinstance(wt, FormField) else [wt.data]


def _empty(value) -> bool:
    return value is None or value == ""


def state(slots: tuple[Slot, ...], data: list) -> tuple | None:
    """What of the data shapes the HTML; None when a value is not one the cache takes."""
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


def _compile(macro: Callable, f, wt: WTField, slots: tuple[Slot, ...]) -> str:
    """Render the macro with a marker for each written-out part → its `template_of()`."""
    subs = list(wt) if isinstance(wt, FormField) else [wt]
    saved = [s.data for s in subs]
    try:
        for i, (s, slot) in enumerate(zip(subs, slots, strict=True)):
            if slot.kind == "text" and not _empty(s.data):
                s.data = MARK.format(i)
        html = str(macro(f, wt, f.id, {}))
    finally:
        for s, v in zip(subs, saved, strict=True):
            s.data = v
    return template_of(html)[0]


def template_of(html: str) -> tuple[str, frozenset[int]]:
    """HTML with markers → (a `str.format` template where marker n is `{n}`, the markers)."""
    parts = _MARKS.split(html)
    text = "".join(
        "{" + p + "}" if n % 2 else p.replace("{", "{{").replace("}", "}}")
        for n, p in enumerate(parts)
    )
    return text, frozenset(int(p) for p in parts[1::2])


def key(fv, f, lang: str, locale: str, shape: tuple) -> tuple:
    """Where the template of a question of this shape is kept in `entries()`."""
    return (fv.id, fv.content_hash, f.id, lang, locale, shape)


def entries() -> dict:
    """This application's question templates, by `key()`."""
    return current_app.extensions.setdefault("field_html", {})


def fill(template: str, data: list) -> str:
    """The question's HTML: its text parts, escaped, where their markers were."""
    return template.format(*[escape(v) if v.__class__ is str else v for v in data])


def field_html(
    macro: Callable, fv, f, wt: WTField, errors: Mapping[str, list], lang: str
) -> Markup:
    """The field's HTML as `macro(f, wt, f.id, errors)` writes it."""
    slots = slots_of(wt)
    data = _data(wt)
    shape = state(slots, data) if slots is not None and not _has_errors(f.id, errors) else None
    if shape is None:
        return macro(f, wt, f.id, errors)
    cache = entries()
    where = key(fv, f, lang, str(get_locale()), shape)
    template = cache.get(where)
    if template is None:
        if len(cache) >= MAX_ENTRIES:
            cache.clear()
        template = cache[where] = _compile(macro, f, wt, slots)
    return Markup(fill(template, data))


def _has_errors(field_id: str, errors: Mapping[str, list]) -> bool:
    if not errors:
        return False
    prefixes = (field_id + ".", field_id + "[")
    return any(k == field_id or k.startswith(prefixes) for k in errors)


_UNSET = object()


def data_from(slots: tuple[Slot, ...], present: bool, value) -> list | None:
    """The data each slot of a field would hold once bound by `bind(answers=…)` with this
    value (the field type's `to_wtforms`; `present`: the answers have the field), without
    binding WTForms: text as given, a choice as given when it is a string, a box as a
    bool, ticked options as a list. None for a value of another kind (the caller binds)."""
    out = []
    for slot in slots:
        raw = value if present else _UNSET
        if slot.part is not None:  # a part of a composite: WTForms reads it from a dict
            if raw is _UNSET or raw is None:
                raw = _UNSET
            elif isinstance(raw, dict):
                raw = raw.get(slot.part, _UNSET)
            else:
                return None
        if slot.kind == "text":
            out.append(None if raw is _UNSET else raw)
        elif slot.kind == "choice":
            if raw is _UNSET or raw is None:
                out.append(None)
            elif isinstance(raw, str):
                out.append(raw)
            else:
                return None
        elif slot.kind == "bool":
            out.append(False if raw is _UNSET else bool(raw))
        elif raw is _UNSET or raw is None:  # multi
            out.append(None)
        elif isinstance(raw, list) and all(isinstance(x, str) for x in raw):
            out.append(list(raw))
        else:
            return None
    return out
