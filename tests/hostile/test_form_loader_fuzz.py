"""The form-definition loader against 10,000 generated hostile files.

Each example is a small form written as a member of staff might write it — block and flow
style, quoted and plain scalars — with hostile parts mixed in: values of the wrong type,
unknown keys, huge numbers, tags (`!!python/object/apply`, `!!binary`, `!custom`),
anchors and aliases up to a "billion laughs", deep nesting, escapes of NUL and lone
surrogates, control characters, full-width digits, emoji, very long strings, broken
indentation, and bytes that are not UTF-8 (read through `check_file`).

Whatever the file, `parse` and `check_file` return: a definition and no problem, or no
definition and problems, each on a line of the file with a message in Japanese and
English. Nothing raises, and nothing takes long.
"""

from __future__ import annotations

import functools
import json
import re
import time

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from app.formengine.errors import ErrorCode
from app.formengine.parser import check_file, parse
from tests.hostile.conftest import FUZZ_EXAMPLES

PATH = "forms/fuzz.yaml"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# CPU seconds, not the wall clock (a shared machine stalls a process for seconds): an
# unguarded alias bomb takes hours, a real form milliseconds; only the first is caught
SLOW = 30.0


# --- pieces of YAML, as a person (or an attacker) might write them ----------------------------
#
# A document is a small form written from a template whose every value (and some keys) is
# picked from these pools: plausible values first (Hypothesis shrinks towards them), then
# hostile ones. Picking whole pieces of YAML keeps an example to a few dozen choices, so
# that 10,000 of them take seconds rather than minutes.

HOSTILE = [
    # tags: nothing may be constructed from them
    "!!python/object/apply:os.system ['echo owned']",
    "!!python/object/new:builtins.list [[1]]",
    "!!python/name:os.system",
    "!!python/tuple [1, 2]",
    "!!binary aGVsbG8=",
    "!!set {a, b}",
    "!!omap [a: 1]",
    "!!int abc",
    "!!float x",
    "!!bool maybe",
    "!!str 12",
    "!!timestamp 2024-13-45",
    "!custom value",
    "!<tag:example.com,2024:x> 1",
    # numbers
    "9" * 5000,
    "-" + "9" * 4400,
    "0x" + "f" * 5000,
    "0b" + "1" * 100,
    "1e999999",
    "-1e999999",
    ".inf",
    ".nan",
    "0o777",
    "1_000",
    "1:20",  # sexagesimal in YAML 1.1
    "-1",
    "0",
    "0.5",
    "2147483648",
    "9223372036854775808",
    # words YAML reads as something else
    "2024-04-01",
    "2024-02-30",
    "~",
    "null",
    "yes",
    "no",
    "on",
    "Off",
    "true",
    # escapes and characters
    '"\\0"',
    '"\\ud800"',
    '"\\udfff\\ud800"',
    '"a\\x1bb"',
    '"\\x7f"',
    '"\\U0001F600"',
    '"\\N\\L\\P"',
    '"\\uFEFF"',
    "'it''s'",
    "''",
    '" "',
    "\u3000",
    "１２３",
    "ａｂｃ",
    "ﾃｽﾄ",
    "𠮷",
    "👨‍👩‍👧‍👦",
    "\U0001f600" * 20,
    "\u202egpj.exe",
    "申請" * 1000,
    "a" * 3000,
    "<script>alert(1)</script>",
    "'{{7*7}}'",
    "javascript:alert(1)",
    "(a+)+$",
    "'['",
    "'(?P<x'",
    "today-999999999y",
    "today+1x",
    "image/*",
    # structures
    "[]",
    "{}",
    "[1, [2, [3]]]",
    "{a: 1}",
    "{ja: 1}",
    "{en: only}",
    "{ja: '', en: x}",
    "{ja: {ja: x}}",
    "{'': x}",
    "{1: x}",
    "{null: x}",
    "[" * 60 + "]" * 60,
    "{a: " * 45 + "1" + "}" * 45,
    "|\n  two\n  lines",
    ">-\n  folded",
    # anchors and aliases
    "*l8",  # the whole bomb: 10^9 values
    "*l4",  # 100,000 values
    "*l2",  # 1,000: allowed
    "*nowhere",
    "&self [*self]",
    "&a 1",
    "{<<: *l0}",
    "[*l1, *l1]",
    # broken YAML
    "[1, 2",
    "{a: 1, a: 2}",
    "{a: 1}: 2",
    "@reserved",
    "`backtick",
    "%directive",
    "- item",
    "x: y: z",
    "'unclosed",
    '"unclosed',
    "#",
    "\t tab",
]

IDS = ["a", "b", "kind", "age", "photo", "household"] + ["A", "1", "start", "lang", "x-1", "a b"]
TYPES = [
    "text", "textarea", "integer", "email", "tel", "date", "select", "radio", "checkboxes",
    "checkbox", "name", "address", "file", "group", "heading", "paragraph",
    "txt", "Text", "''", "[text]",
]  # fmt: skip
TEXTS = ["申請書", "{ja: 申請, en: Form}", "テスト", "Test", "{ja: 申請, ja-easy: しんせい}"]
FIELD_KEYS = {
    "required": ["true", "false"],
    "help": TEXTS,
    "min_length": ["1", "5"],
    "max_length": ["10", "200"],
    "pattern": ["'^[0-9]{6}$'", "'[a-z]+'"],
    "pattern_message": TEXTS,
    "kana": ["katakana", "hiragana", "false", "true"],
    "charset": ["jis"],
    "min": ["0", "today", "2020-01-01", "today-18y"],
    "max": ["100", "today+30d", "2030-12-31"],
    "unit": ["{ja: 人, en: people}"],
    "options": ["[{value: x, label: X}, {value: y, label: Y}]", "[{value: 1, label: 一}]"],
    "min_selected": ["1"],
    "max_selected": ["2"],
    "accept": ["[image/jpeg, image/png]", "[application/pdf]"],
    "max_size_mb": ["5", "0.5"],
    "multiple": ["true"],
    "max_files": ["3"],
    "repeat": ["{min: 1, max: 3}", "{min: 3, max: 1}"],
    "item_label": TEXTS,
    "text": TEXTS,
    "fields": [
        "[{id: m, type: text, label: 氏名}]",
        "[{id: n, type: group, label: 入れ子, fields: [{id: o, type: text, label: O}]}]",
        "[{id: p, type: file, label: P}]",
    ],
    "show_if": [
        "{field: a, equals: x}",
        "{field: kind, in: [x, y]}",
        "{all: [{field: a, filled: true}, {not: {field: b, equals: 1}}]}",
        "{any: []}",
        "{field: a}",
        "{field: a, equals: x, gt: 1}",
        "{field: zzz, equals: 1}",
        "{not: " * 12 + "{field: a, filled: true}" + "}" * 12,
        "{field: age, gte: today-18y}",
        "{eq: 1}",
    ],
    "lable": ["x"],
    "type ": ["text"],
    "ID": ["a"],
}
TOP_KEYS = {
    "description": TEXTS,
    "languages": ["[ja, en]", "[en]", "[ja, ja]", "[JA]"],
    "processing_days": ["10", "0"],
    "fee": ["{amount: 2000}", "{amount: -1}", "{label: 手数料}"],
    "before_you_start": ["[本人確認書類]", "[{ja: 写真}]"],
    "declaration": TEXTS,
    "what_happens_next": TEXTS,
    "outputs": ["[{type: email, to: a@example.jp}]", "[{type: webhook, url: 'ftp://x'}]"],
    "retention_days": ["365"],
    "titel": ["x"],
    "<<": ["{a: 1}"],
}


@functools.cache
def _mixed(pool: tuple[str, ...], odds: int) -> st.SearchStrategy[str]:
    """The pool's pieces `odds` times as likely as all the hostile ones together."""
    return st.sampled_from(list(pool) * (odds * len(HOSTILE) // len(pool) + 1) + HOSTILE)


@st.composite
def documents(draw):
    """(text or bytes) of one small form file, hostile in a few places."""

    # most files are hostile in a few places; some are nearly right, so that the checks
    # of a well-formed file (conditions, ranges, options) meet hostile values too
    odds = draw(st.sampled_from([4, 4, 60]))

    def pick(pool):
        """From the pool, or (one time in odds + 1) a hostile piece: one choice."""
        return draw(_mixed(tuple(pool), odds))

    lines = [
        f"id: {pick(['fuzz-form'])}",
        f"version: {pick(['1', '2'])}",
        f"procedure: {pick(['P-0001'])}",
        f"title: {pick(TEXTS)}",
    ]
    for key in draw(st.lists(st.sampled_from(sorted(TOP_KEYS)), max_size=2, unique=True)):
        lines.append(f"{key}: {pick(TOP_KEYS[key])}")
    if draw(st.integers(0, 11)) == 0:
        lines.append(f"pages: {draw(st.sampled_from(HOSTILE))}")
    else:
        lines.append("pages:")
        for n in range(draw(st.integers(1, 2))):
            lines += [f"  - id: {pick([f'p{n + 1}'])}", f"    title: {pick(TEXTS)}"]
            if draw(st.integers(0, 5)) == 0:
                lines.append(f"    show_if: {pick(FIELD_KEYS['show_if'])}")
            lines.append("    fields:")
            for _ in range(draw(st.integers(0, 3))):
                keys = draw(st.lists(st.sampled_from(sorted(FIELD_KEYS)), max_size=2, unique=True))
                parts = [
                    ("id", pick(IDS[:6])),
                    ("type", pick(TYPES[:16])),
                    ("label", pick(TEXTS)),
                    *((key, pick(FIELD_KEYS[key])) for key in keys),
                ]
                if draw(st.booleans()):  # flow style, on one line
                    lines.append("      - {" + ", ".join(f"{k}: {v}" for k, v in parts) + "}")
                else:
                    for i, (k, v) in enumerate(parts):
                        lead = "      - " if i == 0 else "        "
                        head, *rest = v.split("\n")
                        lines.append(f"{lead}{k}: {head}")
                        lines += ["          " + r.strip() for r in rest]
    spoil = draw(st.integers(0, 9))
    if spoil == 0:  # a line lost, doubled or moved: indentation and duplicate keys
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.integers(0, 2))
        if action == 0:
            del lines[i]
        elif action == 1:
            lines.insert(i, lines[i])
        else:
            lines.insert(draw(st.integers(0, len(lines))), lines.pop(i))
    text = "\n".join(lines) + "\n"
    levels = [int(level) for level in re.findall(r"\*l(\d)", text)]
    if levels:  # the anchors the aliases need, ten times more values on each level
        prelude = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for level in range(1, max(levels) + 1):
            prelude.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 10) + "]")
        text = "\n".join(prelude) + "\n" + text
    if spoil == 1:  # a character YAML does not allow, as itself rather than as an escape
        i = draw(st.integers(0, len(text)))
        bad = draw(st.sampled_from(["\x00", "\x07", "\x1b", "\ud800", "\ufffe", "\x85", "\t"]))
        text = text[:i] + bad + text[i:]
    elif spoil == 2:
        text = text.replace("\n", draw(st.sampled_from(["\r\n", "\r", "\n\n", "\n\t"])))
    elif spoil == 3:  # bytes: not UTF-8, another encoding, or a byte-order mark
        data = text.encode("utf-8", "surrogatepass")
        kind = draw(st.integers(0, 3))
        if kind == 0:
            i = draw(st.integers(0, len(data)))
            junk = draw(
                st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xc0\xaf", b"\xe3\x81"])
            )
            return data[:i] + junk + data[i:]
        if kind == 1:
            return text.encode("shift_jis", "replace")
        if kind == 2:
            return b"\xef\xbb\xbf" + data
        return text.encode("utf-16", "surrogatepass")
    return text


# --- the property -----------------------------------------------------------------------------


def check_result(form, problems, text: str) -> None:
    if form is not None:
        assert problems == []
        # a definition the app will show: its texts can be written as UTF-8
        json.dumps(form.source_json(), ensure_ascii=False, default=str).encode("utf-8")
        return
    assert problems, "no definition and no problem"
    last_line = text.count("\n") + text.count("\r") + 1
    for p in problems:
        assert isinstance(p.code, ErrorCode)
        assert p.path == PATH
        assert isinstance(p.line, int) and 1 <= p.line <= last_line, (p, last_line)
        assert str(p).startswith(f"{PATH}:{p.line}: ")
        japanese, _, english = p.message.partition(" / ")
        assert JAPANESE.search(japanese) and english.strip(), p.message
        p.message.encode("utf-8")  # printable in a terminal and a log


@pytest.mark.slow
@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture],
)  # fmt: skip
@given(document=documents())
def test_form_loader_never_fails_on_hostile_files(tmp_path, document):
    started = time.process_time()
    if isinstance(document, bytes):
        path = tmp_path / "fuzz.yaml"
        path.write_bytes(document)
        form, problems = check_file(path)
        text = document.decode("utf-8", "replace")
        assert all(p.path == str(path) for p in problems)
        # the same checks, with the file's own path
        problems = [type(p)(PATH, p.line, p.code, p.message) for p in problems]
    else:
        text = document
        form, problems = parse(document, path=PATH)
    assert time.process_time() - started < SLOW
    check_result(form, problems, text)
    for code in sorted({p.code.value for p in problems}) or ["(a valid form)"]:
        event(code)
