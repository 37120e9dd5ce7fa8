"""The form engine: YAML definitions → validated definitions → forms and answers.

Pure: no Flask, no database. Import what you need from here.
"""

from . import types as _types  # noqa: F401  (registers the field types)
from .answers import Result, confirm_declaration, prune, validate_all, validate_page, visible_pages
from .conditions import evaluate
from .model import Field, FormDefinition, Option, Page, Text
from .render import Row, Section, flat, render
from .types import Context, kind, label_of

__all__ = [
    "Context",
    "Field",
    "FormDefinition",
    "Option",
    "Page",
    "Result",
    "Row",
    "Section",
    "Text",
    "confirm_declaration",
    "evaluate",
    "flat",
    "kind",
    "label_of",
    "prune",
    "render",
    "validate_all",
    "validate_page",
    "visible_pages",
]
