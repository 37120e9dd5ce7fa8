"""A validated form definition as plain, immutable data (shared spec form-definition.md)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .profile import PROVIDER_KINDS

FALLBACK = "ja"


@dataclass(frozen=True, slots=True)
class Text:
    """A text in several languages; `ja` is always there and is the fallback."""

    values: Mapping[str, str]

    def get(self, lang: str) -> str:
        return self.values.get(lang) or self.values.get(FALLBACK, "")

    def __str__(self) -> str:
        return self.get(FALLBACK)

    def as_json(self) -> dict[str, str]:
        return dict(self.values)


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    label: Text


@dataclass(frozen=True, slots=True)
class Field:
    id: str
    type: str
    label: Text | None = None
    help: Text | None = None
    required: bool = False
    show_if: Mapping[str, Any] | None = None  # a condition map, evaluated by conditions.py
    options: tuple[Option, ...] = ()
    fields: tuple[Field, ...] = ()  # for group
    text: Text | None = None  # for heading / paragraph
    # the type-specific keys of the spec (min_length, pattern, kana, accept, repeat, …),
    # as given in the YAML, with text maps turned into Text
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    line: int = 0  # where it starts in the YAML, for messages

    def get(self, key: str, default: Any = None) -> Any:
        return self.extra.get(key, default)


@dataclass(frozen=True, slots=True)
class Page:
    id: str
    title: Text
    fields: tuple[Field, ...]
    show_if: Mapping[str, Any] | None = None
    line: int = 0


@dataclass(frozen=True, slots=True)
class Fee:
    amount: int
    label: Text | None = None


@dataclass(frozen=True, slots=True)
class Output:
    type: str  # email | webhook
    to: str | None = None
    url: str | None = None


# the roles a step of a workflow (決裁) may need, within the form's department; a head
# (課長) is a department user marked as one. The same person never decides two steps.
STEP_ROLES = ("department", "department_head")
DECISIONS = ("approved", "rejected")
RESULT_KINDS = ("notice", "permit")
DEFAULT_UNDO_MINUTES = 60


@dataclass(frozen=True, slots=True)
class Step:
    role: str  # one of STEP_ROLES
    name: Text  # 担当, 課長 …


@dataclass(frozen=True, slots=True)
class Workflow:
    """The steps of a decision; the last step decides (approved or rejected)."""

    steps: tuple[Step, ...]
    undo_minutes: int = DEFAULT_UNDO_MINUTES  # how long a decision can be taken back

    @property
    def last(self) -> int:
        return len(self.steps) - 1


DEFAULT_WORKFLOW = Workflow(
    steps=(Step("department", Text(MappingProxyType({"ja": "担当", "en": "Officer"}))),)
)


@dataclass(frozen=True, slots=True)
class ResultDocument:
    """A document the resident receives on a decision (電子交付): a notice or a permit,
    its body a template filled from the answers and the decision (results.py)."""

    id: str
    kind: str  # one of RESULT_KINDS
    when: str  # one of DECISIONS
    title: Text
    body: Text  # a Jinja template per language (sandboxed)


@dataclass(frozen=True, slots=True)
class Identity:
    """Whether a form asks the resident to sign in (docs/identity.md): `none` (anonymous,
    as every form before sign-in existed), `optional` or `required`; with which kinds of
    provider (individuals, businesses)."""

    level: str = "none"  # one of profile.IDENTITY_LEVELS
    kinds: tuple[str, ...] = PROVIDER_KINDS

    @property
    def required(self) -> bool:
        return self.level == "required"

    @property
    def offered(self) -> bool:
        return self.level != "none"


NO_IDENTITY = Identity()


@dataclass(frozen=True, slots=True)
class FormDefinition:
    id: str
    version: int
    procedure: str
    title: Text
    pages: tuple[Page, ...]
    description: Text | None = None
    languages: tuple[str, ...] = (FALLBACK,)
    processing_days: int | None = None
    fee: Fee | None = None
    before_you_start: tuple[Text, ...] = ()
    declaration: Text | None = None
    what_happens_next: Text | None = None
    outputs: tuple[Output, ...] = ()
    retention_days: int | None = None
    workflow: Workflow = DEFAULT_WORKFLOW
    results: tuple[ResultDocument, ...] = ()
    corrections: str = "any"  # any | marked_only: what a correction (補正) may change
    identity: Identity = NO_IDENTITY  # sign-in: none | optional | required, and by whom
    source: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))  # parsed YAML

    def source_json(self) -> Any:
        """The definition as plain JSON data (dates as ISO strings)."""
        return _plain(self.source)

    def all_fields(self) -> Iterator[tuple[Page, Field]]:
        """Every top-level field with its page, in order."""
        for page in self.pages:
            for f in page.fields:
                yield page, f

    def field(self, field_id: str) -> Field | None:
        for _, f in self.all_fields():
            if f.id == field_id:
                return f
        return None

    def page(self, page_id: str) -> Page | None:
        return next((p for p in self.pages if p.id == page_id), None)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _texts(defn: FormDefinition) -> Iterator[Text]:
    """Every text a resident reads in the form, in order."""
    yield defn.title
    yield from (t for t in (defn.description, defn.declaration, defn.what_happens_next) if t)
    yield from defn.before_you_start

    def fields(items: tuple[Field, ...]) -> Iterator[Text]:
        for f in items:
            yield from (t for t in (f.label, f.help, f.text) if t)
            yield from (o.label for o in f.options if o.label)
            yield from fields(f.fields)

    for page in defn.pages:
        yield page.title
        yield from fields(page.fields)


def missing_translations(defn: FormDefinition) -> dict[str, int]:
    """For each language the form offers besides Japanese: how many texts lack it."""
    out = {lang: 0 for lang in defn.languages if lang != FALLBACK}
    for text in _texts(defn):
        for lang in out:
            if not text.values.get(lang):
                out[lang] += 1
    return {lang: n for lang, n in out.items() if n}
