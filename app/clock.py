"""Today in Japan (fiscal years turn over on 1 April, Japanese time), and times shown in it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")


def today() -> date:
    return datetime.now(JST).date()


def japan_time(at: datetime | None) -> datetime | None:
    """A stored time (UTC; SQLite gives it back without its zone) in Japan time."""
    if at is None:
        return None
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(JST)
