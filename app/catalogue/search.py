"""Finding a procedure as residents type: words, readings, other names.

- Words are split at spaces of both widths and must all match (AND), each anywhere in
  the procedure's name, reading, English name, code, summary, documents or section.
- Text is compared folded (`fold`): NFKC (full-width letters and digits, half-width
  katakana), lower case, katakana as hiragana. So ｼﾞｭｳﾀｸ, ジュウタク and じゅうたく are one
  word, and じょうかそう finds 浄化槽設置届 by its reading (`name_kana`).
- A word may stand for others (`synonyms.txt`: 車庫証明 = 自動車保管場所証明); departments
  add lines to it, or point SEARCH_SYNONYMS_FILE at a file of their own.
- Ranking: a word found in the name counts 3, in the summary 2, elsewhere 1; the best place
  of each word is added up. Ties: online first, then by code.

Matching runs in Python over the catalogue's rows, on every database alike, so SQLite and
PostgreSQL give the same answer by construction. The databases' own text search does not
help here: a trigram index (SQLite FTS5 `trigram`, PostgreSQL `pg_trgm`) cannot look up a
word shorter than three characters, and most Japanese search words are one or two kanji
(届, 住宅, 免許); a few hundred, or a few thousand, procedures are scanned in milliseconds.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup, escape

from .models import Procedure

NAME, SUMMARY, OTHER = 3, 2, 1
MAX_QUERY = 200  # characters: a search box is for words, not for documents
MAX_WORDS = 10
SHIPPED_SYNONYMS = Path(__file__).with_name("synonyms.txt")


# katakana ァ (U+30A1) … ヶ (U+30F6) → hiragana ぁ … ゖ, as jaconv.kata2hira, in one C call
_KATA_TO_HIRA = {k: k - 0x60 for k in range(0x30A1, 0x30F7)}


def fold(text: str | None) -> str:
    """The form in which texts are compared: NFKC, lower case, hiragana for katakana."""
    return unicodedata.normalize("NFKC", text or "").lower().translate(_KATA_TO_HIRA)


def words(query: str | None) -> list[str]:
    """The query's words, folded: split at any space (NFKC turns U+3000 into a space)."""
    return [w for w in fold((query or "")[:MAX_QUERY]).split() if w][:MAX_WORDS]


@lru_cache(maxsize=8)
def _synonym_groups(paths: tuple[str, ...]) -> dict[str, frozenset[str]]:
    """word → every word of its group(s), folded. A line is one group: words between
    commas, `=` or spaces; `#` starts a comment."""
    groups: dict[str, set[str]] = {}
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            group = {fold(w) for w in re.split(r"[,、=＝\s]+", line.split("#", 1)[0]) if w}
            for w in group:
                groups.setdefault(w, set()).update(group)
    return {w: frozenset(g) for w, g in groups.items()}


def synonyms(extra: str | None = None) -> dict[str, frozenset[str]]:
    paths = (str(SHIPPED_SYNONYMS), *((extra,) if extra else ()))
    return _synonym_groups(paths)


def alternatives(word: str, groups: dict[str, frozenset[str]]) -> frozenset[str]:
    """The word itself and every other name for it."""
    return groups.get(word, frozenset()) | {word}


@dataclass(frozen=True, slots=True)
class Hit:
    procedure: Procedure
    score: int


def _fields(p: Procedure) -> tuple[tuple[int, str], ...]:
    return _folded_fields(
        (p.name_ja, p.name_kana, p.name_en, p.code),
        p.summary,
        (p.documents, p.section, p.procedure_type),
    )


@lru_cache(maxsize=20_000)
def _folded_fields(
    names: tuple[str | None, ...], summary: str | None, others: tuple[str | None, ...]
) -> tuple[tuple[int, str], ...]:
    """Folded once per text (folding is most of a search's time), whatever the database."""
    name = " ".join(t for t in names if t)
    other = " ".join(t for t in others if t)
    return ((NAME, fold(name)), (SUMMARY, fold(summary)), (OTHER, fold(other)))


def score(p: Procedure, query_words: Sequence[frozenset[str]]) -> int:
    """0 when a word is found nowhere; else the sum of each word's best place."""
    fields = _fields(p)
    total = 0
    for alts in query_words:
        best = max((w for w, text in fields if any(a in text for a in alts)), default=0)
        if not best:
            return 0
        total += best
    return total


def search(
    procedures: Iterable[Procedure], query: str | None, groups: dict[str, frozenset[str]]
) -> list[Hit]:
    """The procedures every word matches, best first (ties keep the order given)."""
    query_words = [alternatives(w, groups) for w in words(query)]
    if not query_words:
        return [Hit(p, 0) for p in procedures]
    hits = [Hit(p, s) for p in procedures if (s := score(p, query_words))]
    hits.sort(key=lambda h: -h.score)  # stable
    return hits


def highlight(text: str | None, query: str | None, groups: dict[str, frozenset[str]]) -> Markup:
    """`text` with each matched word in <mark>, compared folded (so ｼﾞｭｳﾀｸ marks ジュウタク)."""
    text = text or ""
    targets = {a for w in words(query) for a in alternatives(w, groups) if a}
    if not targets:
        return escape(text)
    # fold character by character, remembering where each folded character came from
    folded, origin = [], []
    for i, ch in enumerate(text):
        for f in fold(ch):
            folded.append(f)
            origin.append(i)
    flat = "".join(folded)
    marked = [False] * len(text)
    for target in targets:
        start = flat.find(target)
        while start != -1:
            for k in range(start, start + len(target)):
                marked[origin[k]] = True
            start = flat.find(target, start + 1)
    out, i = [], 0
    while i < len(text):
        j = i
        while j < len(text) and marked[j] == marked[i]:
            j += 1
        piece = escape(text[i:j])
        out.append(Markup("<mark>") + piece + Markup("</mark>") if marked[i] else piece)
        i = j
    return Markup("").join(out)
