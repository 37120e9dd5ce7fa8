"""Today in Japan: fiscal years turn over on 1 April, Japanese time."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")
# The years a date given by a person may have (a search bound, an effective date): far
# around any record kept here, and every day of them can be a bound (a day after
# 9999-12-31 cannot: there is none)
YEARS = (1900, 2999)


def usable_day(day: date) -> bool:
    return YEARS[0] <= day.year <= YEARS[1]


def today() -> date:
    return datetime.now(JST).date()
