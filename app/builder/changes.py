"""What a draft changes against the published version: in words, and as a YAML diff."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from . import document


@dataclass(frozen=True)
class Change:
    kind: str  # page_added, page_removed, page_changed, question_added, question_removed,
    #           question_changed, question_moved, setting_changed
    name: str  # the page's or question's title or label (Japanese), or the setting's key
    where: str = ""  # the page a question is on
    keys: tuple[str, ...] = ()  # what changed in it


def _label(f: dict) -> str:
    return document.text_of(f.get("label") or f.get("text")) or str(f.get("id", ""))


def _index(data: Any) -> dict[str, tuple[str, int, dict, str]]:
    """Every question by id: its page, place, itself, and the label of the repeating group
    it is inside ("" for a question of the page)."""
    out = {}
    for page in document.pages(data):
        for n, f in enumerate(document.questions(page)):
            if isinstance(f.get("id"), str):
                out[f["id"]] = (str(page.get("id")), n, f, "")
            for g in document.questions(f):
                if isinstance(g.get("id"), str):
                    out.setdefault(g["id"], (str(page.get("id")), n, g, _label(f)))
    return out


def _differ(old: dict, new: dict) -> tuple[str, ...]:
    """The keys that changed (a group's questions are compared one by one, not as a key)."""
    grouped = isinstance(old.get("fields"), list) and isinstance(new.get("fields"), list)
    return tuple(
        sorted(
            k
            for k in set(old) | set(new)
            if old.get(k) != new.get(k) and not (grouped and k == "fields")
        )
    )


def changes(old: Any, new: Any) -> list[Change]:
    """Pages and questions added, removed and changed, and settings changed."""
    old, new = old or {}, new or {}
    out: list[Change] = []
    skip = {"pages", "version"}
    for key in sorted(set(old) | set(new)):
        if key not in skip and old.get(key) != new.get(key):
            out.append(Change("setting_changed", key))
    old_pages = {str(p.get("id")): p for p in document.pages(old)}
    new_pages = {str(p.get("id")): p for p in document.pages(new)}
    for pid, page in new_pages.items():
        title = document.text_of(page.get("title")) or pid
        if pid not in old_pages:
            out.append(Change("page_added", title))
        else:
            before = {k: v for k, v in old_pages[pid].items() if k != "fields"}
            after = {k: v for k, v in page.items() if k != "fields"}
            keys = tuple(
                sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
            )
            if keys:
                out.append(Change("page_changed", title, keys=keys))
    for pid, page in old_pages.items():
        if pid not in new_pages:
            out.append(Change("page_removed", document.text_of(page.get("title")) or pid))
    before, after = _index(old), _index(new)

    def where(pages: dict, pid: str, group: str) -> str:
        title = document.text_of(pages.get(pid, {}).get("title")) or pid
        return f"{title} · {group}" if group else title

    for fid, (pid, _n, f, group) in after.items():
        if fid not in before:
            out.append(Change("question_added", _label(f), where(new_pages, pid, group)))
            continue
        opid, _on, of, _og = before[fid]
        keys = _differ(of, f)
        if keys:
            out.append(Change("question_changed", _label(f), where(new_pages, pid, group), keys))
        if opid != pid and not group:
            out.append(Change("question_moved", _label(f), where(new_pages, pid, "")))
    for fid, (pid, _, f, group) in before.items():
        if fid not in after:
            out.append(Change("question_removed", _label(f), where(old_pages, pid, group)))
    return out


def yaml_diff(old_text: str, new_text: str, old_name: str, new_name: str) -> list[str]:
    return list(
        difflib.unified_diff(
            old_text.splitlines(), new_text.splitlines(), old_name, new_name, lineterm="", n=2
        )
    )
