"""Today in Japan: fiscal years turn over on 1 April, Japanese time."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")


def today() -> date:
    return datetime.now(JST).date()
