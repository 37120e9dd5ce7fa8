"""Normalisation of Japanese input: NFKC, kana, the JIS charset check, era dates, phones."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

import jaconv
import phonenumbers

# 元号 → (first day, the Gregorian year of its year 1)
ERAS = {
    "令和": (date(2019, 5, 1), 2019),
    "平成": (date(1989, 1, 8), 1989),
    "昭和": (date(1926, 12, 25), 1926),
    "大正": (date(1912, 7, 30), 1912),
    "明治": (date(1868, 1, 25), 1868),
}
ERA_LETTERS = {"R": "令和", "H": "平成", "S": "昭和", "T": "大正", "M": "明治"}
_ERA_ORDER = sorted(ERAS.items(), key=lambda e: e[1][0], reverse=True)

# Characters no answer or form text may hold: NUL (PostgreSQL text cannot hold it, and
# programs reading an export stop at it) and lone surrogates (only an escape such as
# "\ud800" in JSON or YAML can carry one; it cannot be written as UTF-8, so a page or a
# PDF showing it would fail). Other control characters are harmless and may come from
# a paste (Word's line break is U+000B): they are kept.
UNUSABLE = re.compile("[\x00\ud800-\udfff]")


def nfkc(text: str) -> str:
    """Full-width digits and letters to half-width, half-width kana to full-width."""
    return unicodedata.normalize("NFKC", text)


def strip(value):
    return value.strip() if isinstance(value, str) else value


def to_katakana(text: str) -> str:
    """Hiragana and half-width katakana → full-width katakana (spaces kept)."""
    return jaconv.hira2kata(jaconv.h2z(text, kana=True, digit=False, ascii=False))


def to_hiragana(text: str) -> str:
    return jaconv.kata2hira(jaconv.h2z(text, kana=True, digit=False, ascii=False))


_KATAKANA = re.compile(r"^[\u30A0-\u30FF\u3000 ・ー]+$")
_HIRAGANA = re.compile(r"^[\u3041-\u309F\u3000 ・ー]+$")


def is_katakana(text: str) -> bool:
    return bool(_KATAKANA.match(text))


def is_hiragana(text: str) -> bool:
    return bool(_HIRAGANA.match(text))


def first_non_jis(text: str) -> str | None:
    """The first character that CP932 cannot encode (back-office systems store CP932)."""
    for ch in text:
        try:
            ch.encode("cp932")
        except UnicodeEncodeError:
            return ch
    return None


def digits(text: str) -> str:
    return re.sub(r"\D", "", nfkc(text))


def normalise_tel(text: str) -> str:
    """Full-width digits, hyphens of any kind and spaces accepted; keeps digits only."""
    t = nfkc(text).strip()
    t = re.sub(r"[\s\-‐‑‒–—―−ー()（）]", "", t)
    return t


def group_tel(digits_only: str) -> str:
    """`0592242000` → `059-224-2000`: a Japanese number as it is written (the area code's
    length from the numbering plan, which `phonenumbers` keeps up to date). Anything that is
    not a Japanese number is given back as it is."""
    try:
        number = phonenumbers.parse(digits_only, "JP")
    except phonenumbers.NumberParseException:
        return digits_only
    if not phonenumbers.is_possible_number(number):
        return digits_only
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def normalise_postal(text: str) -> str:
    """`5140006`, `514-0006`, `〒５１４－０００６` → `514-0006` (when 7 digits)."""
    d = digits(text.replace("〒", ""))
    return f"{d[:3]}-{d[3:]}" if len(d) == 7 else nfkc(text).strip()


_ISO = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_ERA = re.compile(
    r"^(令和|平成|昭和|大正|明治|[RHSTM])\s*(元|\d{1,2})\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})\s*日?$"
)


def parse_date(text: str) -> date | None:
    """`2024-04-01`, `2024/4/1`, `2024年4月1日`, `令和6年4月1日`, `R6.4.1`, full-width too."""
    t = nfkc(text).strip().replace(" ", "")
    m = _ISO.match(t)
    try:
        if m:
            return date(int(m[1]), int(m[2]), int(m[3]))
        m = _ERA.match(t.upper() if t[:1].isascii() else t)
        if m:
            era = ERA_LETTERS.get(m[1], m[1])
            year = 1 if m[2] == "元" else int(m[2])
            start, base = ERAS[era]
            day = date(base + year - 1, int(m[3]), int(m[4]))
            if day < start:
                return None  # 平成31年5月1日 does not exist: it was 令和元年
            later = [s for _, (s, _) in _ERA_ORDER if s > start]
            if later and day >= min(later):
                return None
            return day
    except ValueError:
        return None
    return None


def era_of(day: date) -> tuple[str, int] | None:
    for name, (start, base) in _ERA_ORDER:
        if day >= start:
            return name, day.year - base + 1
    return None


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
)  # not strftime: it follows the server's locale


def format_date(day: date, lang: str = "ja") -> str:
    """`2024年4月1日（令和6年）` in Japanese, `1 April 2024` in English."""
    if lang == "en":
        return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    era = era_of(day)
    suffix = ""
    if era:
        suffix = f"（{era[0]}{'元' if era[1] == 1 else era[1]}年）"
    return f"{day.year}年{day.month}月{day.day}日{suffix}"


_RELATIVE = re.compile(r"^today(?:([+-])(\d+)([dmy]))?$")


def resolve_date_bound(spec, today: date) -> date | None:
    """`2024-04-01`, `today`, `today+30d`, `today-18y` (months and years by the calendar)."""
    if isinstance(spec, date):
        return spec
    if not isinstance(spec, str):
        return None
    m = _RELATIVE.match(spec.strip())
    if not m:
        return parse_date(spec)
    if not m[1]:
        return today
    n = int(m[2]) * (1 if m[1] == "+" else -1)
    if m[3] == "d":
        return today + timedelta(days=n)
    months = n * (12 if m[3] == "y" else 1)
    y, mo = divmod(today.month - 1 + months, 12)
    year, month = today.year + y, mo + 1
    for d in (today.day, 30, 29, 28):
        try:
            return date(year, month, min(today.day, d))
        except ValueError:
            continue
    return None


PREFECTURES = (
    "北海道",
    "青森県",
    "岩手県",
    "宮城県",
    "秋田県",
    "山形県",
    "福島県",
    "茨城県",
    "栃木県",
    "群馬県",
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "新潟県",
    "富山県",
    "石川県",
    "福井県",
    "山梨県",
    "長野県",
    "岐阜県",
    "静岡県",
    "愛知県",
    "三重県",
    "滋賀県",
    "京都府",
    "大阪府",
    "兵庫県",
    "奈良県",
    "和歌山県",
    "鳥取県",
    "島根県",
    "岡山県",
    "広島県",
    "山口県",
    "徳島県",
    "香川県",
    "愛媛県",
    "高知県",
    "福岡県",
    "佐賀県",
    "長崎県",
    "熊本県",
    "大分県",
    "宮崎県",
    "鹿児島県",
    "沖縄県",
)
