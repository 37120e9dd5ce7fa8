"""Changes the builder's pages make to a form's plain data.

What a question may have comes from the registry (`FIELD_TYPES[type].extra_keys`,
`text_keys`, `has_options`) and how each key is written from the parser's own checks
(`parser.EXTRA_CHECKS`): the builder keeps no list of its own. A value is kept as typed
when it does not read as what its key takes ("abc" for a length): the parser then says
so at the question, and nothing typed is lost. No Flask, no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from app.formengine import parser
from app.formengine.registry import FIELD_TYPES

from . import document

MAX_TEXT = 10_000  # characters of one text typed into the builder
MAX_OPTIONS = 200  # option rows read from one post
# keys the question page does not edit (kept as they are): a group's questions, which are
# edited each on a page of their own
KEPT_KEYS = frozenset({"fields"})
CONDITION_OPERATORS = ("equals", "not_equals", "in", "not_in", "filled", "gt", "gte", "lt", "lte")


class Posted(Protocol):
    def get(self, key: str, default: Any = None) -> Any: ...
    def getlist(self, key: str) -> list[str]: ...


@dataclass(frozen=True)
class Input:
    """How one type-specific key is typed: text (in each language), string, integer,
    number, boolean, list (comma-separated), choice, or bounds (a map of integers, one
    input each: a group's `repeat`, whose keys are in `choices`)."""

    key: str
    kind: str
    choices: tuple[str, ...] = ()


_KIND_OF_CHECK = {
    parser._FormParser.positive_int: "integer",
    parser._FormParser.non_negative_int: "integer",
    parser._FormParser.integer: "integer",
    parser._FormParser.positive_number: "number",
    parser._FormParser.boolean: "boolean",
    parser._FormParser.mime_types: "list",
    parser._FormParser.pattern: "string",
    parser._FormParser.date_bound: "string",
    parser._FormParser.charset: "choice",
    parser._FormParser.kana_script: "choice",
    parser._FormParser.repeat: "bounds",
}
_CHOICES = {
    parser._FormParser.charset: parser.CHARSETS,
    parser._FormParser.kana_script: parser.KANA_SCRIPTS,
    parser._FormParser.repeat: tuple(sorted(parser.REPEAT_KEYS, key=lambda k: (k != "min", k))),
}


def inputs(type_name: str) -> list[Input]:
    """The type-specific keys of a type, each with how it is typed, in a stable order."""
    t = FIELD_TYPES.get(type_name)
    if t is None:
        return []
    out = []
    for key in sorted(t.extra_keys - parser.OWN_ATTRIBUTES - KEPT_KEYS):
        if key in t.text_keys:
            out.append(Input(key, "text"))
            continue
        check = parser.EXTRA_CHECKS.get((t.answer, key)) or parser.EXTRA_CHECKS.get(key)
        kind = _KIND_OF_CHECK.get(check, "string")
        out.append(Input(key, kind, tuple(_CHOICES.get(check, ()))))
    return out


def type_names() -> list[str]:
    """Every field type a question may have, as the registry lists them."""
    return list(FIELD_TYPES)


def group_type_names() -> list[str]:
    """The field types a question inside a repeating group may have (the parser's rule)."""
    return [name for name in FIELD_TYPES if name not in parser.NOT_IN_GROUP]


def is_group(f: Any) -> bool:
    """Whether a question holds questions of its own (a repeating group)."""
    t = FIELD_TYPES.get(document.type_name(f))
    return t is not None and "fields" in t.extra_keys


# --- reading what was typed -------------------------------------------------------------------


def _clip(value: Any) -> str:
    return str(value or "").replace("\r\n", "\n").strip()[:MAX_TEXT]


def read_text(form: Posted, name: str, langs: list[str]) -> dict[str, str] | None:
    """A text in each of the form's languages (`name-ja`, `name-en`, …); None when empty."""
    out = {lang: _clip(form.get(f"{name}-{lang}")) for lang in langs}
    out = {k: v for k, v in out.items() if v}
    return out or None


def _number(text: str, kind: str) -> Any:
    try:
        return int(text) if kind == "integer" else float(text) if "." in text else int(text)
    except ValueError:
        return text  # the parser says what is wrong with it, at the question


def read_value(form: Posted, item: Input, langs: list[str]) -> Any:
    name = f"x-{item.key}"
    if item.kind == "bounds":
        return read_bounds(form, item)
    if item.kind == "text":
        return read_text(form, name, langs)
    if item.kind == "boolean":  # not set, yes or no: an explicit `false` is kept
        return {"true": True, "false": False}.get(form.get(name) or "")
    raw = _clip(form.get(name))
    if not raw:
        return None
    if item.kind in ("integer", "number"):
        return _number(raw, item.kind)
    if item.kind == "list":
        return [x.strip() for x in raw.replace("、", ",").split(",") if x.strip()]
    return raw


def read_bounds(form: Posted, item: Input) -> dict[str, Any] | None:
    """A map of integers (`x-repeat-min`, `x-repeat-max`); None when none is typed."""
    out = {}
    for key in item.choices:
        raw = _clip(form.get(f"x-{item.key}-{key}"))
        if raw:
            out[key] = _number(raw, "integer")
    return out or None


def read_options(form: Posted, langs: list[str]) -> list[dict]:
    """The option rows (`opt-N-value`, `opt-N-ja`, …): a row with neither value nor label
    is left out (that is how a row is removed)."""
    out = []
    for n in range(MAX_OPTIONS):
        if f"opt-{n}-value" not in form and f"opt-{n}-ja" not in form:
            continue
        value = _clip(form.get(f"opt-{n}-value"))
        label = read_text(form, f"opt-{n}", langs)
        if not value and not label:
            continue
        option: dict[str, Any] = {"value": value}
        if label:
            option["label"] = label
        out.append(option)
    return out


def read_condition(form: Posted, earlier: list[dict], current: Any) -> Any:
    """The question's (or page's) condition: none, the one it had (`keep`), or one built
    from an earlier question, an operator and a value."""
    mode = form.get("cond-mode", "none")
    if mode == "keep":
        return current
    if mode != "simple":
        return None
    fid = _clip(form.get("cond-field"))
    op = form.get("cond-op") or "equals"
    if op not in CONDITION_OPERATORS:
        op = "equals"
    target = next((f for f in earlier if f.get("id") == fid), None)
    raw = _clip(form.get("cond-value"))
    if op == "filled":
        return {"field": fid, "filled": raw not in ("no", "false", "いいえ")}
    kind = (
        FIELD_TYPES[document.type_name(target)].answer
        if target and document.type_name(target) in FIELD_TYPES
        else ""
    )
    values = [x.strip() for x in raw.replace("、", ",").split(",") if x.strip()]
    if op in ("in", "not_in"):
        return {"field": fid, op: [_operand(v, kind) for v in values]}
    return {"field": fid, op: _operand(raw, kind)}


def _operand(text: str, kind: str) -> Any:
    if kind == "integer":
        return _number(text, "integer")
    if kind == "boolean":
        return {"true": True, "はい": True, "yes": True, "false": False, "いいえ": False}.get(
            text.lower(), text
        )
    return text


def read_question(
    old: Mapping[str, Any], form: Posted, langs: list[str], earlier: list[dict]
) -> dict:
    """The question as the page typed it; keys the page does not edit are kept."""
    type_name = document.type_name(old)
    t = FIELD_TYPES.get(type_name)
    new: dict[str, Any] = {"id": _clip(form.get("id")) or old.get("id"), "type": type_name}
    if t is None:  # a type the registry does not know: only the id is edited here
        return {**old, "id": new["id"]}
    for key in ("label", "short_label", "help"):
        if key in ("label", "short_label") and not t.label_required and "text" in t.extra_keys:
            continue
        text = read_text(form, key, langs)
        if text:
            new[key] = text
    if "text" in t.extra_keys:
        text = read_text(form, "text", langs)
        if text:
            new["text"] = text
    if form.get("required") == "y":
        new["required"] = True
    if t.has_options:
        new["options"] = read_options(form, langs)
    for item in inputs(type_name):
        value = read_value(form, item, langs)
        if value is not None:
            new[item.key] = value
    for key in sorted(KEPT_KEYS & t.extra_keys):
        if key in old:
            new[key] = old[key]
    condition = read_condition(form, earlier, old.get("show_if"))
    if condition:
        new["show_if"] = condition
    return new


def new_question(data: Any, type_name: str) -> dict[str, Any]:
    """A question of a type, with an id not yet used in the form."""
    t = FIELD_TYPES[type_name]
    q: dict[str, Any] = {
        "id": document.new_id(document.all_ids(data), type_name),
        "type": type_name,
    }
    if "text" in t.extra_keys:
        q["text"] = {"ja": ""}
    else:
        q["label"] = {"ja": ""}
    if "fields" in t.extra_keys:
        q["fields"] = []
    return q


def new_page(data: Any) -> dict[str, Any]:
    taken = {p.get("id") for p in document.pages(data)}
    n = len(taken) + 1
    while f"page{n}" in taken:
        n += 1
    return {"id": f"page{n}", "title": {"ja": ""}, "fields": []}


def move(items: list, index: int, delta: int) -> int:
    """Move an item up (-1) or down (+1); the index where it is now."""
    to = index + delta
    if 0 <= index < len(items) and 0 <= to < len(items):
        items[index], items[to] = items[to], items[index]
        return to
    return index


def move_to_page(data: Mapping[str, Any], p: int, q: int, to: int) -> int:
    """Move question `q` of page `p` to page `to`; its place there. It goes first on a
    later page and last on an earlier one, so that it passes no more questions than it
    must: its condition, and the conditions naming it, go with it as they are (one that
    would then name a later question is the parser's to report, at its question). The
    caller has checked that page `to` is a page whose questions are a list (or none yet)."""
    pages = data["pages"]
    f = pages[p]["fields"].pop(q)
    target = pages[to]
    target.setdefault("fields", [])
    if to > p:
        target["fields"].insert(0, f)
        return 0
    target["fields"].append(f)
    return len(target["fields"]) - 1


# --- the whole form's settings ---------------------------------------------------------------


def read_settings(old: Mapping[str, Any], form: Posted) -> dict[str, Any]:
    """Title, description, languages, mail recipients, retention and the like."""
    new = dict(old)
    langs = ["ja", *[x for x in document.OPTIONAL_LANGUAGES if x in form.getlist("languages")]]
    new["languages"] = langs
    for key in document.FORM_TEXT_KEYS:
        text = read_text(form, key, langs)
        if text:
            new[key] = text
        else:
            new.pop(key, None)
    for key in ("processing_days", "retention_days"):
        raw = _clip(form.get(key))
        if raw:
            new[key] = _number(raw, "integer")
        else:
            new.pop(key, None)
    mails = [x.strip() for x in _clip(form.get("mail_to")).replace(",", "\n").splitlines()]
    hooks = [
        o
        for o in document.as_list(old.get("outputs"))
        if isinstance(o, dict) and o.get("type") != "email"
    ]
    outputs = [{"type": "email", "to": m} for m in mails if m] + hooks
    if outputs:
        new["outputs"] = outputs
    else:
        new.pop("outputs", None)
    order = ["id", "version", "procedure", "title", "description", "languages"]
    return {k: new[k] for k in order if k in new} | {k: v for k, v in new.items() if k not in order}


def mail_recipients(data: Mapping[str, Any]) -> list[str]:
    return [
        str(o.get("to"))
        for o in document.as_list(data.get("outputs"))
        if isinstance(o, dict) and o.get("type") == "email"
    ]


def read_page(old: Mapping[str, Any], form: Posted, langs: list[str], earlier: list[dict]) -> dict:
    new = dict(old)
    new["id"] = _clip(form.get("id")) or old.get("id")
    title = read_text(form, "title", langs)
    if title:
        new["title"] = title
    else:
        new.pop("title", None)
    condition = read_condition(form, earlier, old.get("show_if"))
    if condition:
        new["show_if"] = condition
    else:
        new.pop("show_if", None)
    order = ["id", "title", "show_if", "fields"]
    return {k: new[k] for k in order if k in new} | {k: v for k, v in new.items() if k not in order}
