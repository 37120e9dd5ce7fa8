"""Which text of a page is in which language: every Japanese text on an English page must
sit inside an element marked lang="ja" (and an English text that a Japanese page shows
from English data inside lang="en"), so that screen readers and translators read it right
(WCAG 3.1.2, Language of Parts)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff5e\u3000-\u303f]")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip
SEEN_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder", "content")


class _Walker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.found: list[tuple[str, str]] = []  # (effective lang, text)

    def _lang(self) -> str | None:
        for _, lang in reversed(self.stack):
            if lang is not None:
                return lang
        return None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        lang = attrs.get("lang")
        if tag not in VOID:
            self.stack.append((tag, lang))
        here = lang or self._lang()
        for name in SEEN_ATTRIBUTES:
            if attrs.get(name) and not (tag == "meta" and attrs.get("name") != "description"):
                self.found.append((here or "", attrs[name]))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if data.strip() and not any(t in ("script", "style") for t, _ in self.stack):
            self.found.append((self._lang() or "", data.strip()))


def texts(html: str) -> list[tuple[str, str]]:
    """Each text and attribute a person may read, with the language it is marked as."""
    walker = _Walker()
    walker.feed(html)
    return walker.found


def unmarked_japanese(html: str) -> list[str]:
    """Japanese texts read as English (on an English page, outside any lang="ja")."""
    return [t for lang, t in texts(html) if lang.startswith("en") and JAPANESE.search(t)]


ENGLISH_PHRASE = re.compile(r"[A-Za-z]{2,}(?:[\s,.'()-]+[A-Za-z]{2,}){3,}")


def unmarked_english(html: str) -> list[str]:
    """English sentences read as Japanese (on a Japanese page, outside any lang="en"): four
    words or more with no Japanese in them."""
    return [
        t
        for lang, t in texts(html)
        if lang.startswith("ja") and not JAPANESE.search(t) and ENGLISH_PHRASE.search(t)
    ]
