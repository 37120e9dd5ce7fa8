"""`show_if`: a small interpreter of condition maps — never eval.

A condition is `{field: id, <operator>: value}` or `{all: [...]}`, `{any: [...]}`,
`{not: {...}}`. The parser has checked the shape; here we only evaluate it.
"""

from __future__ import annotations

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


def _compare(op: str, value: Any, arg: Any, today: date | None) -> bool:
    if op == "filled":
        return _filled(value) == bool(arg)
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


def evaluate(condition: Mapping[str, Any] | None, answers: Mapping[str, Any],
             is_visible: Callable[[str], bool] | None = None, today: date | None = None) -> bool:
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
