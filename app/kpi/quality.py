"""Service quality of a digitized procedure (GOV.UK's four KPIs, adapted): pure arithmetic.

Per form version:

- completion rate = submitted ÷ started (the cookie-free funnel's counts);
- median time to complete = the median of (submitted − draft started);
- the page where most residents leave = the step with the most residents who reached it
  and no later step: reached(step) − the most that reached any later step;
- corrections per 100 submissions = 100 × returned-for-correction events ÷ submissions;
- processing time = business days from the day of receipt to the day of the decision
  (the day of receipt not counted; Saturdays, Sundays, national holidays and the year-end
  days 29 December–3 January are not business days), its median against 標準処理期間;
- satisfaction = the mean of 1–5 answers, shown only from a minimum number of answers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median as _median

import jpholiday


def completion_rate(started: int, submitted: int) -> float | None:
    return submitted / started if started else None


def median(values: Iterable[float]) -> float | None:
    values = list(values)
    return _median(values) if values else None


@dataclass(frozen=True, slots=True)
class Leave:
    step: str  # start | page:<id> | check
    left: int  # residents who reached it and no later step
    reached: int


def where_residents_leave(steps: Sequence[str], counts: Mapping[str, int]) -> list[Leave]:
    """Each step in the form's order with how many left there, most first. `steps` ends with
    `submitted`, which nobody leaves; pages shown to some residents only count as reached."""
    out = []
    for i, step in enumerate(steps[:-1]):
        reached = counts.get(step, 0)
        later = max((counts.get(s, 0) for s in steps[i + 1 :]), default=0)
        out.append(Leave(step, max(0, reached - later), reached))
    out.sort(key=lambda x: -x.left)  # stable: the earlier step first on a tie
    return out


def corrections_per_100(returned_events: int, submissions: int) -> float | None:
    return round(100 * returned_events / submissions, 1) if submissions else None


def is_business_day(day: date) -> bool:
    """Not a Saturday, a Sunday, a national holiday, or 29 December – 3 January."""
    if day.weekday() >= 5 or jpholiday.is_holiday(day):
        return False
    return not ((day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3))


def business_days(received: date, decided: date) -> int:
    """Business days after the day of receipt up to and including the day of decision."""
    n, day = 0, received
    while day < decided:
        day += timedelta(days=1)
        if is_business_day(day):
            n += 1
    return n


@dataclass(frozen=True, slots=True)
class Processing:
    cases: int  # decided cases
    median_days: float | None
    standard_days: int | None  # 標準処理期間 of the form, in business days
    within: int  # cases decided within the standard

    @property
    def within_rate(self) -> float | None:
        return self.within / self.cases if self.cases and self.standard_days else None


def processing(periods: Iterable[tuple[date, date]], standard_days: int | None) -> Processing:
    """(day received, day decided) of each decided case → the median against the standard."""
    days = [business_days(a, b) for a, b in periods]
    within = sum(1 for d in days if standard_days is not None and d <= standard_days)
    return Processing(len(days), median(days), standard_days, within)


@dataclass(frozen=True, slots=True)
class Satisfaction:
    answers: int
    counts: tuple[int, int, int, int, int]  # how many gave 1, 2, 3, 4, 5
    minimum: int  # answers needed before the figures show

    @property
    def shown(self) -> bool:
        return self.answers >= self.minimum and self.answers > 0

    @property
    def mean(self) -> float | None:
        """The mean score, for the public: None below the minimum number of answers."""
        return self.internal_mean if self.shown else None

    @property
    def internal_mean(self) -> float | None:
        """The mean score whatever the number of answers: for staff only."""
        if not self.answers:
            return None
        return sum((i + 1) * n for i, n in enumerate(self.counts)) / self.answers

    @property
    def satisfied_rate(self) -> float | None:
        """Share of answers of 4 or 5."""
        return (self.counts[3] + self.counts[4]) / self.answers if self.shown else None


def satisfaction(scores: Iterable[int], minimum: int) -> Satisfaction:
    counts = [0] * 5
    for s in scores:
        if 1 <= s <= 5:
            counts[s - 1] += 1
    return Satisfaction(sum(counts), tuple(counts), minimum)


def improvement_potential(receipts: int | None, online: int | None) -> int | None:
    """Applications a year that still do not arrive online although the service is online:
    where improving the service helps the most residents."""
    if receipts is None or online is None:
        return None
    return max(0, receipts - online)


# --- comments -------------------------------------------------------------------------

_MAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\d)(?:\+81[- ]?|0)\d{1,4}[- ]?\d{1,4}[- ]?\d{3,4}(?!\d)")
_POSTCODE = re.compile(r"(?:〒\s*)?(?<!\d)\d{3}-?\d{4}(?!\d)")
_DASH = re.compile(r"(?<=\d)[ー−‐―–](?=\d)")  # a dash typed between digits
MASK = "＊＊＊"


def mask_personal(text: str) -> str:
    """The comment with e-mail addresses, phone numbers and postcodes replaced by ＊＊＊
    (full-width digits and symbols are read as their ASCII forms first)."""
    text = unicodedata.normalize("NFKC", text)
    text = _DASH.sub("-", text)
    for pattern in (_MAIL, _PHONE, _POSTCODE):
        text = pattern.sub(MASK, text)
    return text
