"""`show_if`: a small interpreter of condition maps — never eval.

A condition is `{field: id, <operator>: value}` or `{all: [...]}`, `{any: [...]}`,
`{not: {...}}`. The parser has checked the shape; here we only evaluate it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from .normalise import parse_date, resolve_date_bound

OPERATORS = ("equals", "not_equals", "in", "not_in", "gt", "gte", "lt", "lte", "filled")
COMBINATORS = ("all", "any", "not")


def _filled(value: Any) -> bool:
    if value is None or value is False:
        return False
    if isinstance(value, str | list | tuple | dict):
        if isinstance(value, dict):
            return any(_filled(v) for v in value.values())
        return len(value) > 0
    return True


def _comparable(value: Any, other: Any, today: date | None):
    """Pair the answer and the condition's value as numbers or dates, else None."""
    if isinstance(other, str) and other.startswith("today") and today is not None:
        other = resolve_date_bound(other, today)
    if isinstance(value, bool) or isinstance(other, bool):
        return None
    if isinstance(value, int | float) and isinstance(other, int | float):
        return value, other
    if isinstance(value, str) and isinstance(other, str | date):
        a = parse_date(value)
        b = other if isinstance(other, date) else parse_date(other)
        if a and b:
            return a, b
    return None


def _contains(value: Any, wanted: Any) -> bool:
    """equals: for a list answer (checkboxes), true when the list holds the value."""
    if isinstance(value, list | tuple):
        return wanted in value or str(wanted) in value
    if isinstance(value, bool) or isinstance(wanted, bool):
        return value is wanted or value == wanted
    return value == wanted or (value is not None and str(value) == str(wanted))


def _on_day(arg: Any, value: Any, today: date | None) -> Any:
    """For a date answer, `today` or `today-18y` as the ISO date it stands for."""
    if (
        isinstance(arg, str)
        and arg.startswith("today")
        and today is not None
        and isinstance(value, str)
        and parse_date(value) is not None
    ):
        day = resolve_date_bound(arg, today)
        return day.isoformat() if day else arg
    return arg


def _compare(op: str, value: Any, arg: Any, today: date | None) -> bool:
    if op == "filled":
        return _filled(value) == bool(arg)
    if op in ("not_equals", "not_in") and not _filled(value):
        # an unanswered question is not yet "something else": what depends on it stays
        # hidden (and not required) until it is answered
        return False
    if op in ("equals", "not_equals"):
        arg = _on_day(arg, value, today)
    elif op in ("in", "not_in"):
        arg = [_on_day(a, value, today) for a in arg]
    if op == "equals":
        return _contains(value, arg)
    if op == "not_equals":
        return not _contains(value, arg)
    if op == "in":
        return any(_contains(value, a) for a in arg)
    if op == "not_in":
        return not any(_contains(value, a) for a in arg)
    pair = _comparable(value, arg, today)
    if pair is None:
        return False  # nothing answered yet, or not comparable: the condition does not hold
    a, b = pair
    return {"gt": a > b, "gte": a >= b, "lt": a < b, "lte": a <= b}[op]


def evaluate(
    condition: Mapping[str, Any] | None,
    answers: Mapping[str, Any],
    is_visible: Callable[[str], bool] | None = None,
    today: date | None = None,
) -> bool:
    """True when the condition holds for these answers (no condition: always true).

    `is_visible(field_id)` lets a condition on a hidden field see no answer at all,
    so that hiding cascades.
    """
    if condition is None:
        return True
    if "all" in condition:
        return all(evaluate(c, answers, is_visible, today) for c in condition["all"])
    if "any" in condition:
        return any(evaluate(c, answers, is_visible, today) for c in condition["any"])
    if "not" in condition:
        return not evaluate(condition["not"], answers, is_visible, today)
    field_id = condition["field"]
    value = answers.get(field_id)
    if is_visible is not None and not is_visible(field_id):
        value = None
    for op in OPERATORS:
        if op in condition:
            return _compare(op, value, condition[op], today)
    raise ValueError(f"condition without an operator: {dict(condition)!r}")


# what a browser may evaluate as the resident answers (static/reveal.js does the same)
_REVEAL_OPERATORS = ("equals", "not_equals", "in", "not_in", "filled")


def revealable(condition: Mapping[str, Any] | None, has_options: Callable[[str], bool]) -> bool:
    """Whether a page may show and hide a question by this condition as the resident
    answers (progressive disclosure): every comparison looks at a question with options
    (values the browser sends as they are stored), with equals, in, their negations or
    filled; no number or date comparisons, no `today`. Anything else keeps its words."""
    if not condition:
        return False
    if "all" in condition or "any" in condition:
        return all(revealable(c, has_options) for c in condition.get("all") or condition["any"])
    if "not" in condition:
        return revealable(condition["not"], has_options)
    ops = [op for op in OPERATORS if op in condition]
    if len(ops) != 1 or ops[0] not in _REVEAL_OPERATORS or not has_options(condition["field"]):
        return False
    arg = condition[ops[0]]
    args = arg if isinstance(arg, list | tuple) else [arg]
    return not any(isinstance(a, str) and a.startswith("today") for a in args)


def as_json(condition: Mapping[str, Any]) -> str:
    """The condition as JSON, for a page's `data-show-if` (static/reveal.js reads it)."""

    def plain(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        return value

    return json.dumps(plain(condition), ensure_ascii=False, separators=(",", ":"))


def referenced(condition: Mapping[str, Any] | None) -> set[str]:
    """The field ids a condition looks at."""
    if not condition:
        return set()
    if "all" in condition or "any" in condition:
        return set().union(*(referenced(c) for c in condition.get("all") or condition.get("any")))
    if "not" in condition:
        return referenced(condition["not"])
    return {condition["field"]}


_WORDS = {
    # each phrase ends so that it reads on into 場合 and かつ/または
    "ja": {
        "equals": "「{label}」が「{value}」である",
        "not_equals": "「{label}」が「{value}」以外である",
        "in": "「{label}」が「{value}」のいずれかである",
        "not_in": "「{label}」が「{value}」のいずれでもない",
        "gt": "「{label}」が{value}より大きい",
        "gte": "「{label}」が{value}以上である",
        "lt": "「{label}」が{value}より小さい",
        "lte": "「{label}」が{value}以下である",
        "filled": "「{label}」を入力した",
        "empty": "「{label}」を入力していない",
        "and": "かつ",
        "or": "または",
        "not": "（{inner}）に当てはまらない",
        "wrap": "{text}場合に回答してください。",
        "sep": "、",
        "paren": "（{inner}）",
        "contains": "「{label}」で「{value}」を選んだ",
    },
    "en": {
        "equals": "“{label}” is “{value}”",
        "not_equals": "“{label}” is not “{value}”",
        "in": "“{label}” is one of {value}",
        "not_in": "“{label}” is none of {value}",
        "gt": "“{label}” is more than {value}",
        "gte": "“{label}” is {value} or more",
        "lt": "“{label}” is less than {value}",
        "lte": "“{label}” is {value} or less",
        "filled": "“{label}” is answered",
        "empty": "“{label}” is not answered",
        "and": "and",
        "or": "or",
        "not": "not ({inner})",
        "wrap": "Answer this only if {text}.",
        "sep": ", ",
        "paren": "({inner})",
        "contains": "“{value}” is ticked in “{label}”",
    },
}


def describe(
    condition: Mapping[str, Any] | None,
    label_of: Callable[[str], str],
    value_of: Callable[[str, Any], str],
    lang: str,
    *,
    wrap: bool = True,
) -> str:
    """A condition in words, for residents who see every field (no JavaScript)."""
    if not condition:
        return ""
    w = _WORDS.get(lang, _WORDS["ja"]) if lang != "ja-easy" else _WORDS["ja"]

    def text(c) -> str:
        if "all" in c or "any" in c:
            joiner = f" {w['and' if 'all' in c else 'or']} "
            # a nested all/any in brackets: "(a or b) and c" must not read "a or b and c"
            return joiner.join(
                w["paren"].format(inner=text(x)) if "all" in x or "any" in x else text(x)
                for x in (c.get("all") or c.get("any"))
            )
        if "not" in c:
            return w["not"].format(inner=text(c["not"]))
        fid = c["field"]
        for op in OPERATORS:
            if op in c:
                arg = c[op]
                if op == "filled":
                    return w["filled" if arg else "empty"].format(label=label_of(fid))
                if isinstance(arg, list | tuple):
                    shown = w["sep"].join(value_of(fid, a) for a in arg)
                else:
                    shown = value_of(fid, arg)
                return w[op].format(label=label_of(fid), value=shown)
        return ""

    body = text(condition)
    return w["wrap"].format(text=body) if wrap else body
