"""Answers against a definition: what is visible, what is valid, what is stored.

One path for the HTML flow (page by page) and the JSON API (all at once), so that
the same answers get the same verdict and the same stored data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .conditions import evaluate
from .messages import message
from .model import Field, FormDefinition, Page
from .normalise import UNUSABLE
from .types import Context, GroupType, has_answer, kind, noun_of, unknown_keys

MAX_ERRORS = 50  # messages in one answer; the rest are counted in one more (MORE)
MORE = "_more"  # the key of that message


@dataclass
class Result:
    """Normalised answers of the visible fields, and errors keyed by field id (refined).

    At most MAX_ERRORS messages are kept; `finish` adds one under MORE saying how many
    more there were, so that an answer listing errors stays small whatever was sent.
    """

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    count: int = 0  # messages added, kept or not

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, key: str, msg: str) -> None:
        self.count += 1
        if self.count <= MAX_ERRORS:
            self.errors.setdefault(key, []).append(msg)

    def finish(self, lang: str) -> Result:
        if self.count > MAX_ERRORS:
            more = f"{self.count - MAX_ERRORS:,}"
            self.errors[MORE] = [message("more_errors", lang, n=more)]
        return self


def page_visible(page: Page, answers: Mapping[str, Any], ctx: Context) -> bool:
    return evaluate(page.show_if, answers, today=ctx.today)


def visible_pages(defn: FormDefinition, answers: Mapping[str, Any], ctx: Context) -> list[Page]:
    """Pages shown for these answers (conditions only look back, so one pass suffices)."""
    return [p for p in defn.pages if page_visible(p, answers, ctx)]


def validate_fields(
    fields: Iterable[Field],
    raw: Mapping[str, Any],
    known: dict[str, Any],
    ctx: Context,
    result: Result,
) -> None:
    """Validate fields in order; each condition sees the answers kept so far (`known`)."""
    for f in fields:
        if not has_answer(f):
            continue
        if not evaluate(f.show_if, known, today=ctx.today):
            known.pop(f.id, None)  # hidden: never validated, never stored
            continue
        # first what is too big to look at, then a character that cannot be stored
        # (before any rule can quote it back), then the rules of the type
        errors = kind(f).refused_by_size(f, raw.get(f.id), ctx)
        bad = None if errors else unusable_char(raw.get(f.id))
        if errors:
            value = None
        elif bad is not None:
            label, code = noun_of(f, ctx.lang), f"U+{ord(bad):04X}"
            value = None
            errors = [(f.id, message("unusable_char", ctx.lang, label=label, code=code))]
        elif f.type == "group":  # conditions of its inner fields look at the answers so far
            value, errors = GroupType.validate(f, raw.get(f.id), ctx, answers=known)
        else:
            value, errors = kind(f).validate(f, raw.get(f.id), ctx)
        for key, msg in errors:
            result.add(key, msg)
        if value is not None:
            known[f.id] = value
            result.values[f.id] = value
        else:
            known.pop(f.id, None)


def unusable_char(value: Any) -> str | None:
    """A character of an answer (a text, or the texts inside it) that may not be stored."""
    if isinstance(value, str):  # most answers: no walk
        found = UNUSABLE.search(value)
        return found.group() if found else None
    found = find_unusable(value)
    return found[1] if found else None


def find_unusable(value: Any) -> tuple[str, str] | None:
    """(where, character): the first character UNUSABLE finds in a text of `value`, a
    key or a value of the maps and lists inside it; `where` is the path of keys and
    indexes to it (`note`, `answers.name.family`, `items[2]`), empty for `value` itself."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:  # not recursive: JSON may be nested deeply
        where, item = stack.pop()
        if isinstance(item, str):
            found = UNUSABLE.search(item)
            if found:
                return where, found.group()
        elif isinstance(item, dict | Mapping):  # a dict first: the ABC's check is slow
            for key in item:
                found = UNUSABLE.search(key) if isinstance(key, str) else None
                if found:
                    return where, found.group()
            stack.extend(
                (f"{where}.{key}" if where else str(key), inner)
                for key, inner in reversed(item.items())
            )
        elif isinstance(item, list | tuple):
            stack.extend((f"{where}[{i}]", item[i]) for i in reversed(range(len(item))))
    return None


def validate_page(
    defn: FormDefinition,
    page: Page,
    raw: Mapping[str, Any],
    earlier: Mapping[str, Any],
    ctx: Context,
) -> Result:
    """One page of the HTML flow; `earlier` holds the kept answers of the pages before."""
    result = Result()
    known = {k: v for k, v in earlier.items() if k not in {f.id for f in page.fields}}
    validate_fields(page.fields, raw, known, ctx, result)
    return result.finish(ctx.lang)


def validate_all(
    defn: FormDefinition, raw: Mapping[str, Any], ctx: Context, *, unknown_is_error: bool = True
) -> Result:
    """The whole form at once (the API, and the final check before storing).

    Hidden pages and fields are skipped and their answers dropped; an answer for a
    field the form does not have is an error (when asked).
    """
    result = Result()
    known: dict[str, Any] = {}
    for page in defn.pages:
        if not page_visible(page, known, ctx):
            continue
        validate_fields(page.fields, raw, known, ctx, result)
    if unknown_is_error:
        ids = {f.id for _, f in defn.all_fields() if has_answer(f)}
        for key, msg in unknown_keys(raw, ids, ctx.lang):
            result.add(key, msg)
    return result.finish(ctx.lang)


def confirm_declaration(
    defn: FormDefinition, confirmed: bool, ctx: Context, result: Result
) -> None:
    """A form with a declaration (宣誓) is submitted only with it confirmed: on the check
    page and in the API alike (the error's key is `declaration`)."""
    if defn.declaration and confirmed is not True:
        result.add("declaration", message("declaration", ctx.lang))


def prune(defn: FormDefinition, answers: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    """The answers that stay visible, in form order (after a change on an earlier page)."""
    known: dict[str, Any] = {}
    for page in defn.pages:
        if not page_visible(page, known, ctx):
            continue
        for f in page.fields:
            if has_answer(f) and f.id in answers and evaluate(f.show_if, known, today=ctx.today):
                known[f.id] = _prune_items(f, answers[f.id], known, ctx)
    return known


def _prune_items(f: Field, value: Any, known: Mapping[str, Any], ctx: Context) -> Any:
    """A group's items without the answers of inner fields that are now hidden."""
    if f.type != "group" or not isinstance(value, list):
        return value
    shown = {inner.id for inner in GroupType.shown_fields(f, known, ctx.today)}
    return [
        {k: v for k, v in item.items() if k in shown} if isinstance(item, Mapping) else item
        for item in value
    ]
