"""Status badges: one colour for each meaning, always with the word beside it.

The colours are the Digital Agency's semantic ones: green for done or available, blue for
in progress, orange for waiting on someone, red for refused, grey for nothing yet. The word
is always shown as well: a colour alone tells nothing to a reader who cannot see it.
"""

from __future__ import annotations

from types import MappingProxyType

# the status codes of both vocabularies (a case's, a procedure's digitization) → tone
TONES = MappingProxyType(
    {
        # a resident's case (submissions.models.CASE_STATUSES)
        "received": "progress",
        "in_review": "progress",
        "returned": "waiting",
        "approved": "done",
        "rejected": "refused",
        # a procedure's digitization (kpi.status.DIGITIZATION_STATUSES)
        "paper": "none",
        "planned": "waiting",
        "partial": "progress",
        "online": "done",
        "end_to_end": "done",
        "excluded": "none",
    }
)


def tone(status: str | None) -> str:
    """`{{ sub.status|tone }}` → the CSS class part (`tag-done`); `none` when unknown."""
    return TONES.get(status or "", "none")
