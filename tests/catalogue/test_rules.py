"""app/catalogue/rules.py as plain functions: the edges of each bound and of the jump."""

from __future__ import annotations

from datetime import date

import pytest

from app.catalogue import rules
from app.catalogue.rules import Unreadable, check_status, check_validity, check_volume

TODAY = date(2026, 12, 3)


def fields(problems) -> list[str]:
    return [p.field for p in problems]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,234", 1234),
        ("１２３４", 1234),
        (" 7 ", 7),
        ("-5", -5),
        ("", None),
        (None, None),
        ("R5", Unreadable("R5")),
        ("1.5", Unreadable("1.5")),
        ("9" * 5000, Unreadable("9" * 5000)),  # not turned into a 5,000-digit number
    ],
)
def test_read_count(text, value):
    assert rules.read_count(text) == value


def test_read_day_takes_what_staff_type():
    assert rules.read_day("２０２３-０７-０１") == date(2023, 7, 1)
    assert rules.read_day("令和5年7月1日") == date(2023, 7, 1)
    assert rules.read_day("2023/7/1") == date(2023, 7, 1)
    assert rules.read_day("2023-02-30") == Unreadable("2023-02-30")
    assert rules.read_day("  ") is None


@pytest.mark.parametrize(
    ("receipts", "ok"),
    [(0, True), (rules.MAX_COUNT, True), (rules.MAX_COUNT + 1, False), (-1, False), (True, False)],
)
def test_count_bounds(receipts, ok):
    assert (fields(check_volume(2024, receipts)) == []) is ok


@pytest.mark.parametrize(("fy", "ok"), [(1989, False), (1990, True), (2100, True), (2101, False)])
def test_fiscal_year_window(fy, ok):
    assert (check_volume(fy, 10) == []) is ok


def test_online_at_most_receipts():
    assert check_volume(2024, 10, 10) == []
    assert fields(check_volume(2024, 10, 11)) == ["online_receipts"]
    # an unreadable receipts count is one problem, not two
    assert fields(check_volume(2024, Unreadable("x"), 11)) == ["receipts"]


@pytest.mark.parametrize(
    ("receipts", "other", "jump"),
    [
        (400_000, 40_000, False),  # exactly 10×
        (400_001, 40_000, True),
        (4_000, 40_000, False),  # exactly a tenth
        (3_999, 40_000, True),
        (0, 40_000, True),
        (7, 0, False),  # small counts are compared as 10
        (100, 0, False),
        (101, 0, True),
        (0, 101, True),
    ],
)
def test_jump_against_the_other_year(receipts, other, jump):
    problems = check_volume(2024, receipts, other_years={2023: other})
    assert (fields(problems) == ["receipts"]) is jump
    assert all(p.code == rules.JUMP_CODE for p in problems)


def test_the_nearest_other_year_decides_and_the_earlier_wins_a_tie():
    years = {2019: 100, 2023: 40_000, 2025: 100}
    assert rules.nearest_year(2024, years) == 2023
    assert rules.nearest_year(2021, years) == 2019  # 2019 and 2023 are both 2 years away
    assert check_volume(2024, 40_000, other_years=years) == []
    assert (
        check_volume(2024, 40_000, other_years={2024: 10}) == []
    )  # the year itself is not "other"
    assert fields(check_volume(2021, 40_000, other_years=years)) == ["receipts"]


def test_a_jump_is_confirmed_only_with_a_note():
    years = {2023: 40_000}
    assert fields(check_volume(2024, 400_001, other_years=years, note="急増")) == ["receipts"]
    assert fields(check_volume(2024, 400_001, other_years=years, confirmed=True)) == ["note"]
    assert check_volume(2024, 400_001, other_years=years, confirmed=True, note="急増") == []
    assert (
        check_volume(2024, 40_000, other_years=years, confirmed=True) == []
    )  # no jump: nothing to confirm


def test_notes():
    assert check_volume(2024, 10, note="x" * rules.NOTE_MAX) == []
    assert fields(check_volume(2024, 10, note="x" * (rules.NOTE_MAX + 1))) == ["note"]
    assert fields(check_status("online", date(2024, 4, 1), "a\x00b", today=TODAY)) == ["note"]
    assert fields(check_status("online", date(2024, 4, 1), "\ud800", today=TODAY)) == ["note"]
    assert check_status("online", date(2024, 4, 1), "改行\u000bも可", today=TODAY) == []


def test_status_dates_and_reasons():
    assert rules.last_day(TODAY) == date(2036, 12, 3)
    assert rules.last_day(date(2028, 2, 29)) == date(2038, 2, 28)
    assert check_status("online", date(1990, 1, 1), today=TODAY) == []
    assert check_status("online", date(2036, 12, 3), today=TODAY) == []
    assert fields(check_status("online", date(2036, 12, 4), today=TODAY)) == ["effective_date"]
    assert fields(check_status("online", date(1989, 12, 31), today=TODAY)) == ["effective_date"]
    assert fields(check_status("online", Unreadable("x"), today=TODAY)) == ["effective_date"]
    assert fields(check_status("excluded", date(2024, 4, 1), today=TODAY)) == ["note"]
    assert check_status("excluded", date(2024, 4, 1), "法令", today=TODAY) == []
    assert check_status("excluded", date(2024, 4, 1), exclusion_reason="法令", today=TODAY) == []


def test_validity():
    assert check_validity(None, None, today=TODAY) == []
    assert check_validity(date(2023, 10, 1), date(2023, 10, 1), today=TODAY) == []
    assert fields(check_validity(date(2023, 10, 2), date(2023, 10, 1), today=TODAY)) == [
        "valid_until"
    ]
    assert fields(check_validity(Unreadable("x"), date(1, 1, 1), today=TODAY)) == [
        "valid_from",
        "valid_until",
    ]


def test_every_message_is_japanese_then_english():
    problems = [
        *check_volume(Unreadable("x"), -1, -1, "\x00" + "x" * 3000, confirmed=True),
        *check_volume(2024, 400_001, other_years={2023: 1}),
        *check_status("bad", None, today=TODAY),
        *check_validity(date(2024, 1, 2), date(2024, 1, 1), today=TODAY),
    ]
    assert len(problems) == 9
    for p in problems:
        assert str(p) == f"{p.ja} / {p.en}" and p.text("en") == p.en and p.text("ja") == p.ja
        assert p.ja.isascii() is False and " / " not in p.ja and p.en.isascii()


@pytest.mark.parametrize(
    ("typed", "year"),
    [("2025", 2025), ("令和7", 2025), ("令和７年度", 2025), ("R7", 2025), ("ｒ７", 2025),
     ("令和元年度", 2019), ("平成30年度", 2018), ("FY2025", 2025), ("", None)],
)
def test_a_fiscal_year_is_read_as_people_write_it(typed, year):
    assert rules.read_fiscal_year(typed) == year


@pytest.mark.parametrize("typed", ["R0", "来年", "20255", "令和"])
def test_a_fiscal_year_that_is_not_one_is_unreadable(typed):
    assert isinstance(rules.read_fiscal_year(typed), rules.Unreadable)
