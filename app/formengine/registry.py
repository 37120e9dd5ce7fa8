"""The field types of the spec: what each accepts in the YAML and in conditions.

One class per type (types.py) registers itself here; the parser and the runtime look
types up in FIELD_TYPES, never in an if-chain.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import ClassVar

# short_label: the noun form of a label that is a question, for messages (types.noun_of)
# prefill: `profile.<fact>`, the signed-in resident's fact the answer starts from (profile.py)
COMMON_KEYS = frozenset(
    {"id", "type", "label", "short_label", "help", "required", "show_if", "prefill"}
)
EQUALITY = frozenset({"equals", "not_equals", "in", "not_in", "filled"})
ORDER = frozenset({"gt", "gte", "lt", "lte"})
# what a 32-bit integer column holds: every integer a form takes fits one
INTEGER_RANGE = (-(2**31), 2**31 - 1)

_registry: dict[str, type[FieldType]] = {}
FIELD_TYPES = MappingProxyType(_registry)


class FieldType:
    """Static description of a field type; runtime behaviour is added in types.py."""

    name: ClassVar[str]
    extra_keys: ClassVar[frozenset[str]] = frozenset()
    # the JSON kind of the answer: string, integer, date, boolean, option, options,
    # object, file, list, or none (heading, paragraph)
    answer: ClassVar[str] = "string"
    operators: ClassVar[frozenset[str]] = EQUALITY
    has_options: ClassVar[bool] = False
    label_required: ClassVar[bool] = True
    # keys whose value is a text (a string or a map of language → string)
    text_keys: ClassVar[frozenset[str]] = frozenset()
    # The most characters a text answer may have as sent (spaces around it not counted):
    # `max_length` is the default, `max_length_ceiling` the most the YAML's `max_length`
    # may ask for (None: the YAML cannot change it); `part_max_length` gives each text
    # part of a composite answer (name, address, the typed parts of a date) its own.
    max_length: ClassVar[int | None] = None
    max_length_ceiling: ClassVar[int | None] = None
    part_max_length: ClassVar[Mapping[str, int]] = MappingProxyType({})
    # the smallest and largest integer answer when the YAML sets no `min` / `max` (the
    # YAML may only narrow it)
    value_range: ClassVar[tuple[int, int] | None] = None
    # the most items of a list answer (group) when the YAML sets no `repeat.max`, and
    # the most `repeat.max` may ask for
    max_items: ClassVar[int | None] = None
    max_items_ceiling: ClassVar[int | None] = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "name" in cls.__dict__:
            _registry[cls.name] = cls
