"""The way through a form for one set of answers: which pages are visible, which comes
next, where a page stands, and the first page still to be completed. One object, so that
the pages only ask it (as GOV.UK's forms-runner asks its journey)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.formengine import Context, FormDefinition, Page, validate_all, visible_pages


@dataclass
class Flow:
    defn: FormDefinition
    answers: Mapping[str, Any]
    ctx: Context
    pages: list[Page] = field(init=False)

    def __post_init__(self) -> None:
        self.pages = visible_pages(self.defn, self.answers or {}, self.ctx)

    @property
    def ids(self) -> list[str]:
        return [p.id for p in self.pages]

    def first(self) -> str | None:
        return self.ids[0] if self.ids else None

    def after(self, page: Page) -> str | None:
        """The next visible page after `page` (None: the check page comes next). A page the
        answers just hid still leads on to the visible page after it."""
        ids = self.ids
        if page.id in ids:
            i = ids.index(page.id)
            return ids[i + 1] if i + 1 < len(ids) else None
        later = [p.id for p in self.defn.pages[self.defn.pages.index(page) + 1 :] if p.id in ids]
        return later[0] if later else None

    def position(self, page: Page) -> tuple[int | None, int, str | None]:
        """(its step number, how many steps, the visible page before).

        Steps are counted over all the form's pages, as its start page counts them: a page
        the answers leave out is a step passed, so the count never changes on the way
        ("ステップ 4 / 6" after a skipped third page, never "1 / 5" then "5 / 6")."""
        ids = self.ids
        at = ids.index(page.id) if page.id in ids else None
        all_ids = [p.id for p in self.defn.pages]
        number = None if at is None else all_ids.index(page.id) + 1
        return number, len(all_ids), (ids[at - 1] if at else None)

    def first_incomplete(self, pending: Mapping[str, Any] | None = None) -> str | None:
        """The first visible page with unsaved typing, or an answer still wrong or missing."""
        result = validate_all(self.defn, self.answers or {}, self.ctx, unknown_is_error=False)
        wrong = {k.split(".")[0].split("[")[0] for k in result.errors}
        for p in self.pages:
            if p.id in (pending or {}) or wrong & {f.id for f in p.fields}:
                return p.id
        return None
