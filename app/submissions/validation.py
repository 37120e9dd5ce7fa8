"""What validating answers needs besides the answers: the context of a request."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from app.clock import today
from app.extensions import db
from app.formengine import (
    Context,
)
from app.formengine.postal import lookup as postal_lookup

from .models import CorrectionRequest, Draft, StoredFile


def context(
    lang: str, draft: Draft | None = None, pending_files: Mapping[str, Any] | None = None
) -> Context:
    """What validation needs: the language, today in Japan, postcodes, and file lookups."""

    def file_exists(ref: Mapping[str, Any]) -> bool:
        if pending_files is not None and ref.get("id") in pending_files:
            return True
        if draft is None:
            return False
        stored = db.session.get(StoredFile, ref.get("id"))
        if stored is None:
            return False
        if stored.draft_id == draft.id:
            return True
        # a correction's draft (補正) refers to the files of the submission it corrects
        corrected = db.session.scalar(
            select(CorrectionRequest.submission_id).where(CorrectionRequest.draft_id == draft.id)
        )
        return corrected is not None and stored.submission_id == corrected

    return Context(lang=lang, today=today(), postal_lookup=postal_lookup, file_exists=file_exists)
