"""Service quality figures computed by hand (docs/kpi.md, "Service quality")."""

from __future__ import annotations

from datetime import date

from app.kpi.quality import (
    business_days,
    completion_rate,
    corrections_per_100,
    improvement_potential,
    is_business_day,
    mask_personal,
    median,
    processing,
    satisfaction,
    where_residents_leave,
)


def test_business_days_skip_weekends_holidays_and_the_year_end():
    # Golden Week 2026: 29 Apr (昭和の日), 3–5 May, 6 May (振替休日) are not business days:
    # 30 Apr, 1 May, 7 May, 8 May are → 4
    assert not is_business_day(date(2026, 4, 29)) and not is_business_day(date(2026, 5, 6))
    assert business_days(date(2026, 4, 28), date(2026, 5, 8)) == 4
    # the year end: 28 Dec, 4 Jan, 5 Jan (29 Dec – 3 Jan closed, 26–27 Dec a weekend) → 3
    assert business_days(date(2026, 12, 25), date(2027, 1, 5)) == 3
    assert business_days(date(2026, 12, 1), date(2026, 12, 1)) == 0  # decided the same day


def test_processing_against_the_standard():
    p = processing(
        [
            (date(2026, 4, 28), date(2026, 5, 8)),  # 4
            (date(2026, 12, 25), date(2027, 1, 5)),  # 3
            (date(2026, 12, 1), date(2026, 12, 1)),  # 0
        ],
        3,
    )
    assert (p.cases, p.median_days, p.within) == (3, 3, 2)
    assert p.within_rate == 2 / 3
    assert processing([], 10).median_days is None
    assert processing([(date(2026, 12, 1), date(2026, 12, 2))], None).within_rate is None


def test_where_residents_leave():
    steps = ["start", "page:a", "page:b", "page:c", "check", "submitted"]
    counts = {"start": 100, "page:a": 90, "page:b": 20, "page:c": 70, "check": 60, "submitted": 50}
    leaves = where_residents_leave(steps, counts)
    # start 100 − 90 = 10; a 90 − 70 = 20; b (shown to some) 0; c 70 − 60 = 10; check 10
    assert [(x.step, x.left) for x in leaves] == [
        ("page:a", 20),
        ("start", 10),
        ("page:c", 10),
        ("check", 10),
        ("page:b", 0),
    ]
    assert completion_rate(100, 50) == 0.5 and completion_rate(0, 0) is None


def test_corrections_median_satisfaction_potential():
    assert corrections_per_100(3, 40) == 7.5
    assert corrections_per_100(0, 0) is None
    assert median([12, 3, 7, 30]) == 9.5
    s = satisfaction([5, 4, 4, 2, 1], minimum=5)
    assert s.counts == (1, 1, 0, 2, 1)
    assert (s.shown, s.mean, s.satisfied_rate) == (True, 3.2, 0.6)
    hidden = satisfaction([5, 4, 4, 2, 1], minimum=6)
    assert (hidden.shown, hidden.mean, hidden.answers) == (False, None, 5)
    assert improvement_potential(1_167, 658) == 509
    assert improvement_potential(None, 3) is None


def test_personal_data_in_comments_is_masked():
    assert (
        mask_personal("電話 090-1234-5678、taro@example.jp、〒514-0001")
        == "電話 ＊＊＊、＊＊＊、＊＊＊"
    )
    assert mask_personal("０５９－２２４－２０００") == "＊＊＊"  # full-width digits
    # ordinary text, dates and amounts stay; a long vowel mark stays
    assert mask_personal("サービスは2026年12月3日で1,200円") == "サービスは2026年12月3日で1,200円"
