"""What a status row, a volume row and a procedure's validity may hold: one rule each.

The staff pages, the JSON API and the CSV import all come through here (the services
`record_status`, `record_volume` and `set_validity` raise with these problems; the CSV
checks report them as `file:line: message`), so a row refused one way is refused the
same way, with the same words, by the others. Plain data in, problems out: no Flask,
no database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from app.formengine.normalise import ERA_LETTERS, ERAS, UNUSABLE, nfkc, parse_date
from app.kpi.status import DIGITIZATION_STATUSES, EXCLUDED

# Receipts a year of one procedure: far above any real figure (Mie's largest is in the
# tens of thousands), and well within a 32-bit integer column on SQLite and PostgreSQL.
MAX_COUNT = 100_000_000
FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR = 1990, 2100
FIRST_DAY = date(1990, 1, 1)
YEARS_AHEAD = 10  # effective dates and validity up to today + 10 years
NOTE_MAX = 2_000
# A year's receipts more than JUMP× (or less than 1/JUMP of) the nearest other recorded
# year need a confirmation with a note. Counts under JUMP_FLOOR are compared as
# JUMP_FLOOR, so that a small procedure going from 0 to 7 receipts is not a jump.
JUMP = 10
JUMP_FLOOR = 10

JUMP_CODE = "jump"


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a value cannot be recorded: the field it concerns and the message (日本語 / English)."""

    field: str
    ja: str
    en: str
    code: str = ""

    def __str__(self) -> str:
        return f"{self.ja} / {self.en}"

    def text(self, lang: str) -> str:
        """The message in one language, for a page."""
        return self.en if lang == "en" else self.ja


def messages_by_field(
    problems: list[Problem], lang: str, rename: Mapping[str, str] | None = None
) -> dict[str, str]:
    """A page's messages: field (renamed where a page names it otherwise) → its problems
    in the page's language, one after the other."""
    out: dict[str, str] = {}
    for problem in problems:
        key = (rename or {}).get(problem.field, problem.field)
        text = problem.text(lang)
        out[key] = f"{out[key]} {text}" if key in out else text
    return out


@dataclass(frozen=True, slots=True)
class Unreadable:
    """Text typed for a number or a date that cannot be read as one."""

    text: str


# --- reading what people type (pages and CSV files; the API sends typed JSON) ----------------

_INTEGER = re.compile(r"-?\d+")


def read_count(text: str | None) -> int | Unreadable | None:
    """`1,234`, full-width digits and `-5` as numbers; empty → None."""
    if text and len(text) <= 30 and text.isascii() and text.isdigit():
        return int(text)  # the usual case, 100,000 times in a large import: no NFKC needed
    t = nfkc(text or "").replace(",", "").strip()
    if not t:
        return None
    return int(t) if _INTEGER.fullmatch(t) and len(t) <= 30 else Unreadable(text or "")


_FISCAL_YEAR = re.compile(
    r"^(?:(令和|平成|昭和|[RHS])\s*(元|\d{1,2})|(?:FY)?\s*(\d{4}))\s*(?:年度|年)?$"
)


def read_fiscal_year(text: str | None) -> int | Unreadable | None:
    """`2025`, `令和7`, `令和7年度`, `R7`, `r7`, `令和元年度`, `FY2025`, full-width too → 2025;
    empty → None. The era's year 1 is the fiscal year that begins in it (令和元年度 = 2019)."""
    t = nfkc(text or "").strip().upper()
    if not t:
        return None
    m = _FISCAL_YEAR.match(t)
    if m is None:
        return Unreadable(text or "")
    if m[3]:
        return int(m[3])
    era = ERA_LETTERS.get(m[1], m[1])
    n = 1 if m[2] == "元" else int(m[2])
    if n < 1:
        return Unreadable(text or "")
    return ERAS[era][1] + n - 1


def read_day(text: str | None) -> date | Unreadable | None:
    """`2026-04-01`, `2026/4/1`, `令和8年4月1日`, `R8.4.1`, full-width too; empty → None."""
    t = (text or "").strip()
    if not t:
        return None
    day = parse_date(t)
    return day if day is not None else Unreadable(t)


def read_note(text: str | None) -> str | None:
    t = (text or "").strip()
    return t or None


# --- the bounds ----------------------------------------------------------------------------


def last_day(today: date) -> date:
    """The latest date a status or a validity may take effect: today + 10 years."""
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_COUNT


def _day(value: object, today: date) -> bool:
    return isinstance(value, date) and FIRST_DAY <= value <= last_day(today)


def _day_problem(field: str, ja_name: str, today: date) -> Problem:
    last = last_day(today).isoformat()
    return Problem(
        field,
        f"{ja_name}は{FIRST_DAY.isoformat()}から{last}までの日付で入力してください（例: 2026-04-01）",
        f"{field} must be a date from {FIRST_DAY.isoformat()} to {last}, such as 2026-04-01",
    )


def check_note(note: str | None, field: str = "note") -> list[Problem]:
    """At most NOTE_MAX characters, and none that cannot be stored or shown (NUL, …)."""
    if not note:
        return []
    out = []
    if len(note) > NOTE_MAX:
        out.append(
            Problem(
                field,
                f"メモは{NOTE_MAX:,}文字までです（{len(note):,}文字あります）",
                f"{field} must be at most {NOTE_MAX:,} characters (it has {len(note):,})",
            )
        )
    found = UNUSABLE.search(note)
    if found:
        code = f"U+{ord(found.group()):04X}"
        out.append(
            Problem(
                field,
                f"使えない文字（{code}）が含まれています。",
                f"Contains a character that cannot be used ({code}).",
            )
        )
    return out


# --- a status row ----------------------------------------------------------------------------


def check_status(
    status: str | None,
    effective: date | Unreadable | None,
    note: str | None = None,
    *,
    exclusion_reason: str | None = None,
    today: date,
) -> list[Problem]:
    """A status from the vocabulary, an effective date in the window, a usable note;
    `excluded` needs a reason (the note, or the procedure's exclusion_reason)."""
    out: list[Problem] = []
    if status not in DIGITIZATION_STATUSES:
        out.append(
            Problem(
                "status",
                f"状態は {'、'.join(DIGITIZATION_STATUSES)} のいずれかです",
                f"status must be one of {', '.join(DIGITIZATION_STATUSES)}",
            )
        )
    if not _day(effective, today):
        out.append(_day_problem("effective_date", "適用日", today))
    out.extend(check_note(note))
    if status == EXCLUDED and not (note or exclusion_reason):
        out.append(
            Problem(
                "note",
                "対象外（excluded）には理由が必要です（メモ、または手続の対象外理由）",
                "excluded needs a reason: a note, or the procedure's exclusion_reason",
            )
        )
    return out


# --- a volume row ----------------------------------------------------------------------------


def nearest_year(fiscal_year: int, other_years: Mapping[int, int]) -> int | None:
    """The recorded year closest to fiscal_year other than itself (the earlier on a tie)."""
    best, distance = None, 0
    for y in other_years:
        d = abs(y - fiscal_year)
        if y != fiscal_year and (best is None or d < distance or (d == distance and y < best)):
            best, distance = y, d
    return best


def is_jump(receipts: int, other: int) -> bool:
    a, b = max(receipts, JUMP_FLOOR), max(other, JUMP_FLOOR)
    return a > JUMP * b or b > JUMP * a


def check_volume(
    fiscal_year: int | Unreadable | None,
    receipts: int | Unreadable | None,
    online_receipts: int | Unreadable | None = None,
    note: str | None = None,
    *,
    confirmed: bool = False,
    other_years: Mapping[int, int] | None = None,
) -> list[Problem]:
    """Bounds of the year and the counts, online ≤ receipts, a usable note, and no jump
    against the nearest other recorded year (`other_years`: FY → current receipts) unless
    confirmed with a note."""
    out: list[Problem] = []
    year_ok = (
        isinstance(fiscal_year, int)
        and not isinstance(fiscal_year, bool)
        and FIRST_FISCAL_YEAR <= fiscal_year <= LAST_FISCAL_YEAR
    )
    if not year_ok:
        out.append(
            Problem(
                "fiscal_year",
                f"年度は{FIRST_FISCAL_YEAR}から{LAST_FISCAL_YEAR}までの西暦で入力してください（例: 2025）",
                f"fiscal_year must be a year from {FIRST_FISCAL_YEAR} to {LAST_FISCAL_YEAR}, such as 2025",
            )
        )
    if not _count(receipts):
        out.append(
            Problem(
                "receipts",
                f"受付件数は0から{MAX_COUNT:,}までの整数で入力してください",
                f"receipts must be a whole number from 0 to {MAX_COUNT:,}",
            )
        )
    if online_receipts is not None and not _count(online_receipts):
        out.append(
            Problem(
                "online_receipts",
                f"オンライン件数は0から{MAX_COUNT:,}までの整数か、空欄です",
                f"online_receipts must be a whole number from 0 to {MAX_COUNT:,}, or empty",
            )
        )
    elif online_receipts is not None and _count(receipts) and online_receipts > receipts:  # type: ignore[operator]
        out.append(
            Problem(
                "online_receipts",
                f"オンライン件数（{online_receipts:,}）が受付件数（{receipts:,}）を上回っています",
                f"online_receipts ({online_receipts:,}) exceed receipts ({receipts:,})",
            )
        )
    out.extend(check_note(note))
    if year_ok and _count(receipts) and other_years:
        assert isinstance(fiscal_year, int) and isinstance(receipts, int)
        out.extend(_jump(fiscal_year, receipts, note, confirmed, other_years))
    return out


def _jump(
    fiscal_year: int,
    receipts: int,
    note: str | None,
    confirmed: bool,
    other_years: Mapping[int, int],
) -> list[Problem]:
    other = nearest_year(fiscal_year, other_years)
    if other is None or not is_jump(receipts, other_years[other]):
        return []
    if confirmed and note:
        return []
    if confirmed:
        return [
            Problem(
                "note",
                "件数を確認したときは、その理由をメモに書いてください",
                "a confirmed jump needs a note saying why",
            )
        ]
    before = other_years[other]
    more = receipts > before
    return [
        Problem(
            "receipts",
            f"{fiscal_year}年度の受付件数 {receipts:,} は {other}年度（{before:,}）の"
            + (f"{JUMP}倍を超えています" if more else f"{JUMP}分の1未満です")
            + "。正しい値なら、確認のうえ理由をメモに書いてください",
            f"receipts {receipts:,} for FY{fiscal_year} are "
            + (f"more than {JUMP} times" if more else f"less than 1/{JUMP} of")
            + f" those of FY{other} ({before:,}): if they are right, confirm them with a note",
            JUMP_CODE,
        )
    ]


# --- a procedure's validity --------------------------------------------------------------------


def check_validity(
    valid_from: date | Unreadable | None,
    valid_until: date | Unreadable | None,
    *,
    today: date,
) -> list[Problem]:
    """Both dates optional (empty: no bound), each in the window, from ≤ until."""
    out: list[Problem] = []
    if valid_from is not None and not _day(valid_from, today):
        out.append(_day_problem("valid_from", "開始日", today))
    if valid_until is not None and not _day(valid_until, today):
        out.append(_day_problem("valid_until", "終了日", today))
    if isinstance(valid_from, date) and isinstance(valid_until, date) and valid_until < valid_from:
        out.append(
            Problem(
                "valid_until",
                f"終了日（{valid_until.isoformat()}）が開始日（{valid_from.isoformat()}）より前です",
                f"valid_until ({valid_until.isoformat()}) is before valid_from ({valid_from.isoformat()})",
            )
        )
    return out


# --- a procedure's guide (what a resident reads on /procedures/<code>) ------------------------

# column → (most characters, 日本語 name): the texts of the guide
GUIDE_TEXTS = MappingProxyType(
    {
        "name_kana": (300, "よみがな"),
        "summary": (2_000, "概要"),
        "fee_payment": (200, "手数料の納め方"),
        "documents": (2_000, "必要な書類"),
        "section": (200, "担当課"),
    }
)
GUIDE_URLS = ("online_url", "paper_form_url", "egov_url")
URL_MAX = 500
EGOV_PREFIX = "https://laws.e-gov.go.jp/"
FEE_MAX = 200
FEE_NONE = "none"
_FEE_NONE_WORDS = {"none", "free", "0", "0円", "なし", "無料", "不要"}
MAX_PROCESSING_DAYS = 365
# who a procedure is for: code → (日本語, English); also accepted as typed in Japanese
AUDIENCES = MappingProxyType(
    {
        "individual": ("個人", "Individuals"),
        "business": ("事業者・団体", "Businesses and organisations"),
    }
)
_AUDIENCE_WORDS = {
    "個人": "individual",
    "住民": "individual",
    "事業者": "business",
    "法人": "business",
    "団体": "business",
    "事業者・団体": "business",
}
GUIDE_COLUMNS = (
    *GUIDE_TEXTS,
    "audience",
    "fee",
    "standard_processing_days",
    "section_phone",
    "section_email",
    *GUIDE_URLS,
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^https?://[^\s/]+\.[^\s]+$")


def _items(text: str) -> list[str]:
    """A list written in one cell: `;`, `；` or line breaks between the items."""
    return [i.strip() for i in re.split(r"[;；\n]", text) if i.strip()]


def read_guide(raw: Mapping[str, str | None]) -> tuple[dict[str, object], list[Problem]]:
    """The guide columns as typed (CSV cells, a staff page's fields) → the values to store
    (only the columns given), and the problems. Empty means "not known"."""
    values: dict[str, object] = {}
    out: list[Problem] = []
    for key, (limit, name) in GUIDE_TEXTS.items():
        if key not in raw:
            continue
        text = (raw[key] or "").strip()
        if key == "documents" and text:
            text = ";".join(_items(text))
        if len(text) > limit:
            out.append(
                Problem(
                    key,
                    f"{name}は{limit:,}文字までです",
                    f"{key} must be at most {limit:,} characters",
                )
            )
        values[key] = text or None
    if "audience" in raw:
        codes, unknown = [], []
        for item in _items(nfkc(raw["audience"] or "").replace(",", ";").replace("、", ";")):
            code = item if item in AUDIENCES else _AUDIENCE_WORDS.get(item)
            (codes if code else unknown).append(code or item)
        if unknown:
            out.append(
                Problem(
                    "audience",
                    f"対象者は individual（個人）、business（事業者・団体）のいずれかです: {'、'.join(unknown)}",
                    f"audience must be individual or business, not {', '.join(unknown)}",
                )
            )
        values["audience"] = ";".join(c for c in AUDIENCES if c in codes) or None
    if "fee" in raw:
        fee = nfkc(raw["fee"] or "").strip()
        amount = fee.replace(",", "").removeprefix("¥").removesuffix("円")
        if fee.lower() in _FEE_NONE_WORDS:
            fee = FEE_NONE
        elif amount.isdigit():
            fee = str(int(amount))
        if len(fee) > FEE_MAX:
            out.append(
                Problem(
                    "fee",
                    f"手数料は{FEE_MAX}文字までです",
                    f"fee must be at most {FEE_MAX} characters",
                )
            )
        values["fee"] = fee or None
    if "standard_processing_days" in raw:
        days = read_count(raw["standard_processing_days"])
        if days is not None and not (isinstance(days, int) and 0 <= days <= MAX_PROCESSING_DAYS):
            out.append(
                Problem(
                    "standard_processing_days",
                    f"標準処理期間は0から{MAX_PROCESSING_DAYS}までの日数で入力してください",
                    f"standard_processing_days must be a number of days from 0 to {MAX_PROCESSING_DAYS}",
                )
            )
        values["standard_processing_days"] = days if isinstance(days, int) else None
    if "section_phone" in raw:
        phone = re.sub(r"[\s\-‐‑‒–—―−ー()（）]", "", nfkc(raw["section_phone"] or ""))
        if phone and not re.fullmatch(r"0\d{9,10}", phone):
            out.append(
                Problem(
                    "section_phone",
                    "担当課の電話番号は10桁または11桁で入力してください（例: 059-224-2000）",
                    "section_phone must be a Japanese number of 10 or 11 digits, like 059-224-2000",
                )
            )
        values["section_phone"] = phone or None
    if "section_email" in raw:
        mail = nfkc(raw["section_email"] or "").strip()
        if mail and (len(mail) > 254 or not _EMAIL.match(mail)):
            out.append(
                Problem(
                    "section_email",
                    "担当課のメールアドレスの形式が正しくありません（例: koho@pref.mie.lg.jp）",
                    "section_email is not an e-mail address, like koho@pref.mie.lg.jp",
                )
            )
        values["section_email"] = mail or None
    for key in GUIDE_URLS:
        if key not in raw:
            continue
        url = (raw[key] or "").strip()
        if url and (len(url) > URL_MAX or not _URL.match(url)):
            out.append(
                Problem(
                    key,
                    f"{key} は http:// または https:// で始まる{URL_MAX}文字までのアドレスです",
                    f"{key} must be an address starting with http:// or https://, at most {URL_MAX} characters",
                )
            )
        elif url and key == "egov_url" and not url.startswith(EGOV_PREFIX):
            out.append(
                Problem(
                    key,
                    f"egov_url は e-Gov 法令検索のアドレス（{EGOV_PREFIX}…）です",
                    f"egov_url must be an address of e-Gov law search ({EGOV_PREFIX}…)",
                )
            )
        values[key] = url or None
    for key, value in values.items():
        found = UNUSABLE.search(value) if isinstance(value, str) else None
        if found:
            code = f"U+{ord(found.group()):04X}"
            out.append(
                Problem(
                    key,
                    f"{key} に使えない文字（{code}）があります",
                    f"{key} holds a character that cannot be used ({code})",
                )
            )
    return values, out
