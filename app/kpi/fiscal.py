"""Japanese fiscal years (年度): N runs from N-04-01 to (N+1)-03-31."""

from __future__ import annotations

from datetime import date

REIWA_START = 2019  # 令和元年度 = FY2019


def fiscal_year_of(day: date) -> int:
    """The fiscal year a date falls in."""
    return day.year if day.month >= 4 else day.year - 1


def fy_start(fiscal_year: int) -> date:
    return date(fiscal_year, 4, 1)


def fy_end(fiscal_year: int) -> date:
    return date(fiscal_year + 1, 3, 31)


def as_of(fiscal_year: int, today: date) -> date:
    """The date figures "as of FY N" refer to: its last day, or today if it has not ended."""
    return min(fy_end(fiscal_year), today)


def valid_in(fiscal_year: int, valid_from: date | None, valid_until: date | None) -> bool:
    """Whether a procedure valid from `valid_from` until `valid_until` (both inclusive, None:
    no bound) exists on some day of the fiscal year, and so counts in its figures."""
    return (valid_from is None or valid_from <= fy_end(fiscal_year)) and (
        valid_until is None or valid_until >= fy_start(fiscal_year)
    )


def reiwa(fiscal_year: int) -> int | None:
    return fiscal_year - 2018 if fiscal_year >= REIWA_START else None


def label_ja(fiscal_year: int) -> str:
    """`2024年度（令和6年度）`; 令和元年度 for 2019; no era before Reiwa."""
    r = reiwa(fiscal_year)
    if r is None:
        return f"{fiscal_year}年度"
    return f"{fiscal_year}年度（令和{'元' if r == 1 else r}年度）"


def label_en(fiscal_year: int) -> str:
    r = reiwa(fiscal_year)
    return f"FY{fiscal_year}" if r is None else f"FY{fiscal_year} (Reiwa {r})"


def label(fiscal_year: int, lang: str = "ja") -> str:
    return label_en(fiscal_year) if lang == "en" else label_ja(fiscal_year)
