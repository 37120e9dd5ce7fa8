"""Time, in one place: stored in UTC, read by people in Japan time (日本時間).

- `utcnow()` is what is stored; `as_utc()` reads a stored time back (SQLite gives it
  without a zone: a naive time is UTC).
- `japan_time()` is the same instant in Japan time; `today()` is Japan's date (fiscal
  years turn over on 1 April, Japanese time).
- `format_time()` writes a time for a person: `2026年12月3日 15:39` on Japanese pages,
  `3 December 2026, 15:39 (JST)` on English ones. The zone is shown where a reader could
  take the time for another zone's: always in English (the reader may be abroad), and
  on Japanese pages only where asked (`zone=True`: the operators' pages that are compared
  with server logs).
- `iso_time()` writes a time for a machine: ISO 8601 / RFC 3339 with Japan's offset,
  `2026-12-03T15:39:59.929147+09:00` (the API, open data, webhooks, `<time datetime>`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")
# The years a date given by a person may have (a search bound, an effective date): far
# around any record kept here, and every day of them can be a bound (a day after
# 9999-12-31 cannot: there is none)
YEARS = (1900, 2999)


def usable_day(day: date) -> bool:
    return YEARS[0] <= day.year <= YEARS[1]


MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)  # not strftime's %B: it follows the server's locale


def utcnow() -> datetime:
    """Now, in UTC, with its zone: what every time column stores."""
    return datetime.now(UTC)


def today() -> date:
    return datetime.now(JST).date()


def japan_days(first: date, last: date) -> tuple[datetime, datetime]:
    """Days in Japan, `first` to `last` inclusive, as a UTC range [start, end) to compare
    with stored times (SQLite keeps the wall-clock time it is given, so never a JST one)."""
    start = datetime.combine(first, time.min, JST).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time.min, JST).astimezone(UTC)
    return start, end


def as_utc(at: datetime) -> datetime:
    """A stored time with its zone: naive (SQLite) means UTC."""
    if at.tzinfo is None:
        return at.replace(tzinfo=UTC)
    return at.astimezone(UTC)


def japan_time(at: datetime) -> datetime:
    """The same instant in Japan time (+09:00; Japan has no daylight saving)."""
    return as_utc(at).astimezone(JST)


def format_time(
    at: datetime, lang: str = "ja", *, zone: bool | None = None, seconds: bool = False
) -> str:
    """A time as a person reads it, in Japan time: `2026年12月3日 15:39` in Japanese,
    `3 December 2026, 15:39 (JST)` in English. `zone` shows the zone in Japanese too
    (English always shows it); `seconds` adds the seconds."""
    t = japan_time(at)
    clock = f"{t:%H:%M:%S}" if seconds else f"{t:%H:%M}"
    if lang == "en":
        return f"{t.day} {MONTHS[t.month - 1]} {t.year}, {clock} (JST)"
    text = f"{t.year}年{t.month}月{t.day}日 {clock}"
    return f"{text}（JST）" if zone else text


def iso_time(at: datetime, timespec: str = "auto") -> str:
    """A time for machines: ISO 8601 with its offset, in Japan time (+09:00)."""
    return japan_time(at).isoformat(timespec=timespec)
