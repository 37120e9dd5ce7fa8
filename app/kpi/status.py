"""The status vocabulary of a procedure (kpi.md): the one place it is defined."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Status:
    code: str
    ja: str
    en: str
    digitized: bool
    excluded: bool = False


PAPER = "paper"
EXCLUDED = "excluded"

# a procedure's digitization status (手続のデジタル化の状況), paper … end_to_end, with its labels;
# not a submission's status (that is app.submissions.models.CASE_STATUSES)
DIGITIZATION_STATUSES = MappingProxyType(
    {
        s.code: s
        for s in (
            Status("paper", "紙・窓口のみ", "Paper or counter only", False),
            Status("planned", "デジタル化予定", "Digitization planned", False),
            Status("partial", "一部オンライン", "Partly online", False),
            Status("online", "オンライン申請可", "Online application", True),
            Status("end_to_end", "オンライン完結", "Fully online", True),
            Status("excluded", "対象外", "Excluded", False, excluded=True),
        )
    }
)

DIGITIZED = frozenset(code for code, s in DIGITIZATION_STATUSES.items() if s.digitized)


def status_label(code: str, lang: str = "ja") -> str:
    s = DIGITIZATION_STATUSES.get(code)
    if s is None:
        return code
    return s.en if lang == "en" else s.ja
