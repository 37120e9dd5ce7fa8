"""One class per field type of the spec: its keys, JSON shape, normaliser, validator,
display and WTForms field. The engine looks types up in FIELD_TYPES (registry.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from types import MappingProxyType
from typing import Any, ClassVar

from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    MultipleFileField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms import Form as WTForm
from wtforms.fields.choices import SelectChoice

from . import normalise as n
from .conditions import evaluate
from .messages import message, part_label
from .model import Field
from .registry import EQUALITY, FIELD_TYPES, INTEGER_RANGE, ORDER, FieldType

Errors = list[tuple[str, str]]  # (field id, optionally refined, message)


@dataclass(frozen=True)
class Context:
    """What validation needs besides the answers: language, date, lookups."""

    lang: str = "ja"
    today: date = field(default_factory=date.today)
    postal_lookup: Callable[[str], Mapping[str, str] | None] | None = None
    file_exists: Callable[[Mapping[str, Any]], bool] | None = None


def label_of(f: Field, lang: str) -> str:
    return f.label.get(lang) if f.label else f.id


# what may end a label and must not end up before a message's own full stop
_END_PUNCTUATION = "?？。.．:：!！、,"


def noun_of(f: Field, lang: str) -> str:
    """The field as a message names it: its `short_label` (the noun form of a label that is
    a question: "Requester type" for "Who is making the request?"), else its label without
    the punctuation at its end — a message adds its own ("Select Requester type.")."""
    short = f.get("short_label")
    text = short.get(lang) if short else label_of(f, lang)
    return text.rstrip().rstrip(_END_PUNCTUATION).rstrip() or text


def kind(f: Field) -> type[Runtime]:
    return FIELD_TYPES[f.type]  # type: ignore[return-value]


def max_chars(f: Field, part: str | None = None) -> int | None:
    """The most characters of the answer to `f` (or of its text `part`): the `maxlength`
    of its input, and what validation allows."""
    return kind(f).max_chars(f, part)


class Runtime(FieldType):
    """Behaviour shared by all types; each type overrides what differs."""

    # the part whose input an error about the whole answer points at (`-family` of a name)
    first_input: str = ""

    @classmethod
    def anchor(cls, f: Field, key: str) -> str:
        """The id of the input an error key points at (`name.family` → `name-family`; an
        error about the whole answer → its first input)."""
        base = key.replace("[", "-").replace("].", "-").replace("]", "").replace(".", "-")
        return base + cls.first_input if base == f.id else base

    @classmethod
    def act(cls, f: Field, value: Any, verb: str, arg: str, ctx: Context) -> Any:
        """A page button of this field pressed without JavaScript (`lookup`, `add`,
        `remove:<n>`) → the answer as it then stands. Most types have none."""
        return value

    @classmethod
    def normalise(cls, f: Field, raw: Any) -> Any:
        return n.strip(raw) if isinstance(raw, str) else raw

    @classmethod
    def is_empty(cls, value: Any) -> bool:
        return value is None or value == "" or value == [] or value == {}

    @classmethod
    def required_message(cls, f: Field, lang: str) -> str:
        return message("required", lang, label=noun_of(f, lang))

    @classmethod
    def check(cls, f: Field, value: Any, ctx: Context) -> Errors:
        """Rules beyond presence, for a value that is filled."""
        return []

    @classmethod
    def max_chars(cls, f: Field, part: str | None = None) -> int | None:
        """The most characters the answer (or its text `part`) may have; None: not a text."""
        if part is not None:
            return cls.part_max_length.get(part)
        return f.get("max_length", cls.max_length)

    @classmethod
    def too_long_message(cls, f: Field, ctx: Context, n: int, part: str | None = None) -> str:
        """What a resident is told about a text over its maximum (`part` of a composite)."""
        label = noun_of(f, ctx.lang)
        if part is None:
            return message("too_long", ctx.lang, label=label, n=n)
        return message("part_too_long", ctx.lang, label=label, part=part_label(part, ctx.lang), n=n)

    @classmethod
    def refused_by_size(cls, f: Field, raw: Any, ctx: Context) -> Errors:
        """An answer too big to look at, refused by its size alone before anything else
        is done with it (it costs nothing, however big it is).

        A text over the type's hard ceiling (or over its maximum, for a type whose
        maximum the YAML cannot raise) is: no form could take it. Shorter texts over the
        maximum meet every rule (`check`), so that the resident learns all at once."""
        limit = cls.max_chars(f)
        if limit is not None and longer_than(raw, cls.max_length_ceiling or limit):
            return [(f.id, cls.too_long_message(f, ctx, limit))]
        return []

    @classmethod
    def validate(cls, f: Field, raw: Any, ctx: Context) -> tuple[Any, Errors]:
        """→ (normalised value or None when empty, errors)."""
        refused = cls.refused_by_size(f, raw, ctx)
        if refused:
            return None, refused
        value = cls.normalise(f, raw)
        if cls.is_empty(value):
            return None, ([(f.id, cls.required_message(f, ctx.lang))] if f.required else [])
        return value, cls.check(f, value, ctx)

    @classmethod
    def display(cls, f: Field, value: Any, lang: str) -> str:
        return "" if value is None else str(value)

    # --- HTML (WTForms) --------------------------------------------------------------

    # True for a type whose one text input holds the stored answer itself (to_wtforms
    # returns it unchanged): the question pages' fast path writes it without asking
    shows_answer_as_is: ClassVar[bool] = False

    @classmethod
    def wtforms_field(cls, f: Field, lang: str):
        return StringField(f.id)

    @classmethod
    def from_wtforms(cls, f: Field, wt) -> Any:
        return wt.data

    @classmethod
    def to_wtforms(cls, f: Field, value: Any) -> Any:
        return value


def longer_than(text: Any, limit: int) -> bool:
    """Whether `text` is a text of more than `limit` characters, spaces around it not
    counted (the count a browser's `maxlength` makes of what the resident typed)."""
    return isinstance(text, str) and len(text) > limit and len(text.strip()) > limit


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def _check_charset(f: Field, key: str, text: str, ctx: Context, default: str | None) -> Errors:
    if f.get("charset", default) == "jis":
        bad = n.first_non_jis(text)
        if bad:
            return [(key, message("charset", ctx.lang, label=noun_of(f, ctx.lang), char=bad))]
    return []


class TextType(Runtime):
    name = "text"
    shows_answer_as_is = True
    extra_keys = frozenset(
        {"min_length", "max_length", "pattern", "pattern_message", "kana", "charset"}
    )
    text_keys = frozenset({"pattern_message"})
    max_length = 200
    max_length_ceiling = 1000

    @classmethod
    def normalise(cls, f, raw):
        if not isinstance(raw, str):
            # a number sent through the API is its digits; anything else is refused by check
            return str(raw) if isinstance(raw, int | float) and not isinstance(raw, bool) else raw
        text = raw.strip()
        script = f.get("kana")
        if script == "katakana":
            return n.to_katakana(text)
        if script == "hiragana":
            return n.to_hiragana(text)
        if f.get("pattern"):
            text = n.nfkc(text)  # a pattern is about digits and letters: ５ is 5 here
        return text

    @classmethod
    def check(cls, f, value, ctx):
        label = noun_of(f, ctx.lang)
        if not isinstance(value, str):
            return [(f.id, message("invalid", ctx.lang, label=label))]
        errs: Errors = []
        lo, hi = f.get("min_length"), cls.max_chars(f)
        if lo is not None and len(value) < lo:
            errs.append((f.id, message("too_short", ctx.lang, label=label, n=lo)))
        if len(value) > hi:
            errs.append((f.id, cls.too_long_message(f, ctx, hi)))
        script = f.get("kana")
        if script == "katakana" and not n.is_katakana(value):
            errs.append((f.id, message("katakana", ctx.lang, label=label)))
        elif script == "hiragana" and not n.is_hiragana(value):
            errs.append((f.id, message("hiragana", ctx.lang, label=label)))
        pattern = f.get("pattern")
        if pattern and not re.search(pattern, value):
            custom = f.get("pattern_message")
            errs.append(
                (
                    f.id,
                    custom.get(ctx.lang) if custom else message("pattern", ctx.lang, label=label),
                )
            )
        return errs + _check_charset(f, f.id, value, ctx, None)


class TextareaType(Runtime):
    name = "textarea"
    shows_answer_as_is = True
    extra_keys = frozenset({"max_length"})
    max_length = 2000
    max_length_ceiling = 10_000

    @classmethod
    def check(cls, f, value, ctx):
        if not isinstance(value, str):
            return [(f.id, message("invalid", ctx.lang, label=noun_of(f, ctx.lang)))]
        hi = cls.max_chars(f)
        if len(value) > hi:
            return [(f.id, cls.too_long_message(f, ctx, hi))]
        return []

    @classmethod
    def normalise(cls, f, raw):
        if not isinstance(raw, str):
            return raw
        return raw.replace("\r\n", "\n").strip()

    @classmethod
    def wtforms_field(cls, f, lang):
        return TextAreaField(f.id)


class IntegerType(Runtime):
    name = "integer"
    answer = "integer"
    extra_keys = frozenset({"min", "max", "unit"})
    operators = EQUALITY | ORDER
    text_keys = frozenset({"unit"})
    max_length = 40  # digits, commas, spaces and the unit as typed
    value_range = INTEGER_RANGE

    @classmethod
    def bounds(cls, f: Field) -> tuple[int, int]:
        """The smallest and largest answer: the form's min and max, else what a 32-bit
        column holds (the parser keeps a form's min and max within that range)."""
        lo, hi = cls.value_range
        return f.get("min", lo), f.get("max", hi)

    @classmethod
    def too_long_message(cls, f, ctx, n, part=None):
        return message("integer", ctx.lang, label=noun_of(f, ctx.lang))

    @classmethod
    def normalise(cls, f, raw):
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, int):
            return raw
        if isinstance(raw, str):
            t = n.nfkc(raw).strip().replace(",", "").replace(" ", "")
            unit = f.get("unit")
            if unit and t.endswith(unit.get("ja")):
                t = t[: -len(unit.get("ja"))]
            if re.fullmatch(r"-?\d{1,40}", t):  # int() refuses more than 4,300 digits
                return int(t)
            return t
        return raw

    @classmethod
    def check(cls, f, value, ctx):
        label = noun_of(f, ctx.lang)
        if not isinstance(value, int) or isinstance(value, bool):
            return [(f.id, message("integer", ctx.lang, label=label))]
        lo, hi = cls.bounds(f)
        if value < lo:
            return [(f.id, message("min", ctx.lang, label=label, n=f"{lo:,}"))]
        if value > hi:
            return [(f.id, message("max", ctx.lang, label=label, n=f"{hi:,}"))]
        return []

    @classmethod
    def display(cls, f, value, lang):
        unit = f.get("unit")
        return (
            f"{value:,}{unit.get(lang) if unit else ''}" if isinstance(value, int) else str(value)
        )

    @classmethod
    def to_wtforms(cls, f, value):
        return "" if value is None else str(value)


_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)


class EmailType(Runtime):
    name = "email"
    max_length = 254  # RFC 5321's limit of a forward path
    shows_answer_as_is = True

    @classmethod
    def normalise(cls, f, raw):
        return n.nfkc(raw).strip().replace(" ", "") if isinstance(raw, str) else raw

    @classmethod
    def check(cls, f, value, ctx):
        if not isinstance(value, str) or not _EMAIL.match(value) or len(value) > 254:
            return [(f.id, message("email", ctx.lang, label=noun_of(f, ctx.lang)))]
        return []


class TelType(Runtime):
    name = "tel"
    max_length = 20  # 11 digits with hyphens, spaces or brackets as typed

    @classmethod
    def too_long_message(cls, f, ctx, n, part=None):
        return message("tel", ctx.lang, label=noun_of(f, ctx.lang))

    shows_answer_as_is = True

    @classmethod
    def normalise(cls, f, raw):
        return n.normalise_tel(raw) if isinstance(raw, str) else raw

    @classmethod
    def display(cls, f, value, lang):
        return "" if value is None else n.group_tel(str(value))

    @classmethod
    def check(cls, f, value, ctx):
        if not isinstance(value, str) or not re.fullmatch(r"0\d{9,10}", value):
            return [(f.id, message("tel", ctx.lang, label=noun_of(f, ctx.lang)))]
        return []


class DateType(Runtime):
    name = "date"
    first_input = "-year"
    answer = "date"
    extra_keys = frozenset({"min", "max"})
    operators = EQUALITY | ORDER
    ERAS = ("", "令和", "平成", "昭和", "大正")
    max_length = 40  # a date written out: 令和6年12月31日, 2024-12-31
    part_max_length = MappingProxyType({"era": 2, "year": 4, "month": 2, "day": 2})

    @classmethod
    def too_long_message(cls, f, ctx, n, part=None):
        return message("date", ctx.lang, label=noun_of(f, ctx.lang))

    @classmethod
    def refused_by_size(cls, f, raw, ctx):
        if isinstance(raw, Mapping):  # the parts of the HTML input
            if any(longer_than(raw.get(p), n) for p, n in cls.part_max_length.items()):
                return [(f.id, cls.too_long_message(f, ctx, 0))]
            return []
        return super().refused_by_size(f, raw, ctx)

    @classmethod
    def normalise(cls, f, raw):
        if isinstance(raw, date):
            return raw.isoformat()
        if isinstance(raw, Mapping):  # the parts of the HTML input
            year = n.nfkc(str(raw.get("year") or "")).strip()
            month = n.nfkc(str(raw.get("month") or "")).strip()
            day = n.nfkc(str(raw.get("day") or "")).strip()
            if not (year or month or day):
                return None
            era = raw.get("era") or ""
            raw = f"{era}{year}年{month}月{day}日"
        if not isinstance(raw, str):
            return raw
        if not raw.strip():
            return None
        parsed = n.parse_date(raw)
        return parsed.isoformat() if parsed else raw.strip()

    @classmethod
    def check(cls, f, value, ctx):
        label = noun_of(f, ctx.lang)
        day = n.parse_date(value) if isinstance(value, str) else None
        if day is None or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return [(f.id, message("date", ctx.lang, label=label))]
        lo = n.resolve_date_bound(f.get("min"), ctx.today) if f.get("min") else None
        hi = n.resolve_date_bound(f.get("max"), ctx.today) if f.get("max") else None
        if lo and day < lo:
            return [
                (f.id, message("date_min", ctx.lang, label=label, date=n.format_date(lo, ctx.lang)))
            ]
        if hi and day > hi:
            return [
                (f.id, message("date_max", ctx.lang, label=label, date=n.format_date(hi, ctx.lang)))
            ]
        return []

    @classmethod
    def display(cls, f, value, lang):
        day = n.parse_date(value) if isinstance(value, str) else None
        return n.format_date(day, lang) if day else str(value or "")

    @classmethod
    def wtforms_field(cls, f, lang):
        class DateParts(WTForm):
            era = SelectField(
                "era",
                choices=_choices((e, e or ("西暦" if lang != "en" else "AD")) for e in cls.ERAS),
                validate_choice=False,
            )
            year = StringField("year")
            month = StringField("month")
            day = StringField("day")

        return FormField(DateParts, f.id)

    @classmethod
    def to_wtforms(cls, f, value):
        if isinstance(value, Mapping):  # the parts as typed, not yet valid
            return dict(value)
        day = n.parse_date(value) if isinstance(value, str) else None
        if not day:
            return {"era": "", "year": "", "month": "", "day": ""}
        return {"era": "", "year": str(day.year), "month": str(day.month), "day": str(day.day)}


class SelectType(Runtime):
    name = "select"
    answer = "option"
    extra_keys = frozenset({"options"})
    has_options = True

    @classmethod
    def normalise(cls, f, raw):
        if isinstance(raw, bool):
            return raw
        return str(raw).strip() if isinstance(raw, str | int) else raw

    @classmethod
    def required_message(cls, f, lang):
        return message("required_choice", lang, label=noun_of(f, lang))

    @classmethod
    def check(cls, f, value, ctx):
        if not isinstance(value, str) or value not in {o.value for o in f.options}:
            return [(f.id, message("option", ctx.lang, label=noun_of(f, ctx.lang)))]
        return []

    @classmethod
    def display(cls, f, value, lang):
        return next((o.label.get(lang) for o in f.options if o.value == value), str(value or ""))

    @classmethod
    def wtforms_field(cls, f, lang):
        return SelectField(
            f.id,
            choices=_choices([("", "")] + [(o.value, o.label.get(lang)) for o in f.options]),
            validate_choice=False,
        )


class RadioType(SelectType):
    name = "radio"
    first_input = "-0"

    @classmethod
    def wtforms_field(cls, f, lang):
        return RadioField(
            f.id,
            choices=_choices((o.value, o.label.get(lang)) for o in f.options),
            validate_choice=False,
        )


class CheckboxesType(Runtime):
    name = "checkboxes"
    first_input = "-0"
    answer = "options"
    extra_keys = frozenset({"options", "min_selected", "max_selected"})
    has_options = True

    @classmethod
    def normalise(cls, f, raw):
        if raw is None or raw == "":
            return []
        if isinstance(raw, str | int) and not isinstance(raw, bool):
            raw = [raw]
        if not isinstance(raw, list | tuple):
            return raw
        given = [
            str(v).strip() if isinstance(v, str | int) and not isinstance(v, bool) else v
            for v in raw
        ]
        known = [o.value for o in f.options if o.value in given]
        unknown = [v for v in given if v not in known]
        return known + unknown  # in the order of the options; strangers kept to be reported

    @classmethod
    def required_message(cls, f, lang):
        return message("required_choice", lang, label=noun_of(f, lang))

    @classmethod
    def refused_by_size(cls, f, raw, ctx):
        """More values than there are options cannot all be options."""
        if isinstance(raw, list | tuple) and len(raw) > len(f.options):
            return [(f.id, message("option", ctx.lang, label=noun_of(f, ctx.lang)))]
        return []

    @classmethod
    def check(cls, f, value, ctx):
        label = noun_of(f, ctx.lang)
        values = {o.value for o in f.options}
        if not isinstance(value, list) or any(
            not isinstance(v, str) or v not in values for v in value
        ):
            return [(f.id, message("option", ctx.lang, label=label))]
        lo, hi = f.get("min_selected"), f.get("max_selected")
        if lo is not None and len(value) < lo:
            return [(f.id, message("min_selected", ctx.lang, label=label, n=lo))]
        if hi is not None and len(value) > hi:
            return [(f.id, message("max_selected", ctx.lang, label=label, n=hi))]
        return []

    @classmethod
    def display(cls, f, value, lang):
        labels = {o.value: o.label.get(lang) for o in f.options}
        return _sep(lang).join(labels.get(v, str(v)) for v in value or [])

    @classmethod
    def wtforms_field(cls, f, lang):
        return SelectMultipleField(
            f.id,
            choices=_choices((o.value, o.label.get(lang)) for o in f.options),
            validate_choice=False,
        )


class CheckboxType(Runtime):
    name = "checkbox"
    answer = "boolean"
    operators = frozenset({"equals", "not_equals", "filled"})

    @classmethod
    def normalise(cls, f, raw):
        if isinstance(raw, bool):
            return raw
        if raw in (None, "", "false", "0", "off", "n"):
            return False
        if raw in ("true", "1", "on", "y", "yes"):
            return True
        return raw

    @classmethod
    def is_empty(cls, value):
        return value is None or value is False

    @classmethod
    def validate(cls, f, raw, ctx):
        value = cls.normalise(f, raw)
        if not isinstance(value, bool):
            return None, [(f.id, message("invalid", ctx.lang, label=noun_of(f, ctx.lang)))]
        if f.required and not value:
            return False, [(f.id, message("required_tick", ctx.lang, label=noun_of(f, ctx.lang)))]
        return value, []

    @classmethod
    def display(cls, f, value, lang):
        return (
            {"ja": "はい", "en": "Yes", "ja-easy": "はい"}.get(lang, "はい")
            if value
            else {"ja": "いいえ", "en": "No", "ja-easy": "いいえ"}.get(lang, "いいえ")
        )

    @classmethod
    def wtforms_field(cls, f, lang):
        return BooleanField(f.id)


class _Composite(Runtime):
    """name and address: an object of text parts."""

    parts: tuple[str, ...] = ()
    operators = frozenset({"filled"})
    answer = "object"

    @classmethod
    def active_parts(cls, f: Field) -> tuple[str, ...]:
        return cls.parts

    @classmethod
    def normalise(cls, f, raw):
        if raw is None:
            return None
        if not isinstance(raw, Mapping):
            return raw
        out = {}
        for part in cls.active_parts(f):
            v = raw.get(part)
            out[part] = v.strip() if isinstance(v, str) else ("" if v is None else v)
        extra = set(raw) - set(cls.active_parts(f)) - {"csrf_token"}
        if extra:
            out["_unknown"] = sorted(extra)
        return out

    @classmethod
    def is_empty(cls, value):
        return value is None or (
            isinstance(value, Mapping)
            and not any(isinstance(v, str) and v for k, v in value.items() if k != "_unknown")
        )

    @classmethod
    def must_have(cls, f: Field) -> tuple[str, ...]:
        return cls.active_parts(f)

    @classmethod
    def refused_by_size(cls, f, raw, ctx):
        """Each text part over its maximum, refused before anything else is done with it."""
        if not isinstance(raw, Mapping):
            return []
        return [
            (f"{f.id}.{part}", cls.too_long_message(f, ctx, cls.max_chars(f, part), part))
            for part in cls.active_parts(f)
            if longer_than(raw.get(part), cls.max_chars(f, part))
        ]

    @classmethod
    def validate(cls, f, raw, ctx):
        refused = cls.refused_by_size(f, raw, ctx)
        if refused:
            return None, refused
        value = cls.normalise(f, raw)
        label = noun_of(f, ctx.lang)
        if value is not None and not isinstance(value, Mapping):
            return None, [(f.id, message("invalid", ctx.lang, label=label))]
        if cls.is_empty(value):
            return None, ([(f.id, cls.required_message(f, ctx.lang))] if f.required else [])
        errs: Errors = []
        if value.pop("_unknown", None):
            errs.append((f.id, message("invalid", ctx.lang, label=label)))
        for part in cls.active_parts(f):
            if not isinstance(value.get(part), str):
                errs.append((f"{f.id}.{part}", message("invalid", ctx.lang, label=label)))
                value[part] = ""
        value = cls.complete(f, value, ctx)
        if f.required or not cls.is_empty(value):
            for part in cls.must_have(f):
                if not value.get(part):
                    errs.append(
                        (
                            f"{f.id}.{part}",
                            message(
                                "part_required",
                                ctx.lang,
                                label=label,
                                part=part_label(part, ctx.lang),
                            ),
                        )
                    )
        errs += cls.check_parts(f, value, ctx)
        return value, errs

    @classmethod
    def complete(cls, f, value, ctx):
        return value

    @classmethod
    def check_parts(cls, f, value, ctx) -> Errors:
        return []

    @classmethod
    def wtforms_field(cls, f, lang):
        parts = cls.active_parts(f)
        attrs = {p: StringField(p) for p in parts}
        return FormField(type(f"{cls.__name__}Parts", (WTForm,), attrs), f.id)

    @classmethod
    def from_wtforms(cls, f, wt):
        return {p: wt[p].data for p in cls.active_parts(f)}


class NameType(_Composite):
    name = "name"
    first_input = "-family"
    extra_keys = frozenset({"kana", "charset"})
    parts = ("family", "given", "family_kana", "given_kana")
    part_max_length = MappingProxyType(dict.fromkeys(parts, 50))

    @classmethod
    def active_parts(cls, f):
        return cls.parts if f.get("kana", True) else cls.parts[:2]

    @classmethod
    def normalise(cls, f, raw):
        value = super().normalise(f, raw)
        if isinstance(value, dict):
            for part in ("family_kana", "given_kana"):
                if isinstance(value.get(part), str):
                    value[part] = n.to_katakana(value[part]).replace(" ", "").replace("\u3000", "")
        return value

    @classmethod
    def check_parts(cls, f, value, ctx):
        errs: Errors = []
        for part in cls.active_parts(f):
            v = value.get(part) or ""
            if len(v) > (limit := cls.max_chars(f, part)):
                errs.append((f"{f.id}.{part}", cls.too_long_message(f, ctx, limit, part)))
            if part.endswith("_kana"):
                if v and not n.is_katakana(v):
                    errs.append(
                        (
                            f"{f.id}.{part}",
                            message("katakana", ctx.lang, label=part_label(part, ctx.lang)),
                        )
                    )
            else:
                errs += _check_charset(f, f"{f.id}.{part}", v, ctx, "jis")
        return errs

    @classmethod
    def display(cls, f, value, lang):
        if not value:
            return ""
        name = f"{value.get('family', '')} {value.get('given', '')}".strip()
        kana = f"{value.get('family_kana', '')} {value.get('given_kana', '')}".strip()
        return f"{name}（{kana}）" if kana else name


class AddressType(_Composite):
    name = "address"
    first_input = "-postal_code"

    @classmethod
    def act(cls, f, value, verb, arg, ctx):
        """住所を検索: the postcode typed fills the prefecture and the city. Only a postcode
        is looked up (and kept in the look-up's cache), never any other text."""
        if verb != "lookup":
            return value
        value = dict(value or {})
        code = (cls.normalise(f, value) or {}).get("postal_code", "") if value else ""
        found = (
            ctx.postal_lookup(code)
            if ctx.postal_lookup and re.fullmatch(r"\d{3}-\d{4}", str(code))
            else None
        )
        if found:
            value.update(postal_code=code, prefecture=found["prefecture"], city=found["city"])
        return value

    extra_keys = frozenset({"charset"})
    parts = ("postal_code", "prefecture", "city", "street", "building")
    # 〒 514-0006 as typed; 神奈川県; a town from the postcode data has at most 35 characters
    part_max_length = MappingProxyType(
        {"postal_code": 10, "prefecture": 4, "city": 50, "street": 100, "building": 100}
    )

    @classmethod
    def too_long_message(cls, f, ctx, n, part=None):
        if part == "postal_code":
            return message("postal_code", ctx.lang)
        if part == "prefecture":
            return message("prefecture", ctx.lang)
        return super().too_long_message(f, ctx, n, part)

    @classmethod
    def must_have(cls, f):
        return ("postal_code", "prefecture", "city", "street")

    @classmethod
    def normalise(cls, f, raw):
        value = super().normalise(f, raw)
        if (
            isinstance(value, dict)
            and isinstance(value.get("postal_code"), str)
            and value["postal_code"]
        ):
            value["postal_code"] = n.normalise_postal(value["postal_code"])
        return value

    @classmethod
    def complete(cls, f, value, ctx):
        """Fill prefecture and city from the postal code when they are empty."""
        code = value.get("postal_code") or ""
        if (
            ctx.postal_lookup
            and re.fullmatch(r"\d{3}-\d{4}", code)
            and not (value.get("prefecture") and value.get("city"))
        ):
            found = ctx.postal_lookup(code)
            if found:
                value["prefecture"] = value.get("prefecture") or found["prefecture"]
                value["city"] = value.get("city") or found["city"]
        return value

    @classmethod
    def check_parts(cls, f, value, ctx):
        errs: Errors = []
        code = value.get("postal_code") or ""
        if code and not re.fullmatch(r"\d{3}-\d{4}", code):
            errs.append((f"{f.id}.postal_code", message("postal_code", ctx.lang)))
        elif (
            code and ctx.postal_lookup and not value.get("city") and ctx.postal_lookup(code) is None
        ):
            errs.append((f"{f.id}.postal_code", message("postal_unknown", ctx.lang, code=code)))
        pref = value.get("prefecture") or ""
        if pref and pref not in n.PREFECTURES:
            errs.append((f"{f.id}.prefecture", message("prefecture", ctx.lang)))
        for part in ("city", "street", "building"):
            text = value.get(part) or ""
            if len(text) > (limit := cls.max_chars(f, part)):  # a postcode may fill the city
                errs.append((f"{f.id}.{part}", cls.too_long_message(f, ctx, limit, part)))
            errs += _check_charset(f, f"{f.id}.{part}", text, ctx, "jis")
        return errs

    @classmethod
    def display(cls, f, value, lang):
        if not value:
            return ""
        line = f"{value.get('prefecture', '')}{value.get('city', '')}{value.get('street', '')}"
        building = value.get("building") or ""
        code = value.get("postal_code") or ""
        return f"〒{code} {line}{' ' + building if building else ''}".strip()


class FileType(Runtime):
    """A stored file reference {id, name, size, type}; a list when `multiple`."""

    name = "file"
    answer = "file"
    extra_keys = frozenset({"accept", "max_size_mb", "multiple", "max_files"})
    operators = frozenset({"filled"})

    @classmethod
    def refs(cls, value) -> list:
        if value is None:
            return []
        return list(value) if isinstance(value, list | tuple) else [value]

    @classmethod
    def answer_of(cls, f: Field, refs: list) -> Any:
        """The answer the files given for a field make, the pages' and the API's alike: a
        list when the field takes several, else the one file (None for none). Several files
        for a one-file field stay a list, which `check` refuses — none is dropped silently
        (a page replaces the file before it comes here)."""
        if f.get("multiple") or len(refs) > 1:
            return list(refs) or None
        return refs[0] if refs else None

    @classmethod
    def normalise(cls, f, raw):
        if raw in (None, "", []):
            return None
        return raw

    @classmethod
    def required_message(cls, f, lang):
        return message("required_file", lang, label=noun_of(f, lang))

    @classmethod
    def check(cls, f, value, ctx):
        label = noun_of(f, ctx.lang)
        refs = cls.refs(value)
        if not f.get("multiple") and len(refs) > 1:
            return [(f.id, message("max_files", ctx.lang, label=label, n=1))]
        limit = f.get("max_files")
        if limit and len(refs) > limit:
            return [(f.id, message("max_files", ctx.lang, label=label, n=limit))]
        for ref in refs:
            if not isinstance(ref, Mapping) or not isinstance(ref.get("id"), str):
                return [(f.id, message("file_ref", ctx.lang, label=label))]
            if ctx.file_exists is not None and not ctx.file_exists(ref):
                return [(f.id, message("file_ref", ctx.lang, label=label))]
        return []

    @classmethod
    def display(cls, f, value, lang):
        return _sep(lang).join(
            f"{r.get('name')}（{_size(r.get('size', 0))}）" for r in cls.refs(value)
        )

    @classmethod
    def wtforms_field(cls, f, lang):
        return MultipleFileField(f.id)

    @classmethod
    def from_wtforms(cls, f, wt):
        return None  # uploads are stored by the caller, which puts their references in


def _blank(value: Any) -> bool:
    """Nothing entered: no text, no choice, an unticked box (0 is an answer)."""
    if value is None or value is False:
        return True
    if isinstance(value, str | list | tuple):
        return not value
    return isinstance(value, Mapping) and not any(value.values())


def _sep(lang: str) -> str:
    """Between the items of a list shown to residents: 、 in Japanese, a comma elsewhere."""
    return "、" if lang in ("ja", "ja-easy") else ", "


def _size(size: int) -> str:
    return (
        f"{size / 1024 / 1024:.1f}MB" if size >= 1024 * 1024 else f"{max(1, round(size / 1024))}KB"
    )


class GroupType(Runtime):
    """A list of items, each a small set of fields (no files or groups inside)."""

    name = "group"
    first_input = "-0"
    answer = "list"
    extra_keys = frozenset({"fields", "repeat", "item_label"})
    operators = frozenset({"filled"})
    text_keys = frozenset({"item_label"})
    max_items = 20
    max_items_ceiling = 100

    @classmethod
    def bounds(cls, f: Field) -> tuple[int, int]:
        """The fewest and most items (`repeat`; at most `max_items` when it sets no max)."""
        repeat = f.get("repeat") or {}
        return int(repeat.get("min", 0) or 0), repeat.get("max", cls.max_items)

    @classmethod
    def rows(cls, f: Field, raw: Any) -> Any:
        """The items as posted, each with its index there, blank rows left out.

        Errors name an item by its index as posted (`household[1].relation`), so that
        they point at the row the resident sees even when a blank row comes before it.
        """
        if raw is None or raw == "":
            return []
        if not isinstance(raw, list | tuple):
            return raw
        rows = []
        for i, item in enumerate(raw):
            if isinstance(item, Mapping):
                item = {k: v for k, v in item.items() if k != "csrf_token"}
                if all(_blank(v) for v in item.values()):
                    continue  # a blank row left on the page
            rows.append((i, item))
        return rows

    @classmethod
    def normalise(cls, f, raw):
        rows = cls.rows(f, raw)
        return [item for _, item in rows] if isinstance(rows, list) else rows

    @classmethod
    def shown_fields(
        cls, f: Field, answers: Mapping[str, Any] | None, today: date | None
    ) -> list[Field]:
        """The inner fields with an answer whose condition (on earlier top-level answers) holds."""
        return [
            inner
            for inner in f.fields
            if has_answer(inner) and evaluate(inner.show_if, answers or {}, today=today)
        ]

    @classmethod
    def refused_by_size(cls, f, raw, ctx):
        """More items than any form takes: refused by their count, no item looked at."""
        if isinstance(raw, list | tuple) and len(raw) > cls.max_items_ceiling:
            label = noun_of(f, ctx.lang)
            return [(f.id, message("repeat_max", ctx.lang, label=label, n=cls.bounds(f)[1]))]
        return []

    @classmethod
    def validate(cls, f, raw, ctx, answers: Mapping[str, Any] | None = None):
        """`answers`: the kept top-level answers, for conditions of the inner fields."""
        refused = cls.refused_by_size(f, raw, ctx)
        if refused:
            return None, refused
        label = noun_of(f, ctx.lang)
        lo, hi = cls.bounds(f)
        rows = cls.rows(f, raw)
        if not isinstance(rows, list):
            return None, [(f.id, message("invalid", ctx.lang, label=label))]
        errs: Errors = []
        if not rows:
            if f.required or lo > 0:
                return None, [(f.id, message("repeat_min", ctx.lang, label=label, n=max(lo, 1)))]
            return None, []
        if len(rows) < lo:
            errs.append((f.id, message("repeat_min", ctx.lang, label=label, n=lo)))
        if len(rows) > hi:
            errs.append((f.id, message("repeat_max", ctx.lang, label=label, n=hi)))
        shown = cls.shown_fields(f, answers, ctx.today)
        known = {x.id for x in f.fields}
        out = []
        for i, item in rows:
            if not isinstance(item, Mapping):
                errs.append((f"{f.id}[{i}]", message("invalid", ctx.lang, label=label)))
                continue
            clean: dict[str, Any] = {}
            for inner in shown:  # a hidden inner field is not validated, its answer dropped
                value, inner_errs = kind(inner).validate(inner, item.get(inner.id), ctx)
                errs += [(f"{f.id}[{i}].{k}", m) for k, m in inner_errs]
                if value is not None:
                    clean[inner.id] = value
            errs += unknown_keys(item, known, ctx.lang, prefix=f"{f.id}[{i}].")
            out.append(clean)
        return out, errs

    @classmethod
    def display(cls, f, value, lang):
        return f"{len(value or [])}"

    @classmethod
    def act(cls, f, value, verb, arg, ctx):
        """もう一つ追加 / 削除 without JavaScript: add an empty item (up to the most the
        group takes), or remove item `arg` (its number as posted, any text tolerated)."""
        items = list(value) if isinstance(value, list) else []
        if verb == "add" and len(items) < cls.bounds(f)[1]:
            items.append({})
        elif verb == "remove":
            index = int(arg) if re.fullmatch(r"[0-9]{1,4}", arg) else -1
            if 0 <= index < len(items):
                items.pop(index)
        return items

    @classmethod
    def item_title(cls, f: Field, index: int, lang: str) -> str:
        base = f.get("item_label")
        text = base.get(lang) if base else label_of(f, lang)
        return f"{text} {index + 1}"

    @classmethod
    def wtforms_field(cls, f, lang):
        attrs = {
            inner.id: kind(inner).wtforms_field(inner, lang)
            for inner in f.fields
            if inner.type not in ("heading", "paragraph")
        }
        item = type(f"{f.id.title()}Item", (WTForm,), attrs)
        lo, hi = cls.bounds(f)
        # one row more than the most is read (the resident is told there are too many);
        # rows posted beyond it are not read at all
        return FieldList(FormField(item), f.id, min_entries=max(lo, 1), max_entries=hi + 1)

    @classmethod
    def from_wtforms(cls, f, wt):
        items = []
        for entry in wt.entries:
            sub = entry.form
            items.append(
                {
                    inner.id: kind(inner).from_wtforms(inner, sub[inner.id])
                    for inner in f.fields
                    if inner.type not in ("heading", "paragraph")
                }
            )
        return items

    @classmethod
    def to_wtforms(cls, f, value):
        return [
            {
                inner.id: kind(inner).to_wtforms(inner, item.get(inner.id))
                for inner in f.fields
                if inner.type not in ("heading", "paragraph")
            }
            for item in (value or [])
        ]


class HeadingType(Runtime):
    name = "heading"
    answer = "none"
    extra_keys = frozenset({"text"})
    operators = frozenset()
    label_required = False
    text_keys = frozenset({"text"})


class ParagraphType(HeadingType):
    name = "paragraph"


SHOWN_UNKNOWN = 5  # unknown keys named in the error about them
SHOWN_KEY = 40  # characters of a key shown back


def shown_key(key: Any) -> str:
    """A key as sent, shortened, and always a text that can be written (escapes for NUL
    and lone surrogates)."""
    text = str(key)
    text = text if len(text) <= SHOWN_KEY else text[: SHOWN_KEY - 1] + "…"
    return n.UNUSABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def unknown_keys(
    sent: Mapping[str, Any], known: Collection[str], lang: str, *, prefix: str = ""
) -> Errors:
    """One error, however many keys of `sent` are not in `known`: keyed by the first,
    naming the next few and counting the rest."""
    unknown = (k for k in sent if k not in known)
    first = next(unknown, None)
    if first is None:
        return []
    others = list(islice(unknown, SHOWN_UNKNOWN))
    more = sum(1 for _ in unknown)
    if not others:
        return [(prefix + shown_key(first), message("unknown_field", lang))]
    names = _sep(lang).join(shown_key(k) for k in others) + ("…" if more else "")
    text = message("unknown_fields", lang, n=f"{len(others) + more:,}", names=names)
    return [(prefix + shown_key(first), text)]


def has_answer(f: Field) -> bool:
    return FIELD_TYPES[f.type].answer != "none"
