"""The form-definition reference (docs/form-reference.md), written from the parser's key
sets and the field-type registry, so that it says what the parser accepts and nothing
else. A type, key or top-level key without its note below makes `reference()` fail
(and `tests/formengine/test_reference.py` with it): a new one cannot go undocumented."""

from __future__ import annotations

from .model import DECISIONS, DEFAULT_UNDO_MINUTES, RESULT_KINDS, STEP_ROLES
from .parser import (
    MAX_RESULT_BODY,
    MAX_STEPS,
    MAX_UNDO_MINUTES,
    MAX_VERSION,
    NOT_IN_GROUP,
    OPERATORS,
    OUTPUT_TARGETS,
    PAGE_KEYS,
    PAGE_REQUIRED,
    REQUIRED_EXTRA_KEYS,
    RESERVED_FIELD_IDS,
    RESERVED_PAGE_IDS,
    RESULT_VARIABLES,
    TOP_KEYS,
    TOP_REQUIRED,
)
from .profile import PROFILE_FACTS
from .registry import COMMON_KEYS, FIELD_TYPES, INTEGER_RANGE

TOP_NOTES = {
    "id": "the form's identifier: lower-case letters, digits and `-`; the address is `/apply/<id>`",
    "version": f"a whole number from 1 to {MAX_VERSION}; raise it for every change of a loaded form",
    "procedure": "the catalogue code of the procedure the form serves (checked when the catalogue is loaded)",
    "title": "text: the form's name",
    "description": "text shown on the start page",
    "identity": "whether the resident signs in (docs/identity.md): `none` (default: anonymous only), "
    "`optional` (sign-in offered on the start page) or `required` (the form starts with sign-in); "
    "or `{level: …, kinds: [individual, business]}` to name the kinds of provider that may sign in "
    "(default both)",
    "corrections": "`any` (default) or `marked_only`: what a resident may change when staff return the application for correction (補正)",
    "languages": "list of language codes (BCP 47, such as `en`, `pt-BR`, `ja-easy`) the form offers besides Japanese; `forms check` warns about a text without one of them",
    "processing_days": "standard processing time (標準処理期間) in business days, used when the catalogue gives none (start page, receipt, mail, due date)",
    "fee": "`{amount: 2900, label: text}`: the fee in yen, on the start page",
    "before_you_start": "list of texts: what to have at hand, on the start page",
    "declaration": 'text the resident must confirm on the check page (宣誓); the API asks for `"declaration": true`',
    "what_happens_next": "text on the done page and the receipt",
    "outputs": "list of what happens after a submission is stored, each run as a background job: "
    + ", ".join(f"`{{type: {t}, {k}: …}}`" for t, k in OUTPUT_TARGETS.items()),
    "pages": "list of pages (below), at least one",
    "retention_days": "days, counted from a submission's last status change once it is closed, "
    "after which its personal data is deleted (the anonymous counts stay); without it, kept",
    "workflow": f"`{{steps: [{{role, name}}, …], undo_minutes}}`: the steps of the decision (決裁), "
    f"1 to {MAX_STEPS}, each of role "
    + " or ".join(f"`{r}`" for r in STEP_ROLES)
    + f" with a text `name`; the last step decides; a decision can be undone for `undo_minutes` "
    f"(default {DEFAULT_UNDO_MINUTES}, at most {MAX_UNDO_MINUTES}); without it, one step "
    "(docs/decisions.md)",
    "results": "list of `{id, kind, when, title, body}`: the documents a decision issues, signed "
    "(電子交付); `kind` "
    + " or ".join(f"`{k}`" for k in RESULT_KINDS)
    + ", `when` "
    + " or ".join(f"`{d}`" for d in DECISIONS)
    + f", `body` a text whose each language is a template (at most {MAX_RESULT_BODY} characters) "
    "using only "
    + ", ".join(f"`{v}`" for v in sorted(RESULT_VARIABLES))
    + " (`answers.<field id>`) (docs/decisions.md)",
}

PAGE_NOTES = {
    "id": "unique in the form: a lower-case letter, then letters, digits, `_` or `-`; not "
    + ", ".join(f"`{w}`" for w in sorted(RESERVED_PAGE_IDS)),
    "title": "text: the page's heading",
    "fields": "list of fields (below)",
    "show_if": "condition: the page is skipped (and all its fields count as hidden) unless it holds",
}

COMMON_NOTES = {
    "id": "unique in the form: a lower-case letter, then letters, digits or `_`; not "
    + ", ".join(f"`{w}`" for w in sorted(RESERVED_FIELD_IDS)),
    "type": "one of the types below",
    "label": "text: the question (required except for `heading` and `paragraph`)",
    "short_label": "text: the noun form messages use when the label is a question "
    "(`Requester type` for “Who is making the request?”); default: the label without its "
    "final punctuation",
    "help": "text shown under the label",
    "required": "`true` or `false` (default)",
    "show_if": "condition: the field is asked (and checked, stored, shown) only when it holds",
    "prefill": "`profile.<fact>`: the answer starts from what the resident's identity provider "
    "vouches for, shown for the resident to confirm (forms with `identity`; docs/identity.md): "
    + ", ".join(f"`{fact}` ({'/'.join(types)})" for fact, types in PROFILE_FACTS.items()),
}

TYPE_NOTES = {
    "text": "one line of text",
    "textarea": "several lines of text",
    "integer": "a whole number (digits, full-width digits and `,` accepted)",
    "email": "an e-mail address",
    "tel": "a Japanese telephone number: 10 or 11 digits; hyphens, spaces, full-width digits accepted",
    "date": "a date: `2026-04-01`, `2026/4/1` or a Japanese era (令和8年4月1日) typed in parts",
    "select": "one option from a drop-down list",
    "radio": "one option from radio buttons",
    "checkboxes": "any number of options",
    "checkbox": "one box to tick; with `required: true` it must be ticked",
    "name": "family and given names, with their katakana readings (unless `kana: false`)",
    "address": "postal code, prefecture, city, street and building; the postal code fills in "
    "prefecture and city, with or without JavaScript; the building line is always optional",
    "file": "an attachment, its type read from its content",
    "group": "a list of items with the same questions (household members, say); "
    "no " + " or ".join(f"`{t}`" for t in sorted(NOT_IN_GROUP)) + " inside",
    "heading": "a heading between questions (no answer)",
    "paragraph": "a paragraph between questions (no answer)",
}

KEY_NOTES = {
    "min_length": "fewest characters",
    "max_length": "most characters",
    "pattern": "a regular expression the answer must match (after full-width letters and digits become half-width)",
    "pattern_message": "text: what the resident is told when `pattern` does not match",
    "kana": "for `text`: `katakana` or `hiragana` (only that script, converted from the other and from half-width); "
    "for `name`: `true` (default) asks for the readings, `false` does not",
    "charset": "`jis`: only characters back-office systems can store (those CP932 can encode); "
    "the default for `name` and `address`",
    "min": "for `integer`: the smallest number; for `date`: the earliest date: `2026-04-01`, `today`, "
    "`today+30d`, `today-18y` (d, m or y)",
    "max": "for `integer`: the largest number; for `date`: the latest date, written as for `min`",
    "unit": "text shown after the box (`円`, `人`)",
    "options": "list of `{value, label}`: the value stored, the text shown; values unique",
    "min_selected": "fewest options ticked",
    "max_selected": "most options ticked",
    "accept": "list of MIME types (`image/jpeg`, `application/pdf`), checked against the file's content; "
    "without it any content is taken and always served as a download",
    "max_size_mb": "the largest file in MB (default 10)",
    "multiple": "`true`: several files",
    "max_files": "with `multiple`: the most files",
    "fields": "list of the fields each item asks",
    "repeat": "`{min, max}`: fewest and most items",
    "item_label": "text: each item's heading (`世帯員`), numbered",
    "text": "text: what the heading or paragraph says",
}

ANSWERS = {
    "string": "string",
    "integer": "integer",
    "date": "`YYYY-MM-DD`",
    "option": "the option's value",
    "options": "list of option values",
    "boolean": "`true` / `false`",
    "object": "object",
    "file": "stored file reference",
    "list": "list of objects",
    "none": "—",
}


def _keys(names) -> str:
    return ", ".join(f"`{k}`" for k in sorted(names)) or "—"


def _limits(t) -> list[str]:
    out = []
    if t.max_length is not None:
        if t.max_length_ceiling:
            out.append(
                f"at most {t.max_length} characters unless `max_length` says otherwise (up to {t.max_length_ceiling})"
            )
        else:
            out.append(f"at most {t.max_length} characters")
    if t.part_max_length:
        parts = ", ".join(f"`{p}` {n}" for p, n in t.part_max_length.items())
        out.append(f"characters per part: {parts}")
    if t.value_range:
        lo, hi = t.value_range
        out.append(f"from {lo} to {hi} unless `min` / `max` narrow it")
    if t.max_items:
        out.append(
            f"at most {t.max_items} items unless `repeat.max` says otherwise (up to {t.max_items_ceiling})"
        )
    return out


def reference() -> str:
    """The reference as Markdown."""
    missing = (
        (set(FIELD_TYPES) - set(TYPE_NOTES))
        | {k for t in FIELD_TYPES.values() for k in t.extra_keys if k not in KEY_NOTES}
        | (TOP_KEYS - set(TOP_NOTES))
        | (PAGE_KEYS - set(PAGE_NOTES))
        | (COMMON_KEYS - set(COMMON_NOTES))
    )
    if missing:
        raise KeyError(f"no note in formengine/reference.py for: {', '.join(sorted(missing))}")
    lines = [
        "# Form definition reference",
        "",
        "<!-- Written by `flask forms reference` from the parser and the field-type registry",
        "(app/formengine/reference.py). Do not edit: change the code and run the command;",
        "tests/formengine/test_reference.py fails when this file differs from what it writes. -->",
        "",
        "What a form's YAML file may hold. [forms.md](forms.md) explains the format with an",
        "example; this page lists every key the loader accepts.",
        "",
        "A **text** is a string (Japanese) or a map from language code to string:",
        "`{ja: 氏名, en: Name, ja-easy: なまえ}`. `ja` is required in every map and is shown",
        "when a language has no text of its own.",
        "",
        "## Top level",
        "",
        "| key | required | meaning |",
        "|---|---|---|",
    ]
    order = list(TOP_REQUIRED) + sorted(TOP_KEYS - set(TOP_REQUIRED))
    for key in order:
        lines.append(f"| `{key}` | {'yes' if key in TOP_REQUIRED else 'no'} | {TOP_NOTES[key]} |")
    lines += ["", "## Pages", "", "| key | required | meaning |", "|---|---|---|"]
    for key in list(PAGE_REQUIRED) + sorted(PAGE_KEYS - set(PAGE_REQUIRED)):
        lines.append(f"| `{key}` | {'yes' if key in PAGE_REQUIRED else 'no'} | {PAGE_NOTES[key]} |")
    lines += [
        "",
        "## Fields",
        "",
        "Every field may have these keys:",
        "",
        "| key | meaning |",
        "|---|---|",
    ]
    for key in ("id", "type", "label", "short_label", "help", "required", "show_if", "prefill"):
        lines.append(f"| `{key}` | {COMMON_NOTES[key]} |")
    lines += [
        "",
        "### Field types",
        "",
        "| type | what it asks | answer (JSON) | its own keys | in `show_if` |",
        "|---|---|---|---|---|",
    ]
    for name, t in FIELD_TYPES.items():
        answer = ANSWERS[t.answer]
        if t.answer == "object" and t.part_max_length:
            answer = "`{" + ", ".join(t.part_max_length) + "}`"
        lines.append(
            f"| `{name}` | {TYPE_NOTES[name]} | {answer} | "
            f"{_keys(t.extra_keys)} | {_keys(t.operators)} |"
        )
    lines += ["", "### Limits", "", "Every answer has a maximum; the YAML may lower it.", ""]
    for name, t in FIELD_TYPES.items():
        limits = _limits(t)
        if limits:
            lines.append(f"- `{name}`: " + "; ".join(limits) + ".")
    lo, hi = INTEGER_RANGE
    lines += [
        f"- `min`, `max` of an `integer` lie from {lo} to {hi}.",
        "",
        "### Keys of the field types",
        "",
        "| key | used by | meaning |",
        "|---|---|---|",
    ]
    users: dict[str, list[str]] = {}
    for name, t in FIELD_TYPES.items():
        for key in t.extra_keys:
            users.setdefault(key, []).append(name)
    for key in sorted(users):
        required = " (required)" if key in REQUIRED_EXTRA_KEYS else ""
        lines.append(f"| `{key}` | {_keys(users[key])}{required} | {KEY_NOTES[key]} |")
    lines += [
        "",
        "## Conditions (`show_if`)",
        "",
        "A condition is a map: `{field: <id>, <operator>: <value>}`, or `all: [...]`,",
        "`any: [...]`, `not: {...}` around others. It may name only a field on an earlier",
        "page or earlier on the same page. Operators: " + _keys(OPERATORS) + "; which",
        "of them a field accepts is in the last column of the table of types. For",
        "`checkboxes`, `equals` and `in` hold when the ticked options include the value.",
        "",
    ]
    return "\n".join(lines)
