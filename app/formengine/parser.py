"""Read a form definition (YAML, shared spec form-definition.md) into the model.

Department staff write these files, so the parser reports every problem it finds, each
with the line of the offending key or list item, and returns a FormDefinition only for
a file without any problem:

    form, problems = parse(text, path="forms/x.yaml", procedures=catalogue_codes)

It works in three steps: `_Loader` turns YAML nodes into plain data and remembers the
line of every key and item (`_Lines`); `_index_fields` lists the fields of the form in
order, so that a condition can be checked against fields anywhere in the file; and
`_FormParser` checks every level and builds the model.

Where the spec is silent:
- page ids are `[a-z][a-z0-9_-]*` (URL-safe, never just digits);
- field ids are unique in the whole form, fields inside groups included;
- mapping keys are always read as written (`no:` is the language `no`, not false);
  unquoted dates (`max: 2025-04-01`) stay strings, as `today` does;
- option values may be written as integers and become strings; yes/no/true/false
  must be quoted; condition values for option and text fields are turned into
  strings the same way;
- `languages` always contains `ja`: it is put first when missing;
- a webhook `url` is https to a public host (destinations.py: no literal address that
  is not public, no `localhost`, no user name or password; http and private hosts
  only where the caller's `webhooks` rules allow them);
- `max_selected` and `max_files` are positive; `accept` takes exact MIME types only;
- `min_length` is also checked against the default `max_length` (text: 200), and
  `max_length` may not pass its type's ceiling (text 1,000, textarea 10,000); integer
  `min` and `max` stay within a 32-bit column; a group's `repeat.max` is at most 100,
  and `repeat.min` is checked against the default maximum of 20 when there is no max;
- a relative date counts at most 5 digits (`today+99999d`);
- relative dates are compared with each other only when both count days or both
  count months (a year is 12 months): `today-18y` is below `today`, `today+1m` and
  `today+30d` are not compared;
- `extra` holds the type-specific keys as written, without defaults, except
  `options`, `fields` and `text`, which have attributes of their own;
- conditions are stored read-only (MappingProxyType, tuples); fields inside groups
  cannot be named in a condition, but a field inside a group may have a condition
  on a top-level field before the group.
"""

from __future__ import annotations

import difflib
import math
import re
import warnings
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from jinja2 import TemplateSyntaxError, nodes
from jinja2 import meta as jinja_meta
from jinja2.sandbox import SandboxedEnvironment
from yaml.nodes import MappingNode, Node, ScalarNode

from . import destinations
from . import types as _field_types  # noqa: F401  (registers the field types)
from .errors import Detail, ErrorCode, Problem, Translated, WarningCode, yaml_phrase
from .model import (
    DECISIONS,
    DEFAULT_UNDO_MINUTES,
    DEFAULT_WORKFLOW,
    FALLBACK,
    NO_IDENTITY,
    RESULT_KINDS,
    STEP_ROLES,
    Fee,
    Field,
    FormDefinition,
    Identity,
    Option,
    Output,
    Page,
    ResultDocument,
    Step,
    Text,
    Workflow,
)
from .normalise import UNUSABLE
from .profile import IDENTITY_LEVELS, PROFILE_FACTS, PROVIDER_KINDS
from .registry import COMMON_KEYS, EQUALITY, FIELD_TYPES, ORDER, FieldType

FORM_ID = re.compile(r"[a-z0-9-]+")
FIELD_ID = re.compile(r"[a-z][a-z0-9_]*")
PAGE_ID = re.compile(r"[a-z][a-z0-9_-]*")
# words the resident's pages use in URLs and in their own form controls
RESERVED_PAGE_IDS = frozenset({"start", "check", "submit", "done", "resume", "saved", "files"})
RESERVED_FIELD_IDS = frozenset({"action", "csrf_token", "declaration", "lang"})
# BCP 47, as far as forms need it: ja, en, pt-BR, ja-easy, zh-Hans
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
MIME_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")
EMAIL_ADDRESS = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
ABSOLUTE_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# at most 5 digits: today±99999d stays within the years a date can have
RELATIVE_DATE = re.compile(r"today(?:([+-])(\d{1,5})([dmy]))?")
KANA_SCRIPTS = ("katakana", "hiragana")  # what `kana` of a text field may ask for
CHARSETS = ("jis",)  # what `charset` may ask for

TOP_KEYS = frozenset(
    {
        "id",
        "version",
        "procedure",
        "title",
        "description",
        "languages",
        "processing_days",
        "fee",
        "before_you_start",
        "declaration",
        "what_happens_next",
        "outputs",
        "pages",
        "retention_days",  # ours: days after closing before personal data is deleted
        "workflow",  # ours: the steps of the decision (決裁)
        "results",  # ours: the documents the resident receives on a decision (電子交付)
        "corrections",  # ours: what a resident may change when staff return it (補正)
        "identity",  # ours: whether the resident signs in (none | optional | required)
    }
)
# what a resident may change in a correction (補正): every answer, or the ones staff marked
CORRECTION_MODES = ("any", "marked_only")
# `identity:` as a map: the level, and the kinds of provider that may sign in
IDENTITY_KEYS = frozenset({"level", "kinds"})
TOP_REQUIRED = ("id", "version", "procedure", "title", "pages")
MAX_VERSION = 2**31 - 1
FEE_KEYS = frozenset({"amount", "label"})
OUTPUT_TARGETS = {"email": "to", "webhook": "url"}  # output type → the key it needs
OUTPUT_KEYS = frozenset({"type", *OUTPUT_TARGETS.values()})
PAGE_KEYS = frozenset({"id", "title", "fields", "show_if"})
PAGE_REQUIRED = ("id", "title", "fields")
OPTION_KEYS = frozenset({"value", "label"})
WORKFLOW_KEYS = frozenset({"steps", "undo_minutes"})
STEP_KEYS = frozenset({"role", "name"})
MAX_STEPS = 5
MAX_UNDO_MINUTES = 7 * 24 * 60
RESULT_KEYS = frozenset({"id", "kind", "when", "title", "body"})
MAX_RESULT_BODY = 5000
# what a result's body may use: the answers, and the facts of the case and its decision
RESULT_VARIABLES = frozenset(
    {"answers", "receipt_no", "applied_on", "decided_on", "message", "form_title", "document_no"}
)
REPEAT_KEYS = frozenset({"min", "max"})

OPERATORS = EQUALITY | ORDER
COMBINATORS = frozenset({"all", "any", "not"})
CONDITION_KEYS = OPERATORS | COMBINATORS | {"field"}

ALL_EXTRA_KEYS = frozenset().union(*(t.extra_keys for t in FIELD_TYPES.values()))
NOT_IN_GROUP = frozenset({"file", "group"})
REQUIRED_EXTRA_KEYS = frozenset({"fields", "text"})  # required by every type that has them
OWN_ATTRIBUTES = frozenset({"options", "fields", "text"})  # Field attributes, not `extra`
RANGES = (("min_length", "max_length"), ("min_selected", "max_selected"), ("min", "max"))
# the defaults a lower bound is checked against when the YAML sets no upper bound
DEFAULT_MAXIMA = {
    (t.name, "max_length"): t.max_length for t in FIELD_TYPES.values() if t.max_length_ceiling
}

# Limits for a file that is not a form someone wrote by hand: the shipped forms nest at
# most 12 levels deep and hold at most about 1,300 keys and values.
MAX_DEPTH = 40  # lists and maps inside each other
MAX_VALUES = 20_000  # keys and values, every alias (*name) counted as expanded
MAX_INTEGER = 2**63 - 1  # integers beyond are refused (a form counts days, yen, characters)

_YAML = "tag:yaml.org,2002:"
_TIMESTAMP_TAG = _YAML + "timestamp"
_MERGE_TAG = _YAML + "merge"
# the only tags a value may have (written or implied): no !!python/..., !!binary, !!set
_SCALAR_TAGS = frozenset(_YAML + t for t in ("str", "int", "float", "bool", "null", "timestamp"))
_COLLECTION_TAGS = frozenset({_YAML + "map", _YAML + "seq"})
_READ_AS = {
    _YAML + "int": Detail.INTEGER,
    _YAML + "float": Detail.NUMBER,
    _YAML + "bool": Detail.BOOLEAN,
}
_INVALID = object()  # a condition operand that did not fit


def parse(
    text: str,
    *,
    path: str = "<form>",
    procedures: Collection[str] | None = None,
    webhooks: destinations.Rules = destinations.STRICT,
    warnings: list[Problem] | None = None,
) -> tuple[FormDefinition | None, list[Problem]]:
    """The form defined by `text` and every problem in it, sorted by line.

    The form is None unless there is no problem. `procedures` are the catalogue codes;
    when given, `procedure` must be one of them. `webhooks` says what a webhook URL may
    be besides https to a public host (destinations.py). `warnings`, when given, gets
    what does not stop the form from loading (a text without a declared language).
    """
    report = _Report(path)
    loaded, data, lines = _Loader(report).load(text)
    if not loaded:
        return None, report.sorted()
    index = _index_fields(data)
    form = _FormParser(report, lines, index, procedures, webhooks).form(data)
    if warnings is not None:
        warnings.extend(sorted(report.warnings, key=lambda p: p.line))
    problems = report.sorted()
    return (None if problems else form), problems


def read(text: str, *, path: str = "<form>") -> tuple[Any, list[Problem]]:
    """The plain data of a YAML text, read exactly as `parse` reads it (keys as written,
    dates as strings, no tags, the same limits), without checking it as a form: what an
    editor holds while the form is still being written. The data is None when the text is
    not YAML that can be read; the problems are those of reading only."""
    report = _Report(path)
    loaded, data, _lines = _Loader(report).load(text)
    return (data if loaded else None), report.sorted()


def check_file(
    path: Path,
    procedures: Collection[str] | None = None,
    webhooks: destinations.Rules = destinations.STRICT,
    warnings: list[Problem] | None = None,
) -> tuple[FormDefinition | None, list[Problem]]:
    """`parse` a UTF-8 file; problems name the file as `str(path)`."""
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(str(path), line, ErrorCode.NOT_UTF8, ErrorCode.NOT_UTF8.message())]
    return parse(text, path=str(path), procedures=procedures, webhooks=webhooks, warnings=warnings)


# --- collecting problems ------------------------------------------------------------------


class _Report:
    """The problems found so far in one file."""

    def __init__(self, path: str):
        self.path = path
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []  # what does not stop the form from loading

    def add(self, line: int, code: ErrorCode, /, **params: Any) -> None:
        self.problems.append(Problem(self.path, line, code, code.message(**params)))

    def warn(self, line: int, code: WarningCode, /, **params: Any) -> None:
        self.warnings.append(Problem(self.path, line, code, code.message(**params)))

    def sorted(self) -> list[Problem]:
        return sorted(self.problems, key=lambda p: p.line)


def _closest(word: Any, candidates: Iterable[str]) -> str | None:
    """The candidate `word` was probably meant to be, for a "did you mean"."""
    if not isinstance(word, str):
        return None
    matches = difflib.get_close_matches(word, sorted(candidates), n=1)
    return matches[0] if matches else None


# --- YAML with lines ----------------------------------------------------------------------


class _Lines:
    """The 1-based line of every mapping key and sequence item of the loaded data.

    Containers are looked up by identity; they live as long as the loaded data does.
    """

    def __init__(self) -> None:
        self._starts: dict[int, int] = {}
        self._keys: dict[int, dict[str, int]] = {}
        self._items: dict[int, list[int]] = {}

    def record(self, container: dict | list, start: int, lines: dict | list) -> None:
        self._starts[id(container)] = start
        if isinstance(container, dict):
            self._keys[id(container)] = lines
        else:
            self._items[id(container)] = lines

    def start(self, container: Any) -> int:
        return self._starts.get(id(container), 1)

    def key(self, mapping: dict, key: str) -> int:
        return self._keys.get(id(mapping), {}).get(key, self.start(mapping))

    def item(self, sequence: list, index: int) -> int:
        items = self._items.get(id(sequence), [])
        return items[index] if index < len(items) else self.start(sequence)


class _TooDeep(Exception):
    def __init__(self, mark: yaml.Mark):
        super().__init__(mark)
        self.mark = mark


class _Composer(yaml.SafeLoader):
    """The safe loader, refusing lists and maps nested more than MAX_DEPTH deep before
    its recursive composer runs out of stack."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _TooDeep(self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _Loader:
    """YAML text → plain dicts, lists and scalars, with their lines (`_Lines`).

    Built from the node tree of `yaml.compose` rather than `yaml.safe_load`, because
    the nodes know their lines and show duplicate keys, which safe_load drops. Only
    plain YAML is read: a tag other than those of strings, numbers, booleans, null,
    lists and maps is a problem (nothing is ever constructed from one), and so are
    nesting beyond MAX_DEPTH and more than MAX_VALUES values once aliases are
    expanded ("billion laughs"): an alias reuses the converted object, so converting
    stays as cheap as the text is long, and the count is checked before anything
    walks the expanded data.
    """

    def __init__(self, report: _Report):
        self.report = report
        self.lines = _Lines()
        self._constructor = yaml.SafeLoader("")
        self._open: set[int] = set()  # nodes being converted, to stop recursive aliases
        self._done: dict[int, Any] = {}  # converted nodes: an alias reuses the object
        self._sizes: dict[int, int] = {}  # converted node → its values, aliases expanded
        self._too_many = False

    def load(self, text: str) -> tuple[bool, Any, _Lines]:
        """(whether the text is YAML that can be checked, the data, the lines)."""
        try:
            node = yaml.compose(text, Loader=_Composer)
        except _TooDeep as exc:
            self.report.add(exc.mark.line + 1, ErrorCode.TOO_DEEP, max=MAX_DEPTH)
            return False, None, self.lines
        except yaml.MarkedYAMLError as exc:
            self._syntax_error(exc)
            return False, None, self.lines
        except yaml.reader.ReaderError as exc:  # a character YAML does not allow
            line = text[: exc.position].count("\n") + 1
            code = f"#x{exc.character:04x}"
            detail = Translated(f"{yaml_phrase(exc.reason)}（{code}）", f"{exc.reason} ({code})")
            self.report.add(line, ErrorCode.YAML_SYNTAX, detail=detail)
            return False, None, self.lines
        data = None if node is None else self.convert(node)
        return not self._too_many, data, self.lines

    def _syntax_error(self, exc: yaml.MarkedYAMLError) -> None:
        """Report at the line the mistake is most likely on; name the other line too.

        The scanner's context ("while scanning a simple key / a quoted scalar") starts
        where the mistake is; the parser's context ("while parsing a block mapping") may
        be far above the line that broke it.
        """
        context = _line_of(exc.context_mark)
        problem = _line_of(exc.problem_mark)
        scanning = (exc.context or "").startswith("while scanning")
        line = (context if scanning else problem) or context or problem or 1

        def part(text: str | None, at: int | None, lang: str) -> str:
            if not text:
                return ""
            if lang == "ja":
                text = yaml_phrase(text)
                return f"{text}（{at}行目）" if text and at and at != line else text
            return f"{text} (line {at})" if at and at != line else text

        def both(lang: str) -> str:
            detail = part(exc.problem, problem, lang) or "?"
            context_text = part(exc.context, context, lang)
            if context_text:
                detail = (
                    f"{context_text}: {detail}" if lang == "en" else f"{context_text}で、{detail}"
                )
            return detail

        detail = Translated(both("ja"), both("en"))
        self.report.add(line, ErrorCode.YAML_SYNTAX, detail=detail)

    def convert(self, node: Node) -> Any:
        if isinstance(node, ScalarNode):
            return self._scalar(node)
        if id(node) in self._done:  # an alias (*name) of a map or list seen before
            return self._done[id(node)]
        line = node.start_mark.line + 1
        if id(node) in self._open:
            detail = Translated(yaml_phrase("recursive alias"), "recursive alias")
            self.report.add(line, ErrorCode.YAML_SYNTAX, detail=detail)
            return None
        if node.tag not in _COLLECTION_TAGS:  # e.g. !!python/object/apply:os.system [...]
            self.report.add(line, ErrorCode.TAG_NOT_ALLOWED, tag=_short_tag(node.tag))
            self._done[id(node)] = None
            return None
        self._open.add(id(node))
        try:
            result = self._mapping(node) if isinstance(node, MappingNode) else self._sequence(node)
        finally:
            self._open.discard(id(node))
        self._done[id(node)] = result
        children = (
            [n for pair in node.value for n in pair]
            if isinstance(node, MappingNode)
            else node.value
        )
        size = self._sizes[id(node)] = 1 + sum(self._sizes.get(id(c), 1) for c in children)
        if size > MAX_VALUES and not self._too_many:  # reported where it first overflows
            self._too_many = True
            self.report.add(line, ErrorCode.TOO_MANY_VALUES, max=f"{MAX_VALUES:,}")
        return result

    def _scalar(self, node: ScalarNode) -> Any:
        line = node.start_mark.line + 1
        if node.tag not in _SCALAR_TAGS:  # e.g. !!binary, !!python/name:os.system, !foo
            self.report.add(line, ErrorCode.TAG_NOT_ALLOWED, tag=_short_tag(node.tag))
            return None
        if node.tag == _TIMESTAMP_TAG:  # keep dates as written, like `today`
            return node.value
        if node.tag == _YAML + "int" and len(node.value) > 40:  # not even read: 5,000 digits
            self.report.add(line, ErrorCode.NUMBER_TOO_LARGE, value=node.value, max=MAX_INTEGER)
            return None
        try:
            value = self._constructor.construct_object(node)
        except (ValueError, LookupError):  # `!!int abc`, `!!bool maybe`
            kind = _READ_AS.get(node.tag, Detail.STRING)
            self.report.add(line, ErrorCode.UNREADABLE_VALUE, value=node.value, kind=kind)
            return None
        if _is_int(value) and abs(value) > MAX_INTEGER:
            self.report.add(line, ErrorCode.NUMBER_TOO_LARGE, value=node.value, max=MAX_INTEGER)
            return None
        if isinstance(value, str) and self._unusable(value, line):
            return None
        return value

    def _unusable(self, text: str, line: int) -> bool:
        """Report a character an escape ("\\0", "\\ud800") put in a string."""
        found = UNUSABLE.search(text)
        if found:
            self.report.add(line, ErrorCode.UNUSABLE_CHAR, code=f"U+{ord(found.group()):04X}")
        return found is not None

    def _mapping(self, node: MappingNode) -> dict[str, Any]:
        result: dict[str, Any] = {}
        key_lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, ScalarNode) or key_node.tag == _MERGE_TAG:
                en = "keys must be plain words (no lists, maps or << merges)"
                detail = Translated(yaml_phrase(en), en)
                self.report.add(line, ErrorCode.YAML_SYNTAX, detail=detail)
                continue
            if key_node.tag not in _SCALAR_TAGS:
                self.report.add(line, ErrorCode.TAG_NOT_ALLOWED, tag=_short_tag(key_node.tag))
                continue
            key = key_node.value  # as written: `no`, `1`, `on` stay strings
            if self._unusable(key, line):
                continue
            if key in key_lines:
                self.report.add(line, ErrorCode.DUPLICATE_KEY, key=key, first=key_lines[key])
                continue
            key_lines[key] = line
            result[key] = self.convert(value_node)
        self.lines.record(result, node.start_mark.line + 1, key_lines)
        return result

    def _sequence(self, node: Node) -> list[Any]:
        result = [self.convert(item) for item in node.value]
        item_lines = [item.start_mark.line + 1 for item in node.value]
        self.lines.record(result, node.start_mark.line + 1, item_lines)
        return result


def _line_of(mark: yaml.Mark | None) -> int | None:
    return None if mark is None else mark.line + 1


def _short_tag(tag: str) -> str:
    """A tag as written: `!!python/object:x` rather than `tag:yaml.org,2002:python/object:x`."""
    return "!!" + tag[len(_YAML) :] if tag.startswith(_YAML) else tag


# --- where each field is, for conditions --------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Ref:
    """What a condition needs to know about a top-level field."""

    id: str
    ordinal: int  # position among all top-level fields of the form
    type: type[FieldType] | None
    options: tuple[str, ...] | None  # option values, None when not known


@dataclass
class _Index:
    fields: dict[str, _Ref] = field(default_factory=dict)  # first field of each id
    group_ids: set[str] = field(default_factory=set)  # ids of fields inside groups
    ordinal: dict[int, int] = field(default_factory=dict)  # id(field map) → ordinal
    page_start: dict[int, int] = field(default_factory=dict)  # id(page map) → first ordinal


def _index_fields(data: Any) -> _Index:
    """Number the top-level fields in order, tolerating any malformed part.

    A condition may use a field whose ordinal is below its limit: the field's own
    ordinal for a field's `show_if`, the page's first ordinal for a page's `show_if`.
    """
    index = _Index()
    ordinal = 0
    for page in _dicts(data.get("pages") if isinstance(data, dict) else None):
        index.page_start[id(page)] = ordinal
        for spec in _dicts(page.get("fields")):
            index.ordinal[id(spec)] = ordinal
            field_id = spec.get("id")
            if isinstance(field_id, str) and field_id not in index.fields:
                index.fields[field_id] = _Ref(
                    field_id, ordinal, _type_of(spec), _option_values_of(spec)
                )
            index.group_ids.update(
                inner["id"]
                for inner in _dicts(spec.get("fields"))
                if isinstance(inner.get("id"), str)
            )
            ordinal += 1
    return index


def _template_problem(template: str, field_ids: Collection[str]) -> str | None:
    """Why a result body cannot be used as a template, or None."""
    env = SandboxedEnvironment(autoescape=True)
    try:
        tree = env.parse(template)
    except TemplateSyntaxError as exc:
        return f"{exc.message} (line {exc.lineno})"
    unknown = sorted(jinja_meta.find_undeclared_variables(tree) - RESULT_VARIABLES)
    if unknown:
        return ", ".join(unknown) + " ?"
    for node in tree.find_all(nodes.Getattr):
        named = isinstance(node.node, nodes.Name) and node.node.name == "answers"
        if named and node.attr not in field_ids:
            return f"answers.{node.attr} ?"
    return None


def _dicts(value: Any) -> list[dict]:
    """The maps in `value` if it is a list, else nothing."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _type_of(spec: dict) -> type[FieldType] | None:
    name = spec.get("type")
    return FIELD_TYPES.get(name) if isinstance(name, str) else None


def _option_values_of(spec: dict) -> tuple[str, ...] | None:
    if not isinstance(spec.get("options"), list):
        return None
    values = (_as_option_value(option.get("value")) for option in _dicts(spec["options"]))
    return tuple(dict.fromkeys(value for value in values if value is not None))


def _as_option_value(value: Any) -> str | None:
    """An option value as stored: strings as written, integers as strings, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value
    return None


# --- small value rules ----------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return _is_int(value) or (isinstance(value, float) and math.isfinite(value))


def _date_bound(value: Any) -> date | tuple[int, int] | None:
    """A date bound as a date, or as (months, days) from today; None if it is not one."""
    if not isinstance(value, str):
        return None
    if ABSOLUTE_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    match = RELATIVE_DATE.fullmatch(value)
    if not match:
        return None
    sign, amount, unit = match.groups()
    if not sign:
        return (0, 0)
    n = int(amount) * (-1 if sign == "-" else 1)
    return {"d": (0, n), "m": (n, 0), "y": (12 * n, 0)}[unit]


def _above(low: Any, high: Any) -> bool:
    """Whether a lower bound is above its upper bound, when that can be known statically."""
    if _is_number(low) and _is_number(high):
        return low > high
    a, b = _date_bound(low), _date_bound(high)
    if isinstance(a, date) and isinstance(b, date):
        return a > b
    if isinstance(a, tuple) and isinstance(b, tuple):
        if a[1] == 0 and b[1] == 0:  # both in months
            return a[0] > b[0]
        if a[0] == 0 and b[0] == 0:  # both in days
            return a[1] > b[1]
    return False


def _operand(kind: str, value: Any, options: tuple[str, ...] | None) -> Any:
    """A condition value for an answer of this kind, normalised, or _INVALID."""
    if kind in ("option", "options"):
        value = _as_option_value(value)
        return value if value is not None and (options is None or value in options) else _INVALID
    if kind == "string":
        if _is_int(value):
            return str(value)
        return value if isinstance(value, str) else _INVALID
    if kind == "integer":
        return value if _is_number(value) else _INVALID
    if kind == "date":
        return value if _date_bound(value) is not None else _INVALID
    if kind == "boolean":
        return value if isinstance(value, bool) else _INVALID
    return _freeze(value)


_OPERAND_EXPECTED = {
    "option": Detail.OPTION_OF,
    "options": Detail.OPTION_OF,
    "string": Detail.STRING,
    "integer": Detail.NUMBER,
    "date": Detail.DATE_BOUND,
    "boolean": Detail.BOOLEAN,
}


def _freeze(value: Any) -> Any:
    """A read-only copy: maps become MappingProxyType, lists tuples."""
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


# --- checking and building -----------------------------------------------------------------

# A check reads one value of the YAML: (parser, value, line, key) → the value for the
# model, or None after reporting why it does not fit.
Check = Callable[["_FormParser", Any, int, str], Any]


class _FormParser:
    """Checks each level of a loaded definition and builds the model from it."""

    def __init__(
        self,
        report: _Report,
        lines: _Lines,
        index: _Index,
        procedures: Collection[str] | None,
        webhooks: destinations.Rules = destinations.STRICT,
    ):
        self.report = report
        self.lines = lines
        self.index = index
        self.procedures = procedures
        self.webhooks = webhooks
        self.page_ids: dict[str, int] = {}
        self.field_ids: dict[str, int] = {}
        self.texts_seen: list[tuple[int, str, Text]] = []  # for the languages' warnings

    # helpers

    def problem(self, line: int, code: ErrorCode, /, **params: Any) -> None:
        self.report.add(line, code, **params)

    def invalid(self, line: int, key: str, value: Any, expected: Detail) -> None:
        self.problem(line, ErrorCode.INVALID_VALUE, key=key, value=value, expected=expected)

    def get(self, mapping: dict, key: str, check: Check) -> Any:
        """`check` applied to mapping[key]; None when the key is absent."""
        if key not in mapping:
            return None
        return check(self, mapping[key], self.lines.key(mapping, key), key)

    def check_keys(
        self,
        mapping: dict,
        allowed: Collection[str],
        required: Iterable[str],
        *,
        type_name: str | None = None,
        known: Collection[str] = (),
    ) -> None:
        """Report keys that are not allowed (with a "did you mean") and missing keys.

        A key in `known` but not `allowed` belongs to another `type`, and is reported
        as such rather than as unknown.
        """
        for key in mapping:
            if key in allowed:
                continue
            line = self.lines.key(mapping, key)
            if key in known:
                self.problem(line, ErrorCode.KEY_NOT_ALLOWED, key=key, type=type_name)
            else:
                suggestion = _closest(key, allowed)
                self.problem(line, ErrorCode.UNKNOWN_KEY, key=key, suggestion=suggestion)
        for key in required:
            if key not in mapping:
                self.problem(self.lines.start(mapping), ErrorCode.MISSING_KEY, key=key)

    def unique(self, seen: dict[str, int], value: str, line: int, kind: Detail) -> None:
        if value in seen:
            self.problem(line, ErrorCode.DUPLICATE_ID, kind=kind, id=value, first=seen[value])
        else:
            seen[value] = line

    # values

    def text(self, value: Any, line: int, key: str) -> Text | None:
        """A plain string (Japanese) or a map of language code → string with `ja`."""
        if isinstance(value, str) and value.strip():
            text = Text(MappingProxyType({FALLBACK: value}))
            self.texts_seen.append((line, key, text))
            return text
        if not isinstance(value, dict):
            self.invalid(line, key, value, Detail.TEXT)
            return None
        ok = True
        for code, translation in value.items():
            code_line = self.lines.key(value, code)
            if not LANGUAGE_CODE.fullmatch(code):
                self.problem(code_line, ErrorCode.INVALID_LANGUAGE, code=code)
                ok = False
            elif not isinstance(translation, str) or not translation.strip():
                self.invalid(code_line, f"{key}.{code}", translation, Detail.NON_EMPTY_STRING)
                ok = False
        if FALLBACK not in value:
            self.problem(line, ErrorCode.TEXT_WITHOUT_JA, key=key)
            ok = False
        if not ok:
            return None
        text = Text(MappingProxyType(dict(value)))
        self.texts_seen.append((line, key, text))
        return text

    def texts(self, value: Any, line: int, key: str) -> tuple[Text, ...] | None:
        if not isinstance(value, list):
            self.invalid(line, key, value, Detail.LIST)
            return None
        texts = [self.text(item, self.lines.item(value, i), key) for i, item in enumerate(value)]
        return None if None in texts else tuple(texts)

    def corrections(self, value: Any, line: int, key: str) -> str | None:
        """`any` (every answer may be changed in a correction) or `marked_only`."""
        ok = isinstance(value, str) and value in CORRECTION_MODES
        return self.rule(value, line, key, ok, Detail.CORRECTIONS)

    def identity(self, value: Any, line: int, key: str) -> Identity | None:
        """`none`, `optional` or `required`, or `{level: …, kinds: [individual, business]}`."""
        if isinstance(value, str):
            level = self.rule(value, line, key, value in IDENTITY_LEVELS, Detail.IDENTITY)
            return Identity(level) if level else None
        if not isinstance(value, dict):
            self.invalid(line, key, value, Detail.IDENTITY)
            return None
        self.check_keys(value, IDENTITY_KEYS, ("level",))
        level = self.get(value, "level", _FormParser.identity_level)
        kinds = self.get(value, "kinds", _FormParser.provider_kinds)
        if level is None or ("kinds" in value and kinds is None):
            return None
        return Identity(level, kinds or PROVIDER_KINDS)

    @staticmethod
    def prefill_of(type_name: str) -> Check:
        """`profile.<fact>` for a fact a question of this type can take."""

        def check(self, value: Any, line: int, key: str) -> str | None:
            fact = value[len("profile.") :] if isinstance(value, str) else ""
            ok = (
                isinstance(value, str)
                and value.startswith("profile.")
                and type_name in PROFILE_FACTS.get(fact, ())
            )
            return self.rule(fact if ok else value, line, key, ok, Detail.PREFILL)

        return check

    def identity_level(self, value: Any, line: int, key: str) -> str | None:
        ok = isinstance(value, str) and value in IDENTITY_LEVELS
        return self.rule(value, line, f"identity.{key}", ok, Detail.IDENTITY_LEVEL)

    def provider_kinds(self, value: Any, line: int, key: str) -> tuple[str, ...] | None:
        ok = (
            isinstance(value, list)
            and bool(value)
            and all(isinstance(k, str) and k in PROVIDER_KINDS for k in value)
            and len(set(value)) == len(value)
        )
        return self.rule(tuple(value) if ok else value, line, f"identity.{key}", ok,
                         Detail.PROVIDER_KINDS)  # fmt: skip

    def positive_int(self, value: Any, line: int, key: str) -> int | None:
        return self.rule(value, line, key, _is_int(value) and value > 0, Detail.POSITIVE_INT)

    def version_number(self, value: Any, line: int, key: str) -> int | None:
        """A version is stored as a 32-bit integer, as every database has one."""
        ok = _is_int(value) and 0 < value <= MAX_VERSION
        return self.rule(value, line, key, ok, Detail.VERSION)

    def non_negative_int(self, value: Any, line: int, key: str) -> int | None:
        ok = _is_int(value) and value >= 0
        return self.rule(value, line, key, ok, Detail.NON_NEGATIVE_INT)

    def positive_number(self, value: Any, line: int, key: str) -> float | None:
        ok = _is_number(value) and value > 0
        return self.rule(value, line, key, ok, Detail.POSITIVE_NUMBER)

    def integer(self, value: Any, line: int, key: str) -> int | None:
        return self.rule(value, line, key, _is_int(value), Detail.INTEGER)

    def boolean(self, value: Any, line: int, key: str) -> bool | None:
        return self.rule(value, line, key, isinstance(value, bool), Detail.BOOLEAN)

    def date_bound(self, value: Any, line: int, key: str) -> str | None:
        return self.rule(value, line, key, _date_bound(value) is not None, Detail.DATE_BOUND)

    def kana_script(self, value: Any, line: int, key: str) -> str | None:
        return self.rule(value, line, key, value in KANA_SCRIPTS, Detail.KANA)

    def charset(self, value: Any, line: int, key: str) -> str | None:
        return self.rule(value, line, key, value in CHARSETS, Detail.CHARSET)

    def form_id(self, value: Any, line: int, key: str) -> str | None:
        ok = isinstance(value, str) and FORM_ID.fullmatch(value) is not None
        return self.rule(value, line, key, ok, Detail.FORM_ID)

    def email_address(self, value: Any, line: int, key: str) -> str | None:
        ok = isinstance(value, str) and EMAIL_ADDRESS.fullmatch(value) is not None
        return self.rule(value, line, key, ok, Detail.EMAIL)

    def webhook_url(self, value: Any, line: int, key: str) -> str | None:
        """An https URL of a public host, as far as can be seen without a network."""
        try:
            destinations.destination(value, self.webhooks)
        except destinations.Malformed:
            self.invalid(line, key, value, Detail.HTTP_URL)
            return None
        except destinations.Refused as refused:
            self.problem(
                line, ErrorCode.WEBHOOK_URL, value=value, reason=refused.reason, **refused.params
            )
            return None
        return value

    def rule(self, value: Any, line: int, key: str, ok: bool, expected: Detail) -> Any:
        """`value` if `ok`, else None after reporting what was expected."""
        if ok:
            return value
        self.invalid(line, key, value, expected)
        return None

    def pattern(self, value: Any, line: int, key: str) -> str | None:
        """A regular expression that compiles (warnings such as nested sets count)."""
        if not isinstance(value, str):
            self.invalid(line, key, value, Detail.STRING)
            return None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                re.compile(value)
        except (re.error, Warning) as exc:
            self.problem(line, ErrorCode.INVALID_REGEX, detail=str(exc))
            return None
        return value

    def procedure(self, value: Any, line: int, key: str) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.invalid(line, key, value, Detail.PROCEDURE_CODE)
            return None
        if self.procedures is not None and value not in self.procedures:
            suggestion = _closest(value, self.procedures)
            self.problem(line, ErrorCode.UNKNOWN_PROCEDURE, code=value, suggestion=suggestion)
        return value

    def languages(self, value: Any, line: int, key: str) -> tuple[str, ...] | None:
        """Distinct language codes; `ja` is put first when missing."""
        if not isinstance(value, list) or not value:
            self.invalid(line, key, value, Detail.LANGUAGES)
            return None
        codes: list[str] = []
        for i, code in enumerate(value):
            item_line = self.lines.item(value, i)
            if not isinstance(code, str) or code in codes:
                self.invalid(item_line, key, code, Detail.LANGUAGES)
            elif not LANGUAGE_CODE.fullmatch(code):
                self.problem(item_line, ErrorCode.INVALID_LANGUAGE, code=code)
            else:
                codes.append(code)
        return tuple(codes) if FALLBACK in codes else (FALLBACK, *codes)

    def mime_types(self, value: Any, line: int, key: str) -> tuple[str, ...] | None:
        if not isinstance(value, list) or not value:
            self.invalid(line, key, value, Detail.NON_EMPTY_LIST)
            return None
        ok = True
        for i, item in enumerate(value):
            if not isinstance(item, str) or not MIME_TYPE.fullmatch(item):
                self.invalid(self.lines.item(value, i), key, item, Detail.MIME_TYPE)
                ok = False
        return tuple(value) if ok else None

    def repeat(self, value: Any, line: int, key: str) -> Mapping[str, int] | None:
        """`{min, max}`: how many items a group takes."""
        if not isinstance(value, dict):
            self.invalid(line, key, value, Detail.MAP)
            return None
        self.check_keys(value, REPEAT_KEYS, ())
        bounds = {k: self.get(value, k, _FormParser.non_negative_int) for k in ("min", "max")}
        low, high = bounds["min"], bounds["max"]
        if low is not None and high is not None and low > high:
            self.problem(
                self.lines.key(value, "min"),
                ErrorCode.MIN_ABOVE_MAX,
                low_key="repeat.min",
                low=low,
                high_key="repeat.max",
                high=high,
            )
        return MappingProxyType({k: v for k, v in bounds.items() if v is not None})

    # the form

    def form(self, data: Any) -> FormDefinition | None:
        if not isinstance(data, dict):
            self.problem(self.lines.start(data), ErrorCode.NOT_A_FORM)
            return None
        self.check_keys(data, TOP_KEYS, TOP_REQUIRED)
        p = _FormParser
        form = FormDefinition(
            id=self.get(data, "id", p.form_id),
            version=self.get(data, "version", p.version_number),
            procedure=self.get(data, "procedure", p.procedure),
            title=self.get(data, "title", p.text),
            description=self.get(data, "description", p.text),
            languages=self.get(data, "languages", p.languages) or (FALLBACK,),
            processing_days=self.get(data, "processing_days", p.positive_int),
            fee=self.get(data, "fee", p.fee),
            before_you_start=self.get(data, "before_you_start", p.texts) or (),
            declaration=self.get(data, "declaration", p.text),
            what_happens_next=self.get(data, "what_happens_next", p.text),
            outputs=self.get(data, "outputs", p.outputs) or (),
            retention_days=self.get(data, "retention_days", p.positive_int),
            workflow=self.get(data, "workflow", p.workflow) or DEFAULT_WORKFLOW,
            results=self.get(data, "results", p.results) or (),
            corrections=self.get(data, "corrections", p.corrections) or "any",
            identity=self.get(data, "identity", p.identity) or NO_IDENTITY,
            pages=self.get(data, "pages", p.pages) or (),
            source=data,
        )
        if not form.identity.offered:
            for _page, f in form.all_fields():
                if f.get("prefill"):
                    self.problem(f.line, ErrorCode.PREFILL_WITHOUT_IDENTITY, field=f.id)
        self.warn_missing_translations(form.languages)
        return form

    def warn_missing_translations(self, languages: tuple[str, ...]) -> None:
        """A warning for each text without one of the languages the form declares."""
        for line, key, text in self.texts_seen:
            for lang in languages:
                if lang != FALLBACK and lang not in text.values:
                    self.report.warn(line, WarningCode.MISSING_TRANSLATION, key=key, lang=lang)

    def fee(self, value: Any, line: int, key: str) -> Fee | None:
        if not isinstance(value, dict):
            self.invalid(line, key, value, Detail.MAP)
            return None
        self.check_keys(value, FEE_KEYS, ("amount",))
        amount = self.get(value, "amount", _FormParser.non_negative_int)
        label = self.get(value, "label", _FormParser.text)
        return None if amount is None else Fee(amount, label)

    def outputs(self, value: Any, line: int, key: str) -> tuple[Output, ...] | None:
        if not isinstance(value, list):
            self.invalid(line, key, value, Detail.LIST)
            return None
        outputs = (self.output(item, self.lines.item(value, i)) for i, item in enumerate(value))
        return tuple(o for o in outputs if o is not None)

    def output(self, spec: Any, line: int) -> Output | None:
        """`{type: email, to: address}` or `{type: webhook, url: https URL}`."""
        if not isinstance(spec, dict):
            self.invalid(line, "outputs", spec, Detail.MAP)
            return None
        kind = spec.get("type")
        target = OUTPUT_TARGETS.get(kind) if isinstance(kind, str) else None
        if "type" in spec and target is None:
            self.invalid(self.lines.key(spec, "type"), "type", kind, Detail.OUTPUT_TYPE)
        allowed = {"type", target} if target else OUTPUT_KEYS
        required = ("type", target) if target else ("type",)
        self.check_keys(spec, allowed, required, type_name=kind, known=OUTPUT_KEYS)
        to = self.get(spec, "to", _FormParser.email_address)
        url = self.get(spec, "url", _FormParser.webhook_url)
        return Output(kind, to=to, url=url) if target else None

    # the decision and its results

    def workflow(self, value: Any, line: int, key: str) -> Workflow | None:
        """`{steps: [{role, name}, …], undo_minutes}`: at most MAX_STEPS steps."""
        if not isinstance(value, dict):
            self.invalid(line, key, value, Detail.MAP)
            return None
        self.check_keys(value, WORKFLOW_KEYS, ("steps",))
        undo = self.get(value, "undo_minutes", _FormParser.non_negative_int)
        if undo is not None and undo > MAX_UNDO_MINUTES:
            self.invalid(self.lines.key(value, "undo_minutes"), "undo_minutes", undo, Detail.UNDO)
            undo = None
        steps_value = value.get("steps")
        steps_line = self.lines.key(value, "steps") if "steps" in value else line
        if "steps" not in value:
            return None
        if not isinstance(steps_value, list) or not 0 < len(steps_value) <= MAX_STEPS:
            self.invalid(steps_line, "steps", steps_value, Detail.STEPS)
            return None
        steps = [
            self.step(item, self.lines.item(steps_value, i)) for i, item in enumerate(steps_value)
        ]
        if None in steps:
            return None
        return Workflow(tuple(steps), DEFAULT_UNDO_MINUTES if undo is None else undo)

    def step(self, spec: Any, line: int) -> Step | None:
        if not isinstance(spec, dict):
            self.invalid(line, "steps", spec, Detail.MAP)
            return None
        self.check_keys(spec, STEP_KEYS, ("role", "name"))
        role = self.get(spec, "role", _FormParser.step_role)
        name = self.get(spec, "name", _FormParser.text)
        return Step(role, name) if role and name else None

    def step_role(self, value: Any, line: int, key: str) -> str | None:
        return self.rule(value, line, key, value in STEP_ROLES, Detail.STEP_ROLE)

    def results(self, value: Any, line: int, key: str) -> tuple[ResultDocument, ...] | None:
        if not isinstance(value, list):
            self.invalid(line, key, value, Detail.LIST)
            return None
        seen: dict[str, int] = {}
        made = []
        for i, item in enumerate(value):
            doc = self.result(item, self.lines.item(value, i))
            if doc is not None:
                self.unique(seen, doc.id, self.lines.item(value, i), Detail.RESULT)
                made.append(doc)
        return tuple(made)

    def result(self, spec: Any, line: int) -> ResultDocument | None:
        """`{id, kind: notice|permit, when: approved|rejected, title, body}`."""
        if not isinstance(spec, dict):
            self.invalid(line, "results", spec, Detail.MAP)
            return None
        self.check_keys(spec, RESULT_KEYS, ("id", "kind", "when", "title", "body"))
        p = _FormParser
        doc_id = self.get(spec, "id", p.form_id)
        kind = self.get(spec, "kind", p.result_kind)
        when = self.get(spec, "when", p.decision)
        title = self.get(spec, "title", p.text)
        body = self.get(spec, "body", p.result_body)
        if None in (doc_id, kind, when, title, body):
            return None
        return ResultDocument(doc_id, kind, when, title, body)

    def result_kind(self, value: Any, line: int, key: str) -> str | None:
        return self.rule(value, line, key, value in RESULT_KINDS, Detail.RESULT_KIND)

    def decision(self, value: Any, line: int, key: str) -> str | None:
        return self.rule(value, line, key, value in DECISIONS, Detail.DECISION)

    def result_body(self, value: Any, line: int, key: str) -> Text | None:
        """A text per language, each a template that compiles and uses only
        RESULT_VARIABLES and the form's own field ids (`answers.<id>`)."""
        text = self.text(value, line, key)
        if text is None:
            return None
        ok = True
        for lang, template in text.values.items():
            problem = _template_problem(template, self.index.fields)
            if len(template) > MAX_RESULT_BODY:
                problem = f"{len(template)} > {MAX_RESULT_BODY}"
            if problem:
                self.problem(line, ErrorCode.RESULT_TEMPLATE, lang=lang, detail=problem)
                ok = False
        return text if ok else None

    # pages

    def pages(self, value: Any, line: int, key: str) -> tuple[Page, ...] | None:
        if not isinstance(value, list) or not value:
            self.invalid(line, key, value, Detail.NON_EMPTY_LIST)
            return None
        pages = (self.page(item, self.lines.item(value, i)) for i, item in enumerate(value))
        return tuple(p for p in pages if p is not None)

    def page(self, spec: Any, line: int) -> Page | None:
        if not isinstance(spec, dict):
            self.invalid(line, "pages", spec, Detail.MAP)
            return None
        self.check_keys(spec, PAGE_KEYS, PAGE_REQUIRED)
        page_id = self.get(spec, "id", _FormParser.page_id)
        title = self.get(spec, "title", _FormParser.text)
        # a page's condition may only use fields on earlier pages
        show_if = self.show_if(spec, limit=self.index.page_start[id(spec)])
        fields = self.get(spec, "fields", _FormParser.page_fields) or ()
        return Page(page_id, title, fields, show_if=show_if, line=line)

    def page_id(self, value: Any, line: int, key: str) -> str | None:
        if not isinstance(value, str) or not PAGE_ID.fullmatch(value):
            self.invalid(line, key, value, Detail.PAGE_ID)
            return None
        if value in RESERVED_PAGE_IDS:
            self.invalid(line, key, value, Detail.RESERVED_PAGE_ID)
            return None
        self.unique(self.page_ids, value, line, Detail.PAGE)
        return value

    def page_fields(self, value: Any, line: int, key: str) -> tuple[Field, ...] | None:
        if not isinstance(value, list) or not value:
            self.invalid(line, key, value, Detail.NON_EMPTY_LIST)
            return None
        fields = (
            self.field(item, self.lines.item(value, i), limit=self.index.ordinal.get(id(item), 0))
            for i, item in enumerate(value)
        )
        return tuple(f for f in fields if f is not None)

    # fields

    def field(self, spec: Any, line: int, *, limit: int, in_group: bool = False) -> Field | None:
        """One field; `limit` is the ordinal below which its condition may look."""
        if not isinstance(spec, dict):
            self.invalid(line, "fields", spec, Detail.MAP)
            return None
        field_type = self.field_type(spec, in_group)
        self.field_keys(spec, field_type)
        field_id = self.get(spec, "id", _FormParser.field_id)
        label = self.get(spec, "label", _FormParser.text)
        help_text = self.get(spec, "help", _FormParser.text)
        required = self.get(spec, "required", _FormParser.boolean)
        show_if = self.show_if(spec, limit=limit)
        if field_type is None:
            return None
        extra = self.extras(spec, field_type)
        short_label = self.get(spec, "short_label", _FormParser.text)
        if short_label is not None:
            extra["short_label"] = short_label
        prefill = self.get(spec, "prefill", _FormParser.prefill_of(field_type.name))
        if prefill is not None:
            extra["prefill"] = prefill
        self.check_ranges(spec, field_type, extra)
        self.check_ceilings(spec, field_type, extra)
        has_text = "text" in field_type.extra_keys
        text = self.get(spec, "text", _FormParser.text) if has_text else None
        return Field(
            id=field_id,
            type=field_type.name,
            label=label,
            help=help_text,
            required=bool(required),
            show_if=show_if,
            options=self.options(spec, field_type),
            fields=self.group_fields(spec, field_type, limit),
            text=text,
            extra=MappingProxyType(extra),
            line=line,
        )

    def field_type(self, spec: dict, in_group: bool) -> type[FieldType] | None:
        """The registered type named by `type`, or None after reporting why not."""
        if "type" not in spec:
            return None
        name, line = spec["type"], self.lines.key(spec, "type")
        if not isinstance(name, str):
            self.invalid(line, "type", name, Detail.STRING)
            return None
        field_type = FIELD_TYPES.get(name)
        if field_type is None:
            suggestion = _closest(name, FIELD_TYPES)
            self.problem(line, ErrorCode.UNKNOWN_TYPE, type=name, suggestion=suggestion)
        elif in_group and name in NOT_IN_GROUP:
            self.problem(line, ErrorCode.NOT_ALLOWED_IN_GROUP, type=name)
        return field_type

    def field_keys(self, spec: dict, field_type: type[FieldType] | None) -> None:
        """Common keys, plus those of the type (of any type while the type is unknown)."""
        if field_type is None:
            self.check_keys(spec, COMMON_KEYS | ALL_EXTRA_KEYS, ("id", "type"))
            return
        required = ["id", "type"]
        if field_type.label_required:
            required.append("label")
        required += sorted(REQUIRED_EXTRA_KEYS & field_type.extra_keys)
        self.check_keys(
            spec,
            COMMON_KEYS | field_type.extra_keys,
            required,
            type_name=field_type.name,
            known=ALL_EXTRA_KEYS,
        )

    def field_id(self, value: Any, line: int, key: str) -> str | None:
        if not isinstance(value, str) or not FIELD_ID.fullmatch(value):
            self.invalid(line, key, value, Detail.FIELD_ID)
            return None
        if value in RESERVED_FIELD_IDS:
            self.invalid(line, key, value, Detail.RESERVED_FIELD_ID)
            return None
        self.unique(self.field_ids, value, line, Detail.FIELD)
        return value

    def extras(self, spec: dict, field_type: type[FieldType]) -> dict[str, Any]:
        """The type-specific keys, checked; texts become Text."""
        extra = {}
        for key in spec:
            if key not in field_type.extra_keys or key in OWN_ATTRIBUTES:
                continue
            if key in field_type.text_keys:
                check = _FormParser.text
            else:
                check = EXTRA_CHECKS.get((field_type.answer, key)) or EXTRA_CHECKS.get(key)
            value = self.get(spec, key, check) if check else _freeze(spec[key])
            if value is not None:
                extra[key] = value
        return extra

    def check_ranges(self, spec: dict, field_type: type[FieldType], extra: dict) -> None:
        """A lower bound must not be above its upper bound (written or default)."""
        for low_key, high_key in RANGES:
            if low_key not in extra:
                continue
            high, note = extra.get(high_key), None
            if high_key not in spec:
                high, note = DEFAULT_MAXIMA.get((field_type.name, high_key)), Detail.DEFAULT_NOTE
            if high is not None and _above(extra[low_key], high):
                self.problem(
                    self.lines.key(spec, low_key),
                    ErrorCode.MIN_ABOVE_MAX,
                    low_key=low_key,
                    low=extra[low_key],
                    high_key=high_key,
                    high=high,
                    note=note,
                )

    def check_ceilings(self, spec: dict, field_type: type[FieldType], extra: dict) -> None:
        """What the YAML may ask of a type stays within the type's hard limits: its
        `max_length` within the ceiling, integer bounds within a 32-bit column, a group's
        `repeat.max` (and `repeat.min` when there is no max) within its most items."""
        checks: list[tuple[str, int, int, Any, int]] = []  # key, low, high, value, line
        if field_type.max_length_ceiling and "max_length" in extra:
            line = self.lines.key(spec, "max_length")
            high = field_type.max_length_ceiling
            checks.append(("max_length", 1, high, extra["max_length"], line))
        if field_type.value_range:
            low, high = field_type.value_range
            for key in ("min", "max"):
                if _is_int(extra.get(key)):
                    checks.append((key, low, high, extra[key], self.lines.key(spec, key)))
        repeat = extra.get("repeat")
        if field_type.max_items_ceiling and repeat is not None:
            high = field_type.max_items_ceiling
            for key in ("min", "max"):
                if key in repeat:
                    line = self.lines.key(spec["repeat"], key)
                    checks.append((f"repeat.{key}", 0, high, repeat[key], line))
            if "min" in repeat and "max" not in repeat and repeat["min"] > field_type.max_items:
                self.problem(
                    self.lines.key(spec["repeat"], "min"),
                    ErrorCode.MIN_ABOVE_MAX,
                    low_key="repeat.min",
                    low=repeat["min"],
                    high_key="repeat.max",
                    high=field_type.max_items,
                    note=Detail.DEFAULT_NOTE,
                )
        for key, low, high, value, line in checks:
            if not low <= value <= high:
                self.problem(
                    line, ErrorCode.OUT_OF_RANGE, key=key, low=f"{low:,}", high=f"{high:,}",
                    value=value,
                )  # fmt: skip

    def options(self, spec: dict, field_type: type[FieldType]) -> tuple[Option, ...]:
        """The `{value, label}` list of a type with options; values are unique strings."""
        if not field_type.has_options:
            return ()
        if "options" not in spec:
            self.problem(self.lines.start(spec), ErrorCode.OPTIONS_MISSING, type=field_type.name)
            return ()
        value, line = spec["options"], self.lines.key(spec, "options")
        if not isinstance(value, list):
            self.invalid(line, "options", value, Detail.NON_EMPTY_LIST)
            return ()
        if not value:
            self.problem(line, ErrorCode.OPTIONS_MISSING, type=field_type.name)
            return ()
        seen: dict[str, int] = {}
        options = (
            self.option(item, self.lines.item(value, i), seen) for i, item in enumerate(value)
        )
        return tuple(o for o in options if o is not None)

    def option(self, spec: Any, line: int, seen: dict[str, int]) -> Option | None:
        if not isinstance(spec, dict):
            self.invalid(line, "options", spec, Detail.MAP)
            return None
        self.check_keys(spec, OPTION_KEYS, ("value", "label"))
        value = self.get(spec, "value", _FormParser.option_value)
        label = self.get(spec, "label", _FormParser.text)
        if value is not None:
            value_line = self.lines.key(spec, "value")
            if value in seen:
                self.problem(
                    value_line, ErrorCode.OPTIONS_DUPLICATE, value=value, first=seen[value]
                )
            seen.setdefault(value, value_line)
        return Option(value, label) if value is not None else None

    def option_value(self, value: Any, line: int, key: str) -> str | None:
        result = _as_option_value(value)
        if result is None:
            self.invalid(line, key, value, Detail.OPTION_VALUE)
        return result

    def group_fields(
        self, spec: dict, field_type: type[FieldType], limit: int
    ) -> tuple[Field, ...]:
        """The fields of a group: no files or groups, conditions only on earlier fields."""
        if "fields" not in field_type.extra_keys or "fields" not in spec:
            return ()
        value, line = spec["fields"], self.lines.key(spec, "fields")
        if not isinstance(value, list) or not value:
            self.invalid(line, "fields", value, Detail.NON_EMPTY_LIST)
            return ()
        fields = (
            self.field(item, self.lines.item(value, i), limit=limit, in_group=True)
            for i, item in enumerate(value)
        )
        return tuple(f for f in fields if f is not None)

    # conditions

    def show_if(self, spec: dict, *, limit: int) -> Mapping[str, Any] | None:
        if "show_if" not in spec:
            return None
        return self.condition(spec["show_if"], self.lines.key(spec, "show_if"), limit)

    def malformed(self, line: int, reason: Detail, **params: Any) -> None:
        self.problem(line, ErrorCode.CONDITION_MALFORMED, reason=reason, **params)

    def condition(self, cond: Any, line: int, limit: int) -> Mapping[str, Any] | None:
        """A read-only, normalised copy of a valid condition; None if it is not one."""
        if not isinstance(cond, dict):
            self.malformed(line, Detail.NOT_A_CONDITION)
            return None
        combinators = [key for key in cond if key in COMBINATORS]
        if combinators:
            return self.combination(cond, line, limit, combinators[0])
        return self.comparison(cond, line, limit)

    def combination(self, cond: dict, line: int, limit: int, key: str) -> Mapping[str, Any] | None:
        """`{all: [...]}`, `{any: [...]}` or `{not: cond}`, alone in their map."""
        if len(cond) > 1:
            self.malformed(line, Detail.COMBINATOR_ALONE, key=key)
            return None
        value, value_line = cond[key], self.lines.key(cond, key)
        if key == "not":
            inner = self.condition(value, value_line, limit)
            return None if inner is None else MappingProxyType({key: inner})
        if not isinstance(value, list) or not value:
            self.malformed(value_line, Detail.EMPTY_COMBINATOR, key=key)
            return None
        parts = [
            self.condition(item, self.lines.item(value, i), limit) for i, item in enumerate(value)
        ]
        return None if None in parts else MappingProxyType({key: tuple(parts)})

    def comparison(self, cond: dict, line: int, limit: int) -> Mapping[str, Any] | None:
        """`{field: id, <operator>: value}` with exactly one operator."""
        ok = True
        for key in cond:
            if key != "field" and key not in OPERATORS:
                suggestion = _closest(key, CONDITION_KEYS)
                key_line = self.lines.key(cond, key)
                self.malformed(key_line, Detail.UNKNOWN_OPERATOR, key=key, suggestion=suggestion)
                ok = False
        if "field" not in cond:
            self.malformed(line, Detail.NO_FIELD)
            ok = False
        operators = [key for key in cond if key in OPERATORS]
        if not operators and ok:
            self.malformed(line, Detail.NO_OPERATOR)
        elif len(operators) > 1:
            self.malformed(line, Detail.TWO_OPERATORS, operators=", ".join(operators))
        ref = self.reference(cond, limit) if "field" in cond else None
        if not ok or ref is None or len(operators) != 1:
            return None
        operator = operators[0]
        value = self.operand(ref, operator, cond[operator], self.lines.key(cond, operator))
        if value is _INVALID:
            return None
        return MappingProxyType({"field": ref.id, operator: value})

    def reference(self, cond: dict, limit: int) -> _Ref | None:
        """The field a condition names, if it exists and comes before `limit`."""
        field_id, line = cond["field"], self.lines.key(cond, "field")
        if not isinstance(field_id, str):
            self.malformed(line, Detail.FIELD_NOT_ID)
            return None
        ref = self.index.fields.get(field_id)
        if ref is None:
            in_group = field_id in self.index.group_ids
            earlier = [r.id for r in self.index.fields.values() if r.ordinal < limit]
            self.problem(
                line,
                ErrorCode.CONDITION_UNKNOWN_FIELD,
                field=field_id,
                suggestion=None if in_group else _closest(field_id, earlier),
                note=Detail.IN_GROUP_NOTE if in_group else None,
            )
            return None
        if ref.ordinal >= limit:
            self.problem(line, ErrorCode.CONDITION_LATER_FIELD, field=field_id)
            return None
        return ref

    def operand(self, ref: _Ref, operator: str, value: Any, line: int) -> Any:
        """The value of a comparison if the operator and value fit the field, else _INVALID."""
        if ref.type is None:  # an unknown type, reported where the field is
            return _INVALID
        if operator not in ref.type.operators:
            self.problem(
                line,
                ErrorCode.CONDITION_OPERATOR,
                operator=operator,
                field=ref.id,
                type=ref.type.name,
                allowed=", ".join(sorted(ref.type.operators)) or "—",
            )
            return _INVALID
        if operator == "filled":
            if isinstance(value, bool):
                return value
            return self.bad_operand(line, operator, value, Detail.BOOLEAN, ref)
        if operator in ("in", "not_in"):
            if not isinstance(value, list) or not value:
                return self.bad_operand(line, operator, value, Detail.NON_EMPTY_LIST, ref)
            items = [
                self.scalar_operand(ref, operator, item, self.lines.item(value, i))
                for i, item in enumerate(value)
            ]
            return _INVALID if _INVALID in items else tuple(items)
        return self.scalar_operand(ref, operator, value, line)

    def scalar_operand(self, ref: _Ref, operator: str, value: Any, line: int) -> Any:
        result = _operand(ref.type.answer, value, ref.options)
        if result is _INVALID:
            expected = _OPERAND_EXPECTED.get(ref.type.answer, Detail.STRING)
            self.bad_operand(line, operator, value, expected, ref)
        return result

    def bad_operand(self, line: int, operator: str, value: Any, expected: Detail, ref: _Ref) -> Any:
        self.problem(
            line,
            ErrorCode.CONDITION_VALUE,
            operator=operator,
            value=value,
            expected=expected,
            field=ref.id,
            options=", ".join(ref.options or ()),
        )
        return _INVALID


# How each type-specific key is checked: by (answer kind, key) where the meaning depends
# on the type (`kana` of text is a script, of name a boolean), else by key. Keys in a
# type's `text_keys` are texts; keys not listed here are kept as written.
EXTRA_CHECKS: dict[Any, Check] = {
    "min_length": _FormParser.non_negative_int,
    "max_length": _FormParser.positive_int,
    "pattern": _FormParser.pattern,
    "charset": _FormParser.charset,
    "min_selected": _FormParser.non_negative_int,
    "max_selected": _FormParser.positive_int,
    "accept": _FormParser.mime_types,
    "max_size_mb": _FormParser.positive_number,
    "multiple": _FormParser.boolean,
    "max_files": _FormParser.positive_int,
    "repeat": _FormParser.repeat,
    ("string", "kana"): _FormParser.kana_script,
    ("object", "kana"): _FormParser.boolean,
    ("integer", "min"): _FormParser.integer,
    ("integer", "max"): _FormParser.integer,
    ("date", "min"): _FormParser.date_bound,
    ("date", "max"): _FormParser.date_bound,
}
