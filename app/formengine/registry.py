"""The field types of the spec: what each accepts in the YAML and in conditions.

One class per type (types.py) registers itself here; the parser and the runtime look
types up in FIELD_TYPES, never in an if-chain.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import ClassVar

COMMON_KEYS = frozenset({"id", "type", "label", "help", "required", "show_if"})
EQUALITY = frozenset({"equals", "not_equals", "in", "not_in", "filled"})
ORDER = frozenset({"gt", "gte", "lt", "lte"})

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

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "name" in cls.__dict__:
            _registry[cls.name] = cls
