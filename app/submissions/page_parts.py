"""What a question page shows besides its questions' data: which questions earlier answers
hide, the words of the conditions on the page, which of them the browser may reveal, and
the input an error points at. The resident's pages and the builder's preview use it alike."""

from __future__ import annotations

from flask_babel import gettext as _

from app.formengine import Page, evaluate
from app.formengine.conditions import as_json, describe, referenced, revealable
from app.formengine.types import kind


def anchor(key: str, page: Page) -> str:
    """The id of the input an error key points at: its field type knows (`name.family` →
    `name-family`; an error about a whole date → its year)."""
    f = next((x for x in page.fields if x.id == key.split(".")[0].split("[")[0]), None)
    if f is None:
        return key.replace("[", "-").replace("].", "-").replace("]", "").replace(".", "-")
    return kind(f).anchor(f, key)


def conditions_shown(defn, page: Page, answers, lang: str, ctx):
    """Fields hidden by answers on earlier pages, and words for conditions on this page.

    Without JavaScript a page cannot hide a field as the resident types, so a field
    that depends on this same page is shown with its condition spelled out; where the
    browser can evaluate the condition (`revealable`), static/reveal.js shows and hides
    it as the resident answers (`reveal`: field id → the condition as JSON).
    """
    here = {f.id for f in page.fields}
    hidden, notes, reveal = set(), {}, {}

    def label(fid):
        f = defn.field(fid)
        return f.label.get(lang) if f and f.label else fid

    def value(fid, v):
        f = defn.field(fid)
        if f and f.options:
            return next((o.label.get(lang) for o in f.options if o.value == str(v)), str(v))
        if isinstance(v, bool):
            return {True: _("はい"), False: _("いいえ")}[v]
        return str(v)

    def has_options(fid):
        f = defn.field(fid)
        return bool(f and f.options)

    for f in page.fields:
        if not f.show_if:
            continue
        if referenced(f.show_if) & here:
            notes[f.id] = describe(f.show_if, label, value, lang)
            if revealable(f.show_if, has_options) and referenced(f.show_if) <= here:
                reveal[f.id] = as_json(f.show_if)
        elif not evaluate(f.show_if, answers, today=ctx.today):
            hidden.add(f.id)
    return hidden, notes, reveal
