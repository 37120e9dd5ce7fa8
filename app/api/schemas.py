"""Marshmallow schemas of the JSON API: what requests carry and what answers look like.

Input schemas validate requests (with messages in Japanese and English); output
schemas shape the answers; both are turned into the OpenAPI document (openapi.py),
so the document and the code cannot drift apart.
"""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from app.catalogue import rules
from app.clock import YEARS, iso_time
from app.kpi.status import DIGITIZATION_STATUSES

# --- messages: 日本語 / English ------------------------------------------------------------

BASE_MESSAGES = {
    "required": "必須の項目です / this field is required",
    "null": "null にはできません / this field cannot be null",
    "validator_failed": "値が正しくありません / invalid value",
}


def _messages(invalid: str) -> dict[str, str]:
    return {**BASE_MESSAGES, "invalid": invalid, "format": invalid, "too_large": invalid}


INT = _messages("整数で指定してください / must be an integer")
STR = _messages("文字列で指定してください / must be a string")
DATE = _messages("日付は YYYY-MM-DD で指定してください / must be a date as YYYY-MM-DD")
BOOL = _messages("true または false で指定してください / must be true or false")


def _range(lo: int, hi: int | None = None) -> validate.Range:
    if hi is None:
        return validate.Range(min=lo, error=f"{lo} 以上で指定してください / must be at least {lo}")
    return validate.Range(
        min=lo, max=hi, error=f"{lo} から {hi} までで指定してください / must be from {lo} to {hi}"
    )


def _length(hi: int) -> validate.Length:
    return validate.Length(
        max=hi, error=f"{hi} 文字までで指定してください / must be at most {hi} characters"
    )


STATUS_CHOICE = validate.OneOf(
    list(DIGITIZATION_STATUSES),
    error="状態は "
    + "、".join(DIGITIZATION_STATUSES)
    + " のいずれかです / status must be one of "
    + ", ".join(DIGITIZATION_STATUSES),
)


class Time(fields.AwareDateTime):
    """A time in an answer: ISO 8601 with its offset, in Japan time (app.clock.iso_time);
    `format: date-time` in the document."""

    def __init__(self, **kwargs) -> None:
        metadata = {
            "description": "日本時間、時差付きの ISO 8601 / ISO 8601 in Japan time, with its offset",
            "example": "2026-12-03T16:17:59.929147+09:00",
            **kwargs.pop("metadata", {}),
        }
        super().__init__(metadata=metadata, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs) -> str | None:
        return None if value is None else iso_time(value)


class InputSchema(Schema):
    """Request bodies: unknown keys are errors, so a typo never passes silently."""

    error_messages = {
        "unknown": "この項目はありません / unknown field",
        "type": "JSON のオブジェクトを送ってください / send a JSON object",
    }


class QuerySchema(Schema):
    """Query strings: unknown parameters are ignored."""

    class Meta:
        unknown = EXCLUDE


# --- errors --------------------------------------------------------------------------------


class ErrorSchema(Schema):
    """Every error: a stable code and a message in Japanese and English."""

    error = fields.String(required=True, metadata={"example": "not_found"})
    message = fields.String(
        required=True, metadata={"example": "お探しのページは見つかりませんでした。"}
    )


class ValidationErrorSchema(ErrorSchema):
    """422: what is wrong with each field of the request."""

    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        required=True,
        metadata={"description": "項目 → メッセージ / field → messages"},
    )


class ParameterErrorSchema(ErrorSchema):
    """400 for a query parameter that cannot be understood."""

    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


# --- KPI (shared spec kpi.md) ----------------------------------------------------------------


class KpiQuerySchema(QuerySchema):
    fiscal_year = fields.Integer(
        validate=_range(*YEARS),
        metadata={"description": "年度（西暦）。省略すると今年度 / fiscal year; default: current"},
    )
    scope = fields.String(
        validate=validate.Regexp(r"^(priority|all|department:[A-Za-z0-9_-]+)$"),
        metadata={
            "description": "priority（既定）、all、department:<部局コード> / "
            "priority (default), all or department:<code>",
            "example": "priority",
        },
    )
    basis = fields.String(
        validate=validate.Regexp(r"^(latest|fixed:[0-9]{4})$"),
        metadata={"description": "重みの基準 / weight basis: latest or fixed:YYYY"},
    )
    limit = fields.Integer(
        validate=_range(0, 1000),
        metadata={"description": "biggest_remaining の件数（既定10） / rows of biggest_remaining"},
    )


class RatioSchema(Schema):
    numerator = fields.Integer(required=True)
    denominator = fields.Integer(required=True)
    rate = fields.Float(required=True)


class CountSchema(Schema):
    digitized = fields.Integer(required=True)
    total = fields.Integer(required=True)
    rate = fields.Float(required=True)


class MissingVolumeSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)


class DepartmentFiguresSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    weighted = fields.Nested(RatioSchema, required=True)
    count = fields.Nested(CountSchema, required=True)


class RemainingSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    department = fields.String(required=True)
    status = fields.String(required=True, validate=STATUS_CHOICE)
    weight = fields.Integer(required=True)
    gain_points = fields.Float(required=True)


class KpiSchema(Schema):
    """The figures of kpi.md for one fiscal year, scope and weight basis."""

    fiscal_year = fields.Integer(required=True)
    scope = fields.String(required=True)
    basis = fields.String(required=True)
    as_of = fields.Date(required=True)
    weighted = fields.Nested(RatioSchema, required=True)
    count = fields.Nested(CountSchema, required=True)
    paper_receipts = fields.Integer(
        required=True, metadata={"description": "まだ紙の年間件数 / receipts a year still on paper"}
    )
    missing_volume = fields.List(fields.Nested(MissingVolumeSchema), required=True)
    departments = fields.List(fields.Nested(DepartmentFiguresSchema), required=True)
    biggest_remaining = fields.List(fields.Nested(RemainingSchema), required=True)


# --- the catalogue ---------------------------------------------------------------------------


class ProcedureQuerySchema(QuerySchema):
    department = fields.String(
        validate=_length(32),
        error_messages=STR,
        metadata={"description": "部局コード / department code", "example": "BOSAI"},
    )
    priority = fields.Boolean(
        error_messages=BOOL,
        metadata={"description": "重点手続だけ（true）か、それ以外（false） / priority procedures"},
    )
    status = fields.String(
        validate=STATUS_CHOICE,
        error_messages=STR,
        metadata={"description": "今日の状態 / status as of today"},
    )
    page = fields.Integer(
        load_default=1, validate=_range(1, 1_000_000), error_messages=INT,
        metadata={"description": "ページ番号（1から） / page number, from 1"},
    )  # fmt: skip
    per_page = fields.Integer(
        load_default=20, validate=_range(1, 100), error_messages=INT,
        metadata={"description": "1ページの件数（既定20、最大100） / items per page"},
    )  # fmt: skip


class LabelSchema(Schema):
    ja = fields.String(required=True)
    en = fields.String(required=True)


class DepartmentSchema(Schema):
    code = fields.String(required=True)
    name_ja = fields.String(required=True)
    name_en = fields.String(required=True, allow_none=True)


class VolumeSchema(Schema):
    """Annual receipts (年間受付件数) of one fiscal year, the latest recorded value."""

    fiscal_year = fields.Integer(required=True)
    receipts = fields.Integer(required=True)
    online_receipts = fields.Integer(required=True, allow_none=True)


class StatusRowSchema(Schema):
    """One row of the status history (append-only: a correction is a new row)."""

    status = fields.String(required=True, validate=STATUS_CHOICE)
    effective_date = fields.Date(required=True)
    note = fields.String(required=True, allow_none=True)


class ProcedureLinksSchema(Schema):
    self = fields.String(required=True, metadata={"description": "この API / this resource"})
    page = fields.String(required=True, metadata={"description": "県民向けページ / public page"})
    apply = fields.String(
        required=True, allow_none=True, metadata={"description": "オンライン申請 / online form"}
    )


class SectionSchema(Schema):
    name = fields.String(
        required=True, allow_none=True, metadata={"description": "担当課 / section"}
    )
    phone = fields.String(required=True, allow_none=True, metadata={"example": "059-224-2000"})
    email = fields.String(required=True, allow_none=True)


class GuideSchema(Schema):
    """What a resident reads on the procedure's page (every part may be null: not known)."""

    name_kana = fields.String(required=True, allow_none=True, metadata={"description": "よみがな"})
    summary = fields.String(required=True, allow_none=True)
    audience = fields.List(
        fields.String(validate=validate.OneOf(["individual", "business"])),
        required=True,
        metadata={"description": "対象 / who it is for: individual, business"},
    )
    fee = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "手数料: none、円の金額（数字）、または文 / none, yen, or words"},
    )
    fee_payment = fields.String(required=True, allow_none=True)
    standard_processing_days = fields.Integer(
        required=True, allow_none=True, metadata={"description": "標準処理期間（日） / days"}
    )
    documents = fields.List(fields.String(), required=True)
    online_url = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "他のサービスの申請先 / where to apply online elsewhere"},
    )
    paper_form_url = fields.String(required=True, allow_none=True)
    section = fields.Nested(SectionSchema, required=True)
    egov_url = fields.String(
        required=True, allow_none=True, metadata={"description": "e-Gov 法令検索 / the law"}
    )


class ProcedureSchema(Schema):
    """A procedure (行政手続) with its status as of today and its yearly volumes."""

    code = fields.String(required=True, metadata={"example": "P-0001"})
    name_ja = fields.String(required=True)
    name_en = fields.String(required=True, allow_none=True)
    department = fields.Nested(DepartmentSchema, required=True)
    priority = fields.Boolean(required=True, metadata={"description": "重点手続 / priority"})
    procedure_type = fields.String(required=True, allow_none=True)
    legal_basis = fields.String(required=True, allow_none=True)
    form = fields.String(required=True, allow_none=True)
    features = fields.List(fields.String(), required=True)
    exclusion_reason = fields.String(required=True, allow_none=True)
    valid_from = fields.Date(
        required=True,
        allow_none=True,
        metadata={"description": "この日から有効（null: 制限なし） / valid from (null: no bound)"},
    )
    valid_until = fields.Date(
        required=True,
        allow_none=True,
        metadata={"description": "この日まで有効（廃止） / valid until, when abolished"},
    )
    status = fields.String(required=True, validate=STATUS_CHOICE)
    status_label = fields.Nested(LabelSchema, required=True)
    status_since = fields.Date(required=True, allow_none=True)
    digitized = fields.Boolean(
        required=True, metadata={"description": "online か end_to_end / online or end_to_end"}
    )
    volumes = fields.List(fields.Nested(VolumeSchema), required=True)
    guide = fields.Nested(GuideSchema, required=True)
    links = fields.Nested(ProcedureLinksSchema, required=True)


class ProcedureDetailSchema(ProcedureSchema):
    status_history = fields.List(fields.Nested(StatusRowSchema), required=True)


class PageMetaSchema(Schema):
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    as_of = fields.Date(required=True, metadata={"description": "状態の基準日 / status date"})


class PageLinksSchema(Schema):
    self = fields.String(required=True)
    first = fields.String(required=True)
    last = fields.String(required=True)
    prev = fields.String(required=True, allow_none=True)
    next = fields.String(required=True, allow_none=True)


class ProcedureListSchema(Schema):
    procedures = fields.List(fields.Nested(ProcedureSchema), required=True)
    meta = fields.Nested(PageMetaSchema, required=True)
    links = fields.Nested(PageLinksSchema, required=True)


# --- writes by departmental systems ----------------------------------------------------------


# Writes only type-check here: what a row may hold (bounds, online ≤ receipts, the note,
# excluded needs a reason, jumps) is app/catalogue/rules.py, the same for the staff pages
# and the CSV import; its problems come back as 422 with `errors` by field. The bounds
# below only describe the rule in the OpenAPI document.

NOTE_DOC = {"maxLength": rules.NOTE_MAX}
COUNT_DOC = {"minimum": 0, "maximum": rules.MAX_COUNT}


def _guide_text(description: str, limit: int) -> fields.String:
    return fields.String(
        allow_none=True,
        error_messages=STR,
        validate=validate.Length(
            max=limit, error=f"{limit:,}文字までです / at most {limit:,} characters"
        ),
        metadata={"description": description},
    )


class GuideInputSchema(InputSchema):
    """The parts of the guide to change (a part left out stays as it is; null or "" makes it
    unknown), checked by the same rule as the catalogue's CSV files."""

    name_kana = _guide_text("よみがな / reading", rules.GUIDE_TEXTS["name_kana"][0])
    summary = _guide_text("概要 / summary", rules.GUIDE_TEXTS["summary"][0])
    audience = fields.List(
        fields.String(validate=validate.OneOf(list(rules.AUDIENCES))),
        allow_none=True,
        metadata={"description": "対象 / who it is for: individual, business"},
    )
    fee = _guide_text("手数料: none、円の金額、または文 / none, yen, or words", rules.FEE_MAX)
    fee_payment = _guide_text(
        "手数料の納め方 / how the fee is paid", rules.GUIDE_TEXTS["fee_payment"][0]
    )
    standard_processing_days = fields.Integer(
        allow_none=True,
        strict=True,
        error_messages=INT,
        metadata={"description": "標準処理期間（日） / standard processing days"},
    )
    documents = fields.List(
        fields.String(validate=validate.Length(max=rules.GUIDE_TEXTS["documents"][0])),
        allow_none=True,
        validate=validate.Length(max=100),
        metadata={"description": "必要な書類 / documents needed"},
    )
    online_url = _guide_text(
        "他のサービスの申請先 / where to apply online elsewhere", rules.URL_MAX
    )
    paper_form_url = _guide_text("紙の申請書 / paper form", rules.URL_MAX)
    section = _guide_text("担当課 / responsible section", rules.GUIDE_TEXTS["section"][0])
    section_phone = _guide_text("担当課の電話番号 / phone", 30)
    section_email = _guide_text("担当課のメール / e-mail", 254)
    egov_url = _guide_text("e-Gov 法令検索の URL / the law on e-Gov", rules.URL_MAX)


class StatusInputSchema(InputSchema):
    status = fields.String(
        required=True,
        error_messages=STR,
        metadata={"description": "状態 / status", "enum": list(DIGITIZATION_STATUSES)},
    )
    effective_date = fields.Date(
        required=True,
        error_messages=DATE,
        metadata={
            "description": f"この状態になる日（{rules.FIRST_DAY.isoformat()}から今日の"
            f"{rules.YEARS_AHEAD}年後まで） / the day it takes effect"
            f" ({rules.FIRST_DAY.isoformat()} to {rules.YEARS_AHEAD} years from today)"
        },
    )
    note = fields.String(
        allow_none=True,
        load_default=None,
        error_messages=STR,
        metadata={
            "description": "対象外（excluded）では理由が必要 / a reason, required for excluded",
            **NOTE_DOC,
        },
    )


class VolumeInputSchema(InputSchema):
    fiscal_year = fields.Integer(
        required=True,
        strict=True,
        error_messages=INT,
        metadata={"minimum": rules.FIRST_FISCAL_YEAR, "maximum": rules.LAST_FISCAL_YEAR},
    )
    receipts = fields.Integer(required=True, strict=True, error_messages=INT, metadata=COUNT_DOC)
    online_receipts = fields.Integer(
        allow_none=True,
        load_default=None,
        strict=True,
        error_messages=INT,
        metadata={
            "description": "そのうちオンライン（receipts 以下） / of which online (any channel),"
            " at most receipts",
            **COUNT_DOC,
        },
    )
    note = fields.String(
        allow_none=True,
        load_default=None,
        error_messages=STR,
        metadata={"description": "メモ（確認の理由） / a note (why, when confirming)", **NOTE_DOC},
    )
    confirm = fields.Boolean(
        load_default=False,
        error_messages=BOOL,
        metadata={
            "description": f"最も近い他の年度の{rules.JUMP}倍を超える（{rules.JUMP}分の1未満の）"
            "件数を、note を添えて確認する / confirm, with a note, receipts more than"
            f" {rules.JUMP} times (or under 1/{rules.JUMP} of) the nearest other recorded year"
        },
    )


class StatusRecordedSchema(Schema):
    procedure = fields.String(required=True)
    status = fields.String(required=True, validate=STATUS_CHOICE)
    effective_date = fields.Date(required=True)
    note = fields.String(required=True, allow_none=True)
    recorded_at = Time(required=True)
    current_status = fields.String(
        required=True,
        validate=STATUS_CHOICE,
        metadata={"description": "記録後の今日の状態 / status as of today, after this row"},
    )


class VolumeRecordedSchema(Schema):
    procedure = fields.String(required=True)
    fiscal_year = fields.Integer(required=True)
    receipts = fields.Integer(required=True)
    online_receipts = fields.Integer(required=True, allow_none=True)
    note = fields.String(required=True, allow_none=True)
    recorded_at = Time(required=True)


# --- forms and submissions -------------------------------------------------------------------

TEXT = {"description": "言語 → 文 / language → text", "example": {"ja": "…", "en": "…"}}


class FormSummarySchema(Schema):
    id = fields.String(required=True, metadata={"example": "hunting-licence-renewal"})
    version = fields.Integer(required=True)
    procedure = fields.String(required=True)
    title = fields.Dict(keys=fields.String(), values=fields.String(), required=True, metadata=TEXT)
    languages = fields.List(fields.String(), required=True)
    url = fields.String(required=True, metadata={"description": "申請画面 / the form's pages"})


class FormListSchema(Schema):
    forms = fields.List(fields.Nested(FormSummarySchema), required=True)


class FormDetailSchema(FormSummarySchema):
    definition = fields.Dict(
        required=True,
        metadata={"description": "様式定義（YAML を JSON にしたもの） / the definition as JSON"},
    )


class SubmissionInputSchema(Schema):
    answers = fields.Dict(
        required=True,
        metadata={
            "description": "項目 id → 回答 / field id → answer (see GET /forms/{form_id})",
            "example": {"email": "taro@example.jp"},
        },
    )
    lang = fields.String(metadata={"description": "ja, en …", "example": "ja"})
    declaration = fields.Boolean(
        metadata={
            "description": "様式の宣誓（definition.declaration）に同意する。宣誓のある様式では必須"
            " / confirms the form's declaration (definition.declaration); required when the"
            " form has one",
            "example": True,
        }
    )


class SubmissionMultipartSchema(Schema):
    answers = fields.String(required=True, metadata={"description": "answers の JSON / as JSON"})
    lang = fields.String()
    declaration = fields.String(
        metadata={"description": "true: 宣誓に同意する / confirms the declaration"}
    )


class SubmissionCreatedSchema(Schema):
    receipt_no = fields.String(
        required=True,
        metadata={"description": "到達番号 / receipt number", "example": "2025-ABCD2345"},
    )
    access_code = fields.String(
        required=True, metadata={"description": "照会用コード / code to look the status up"}
    )
    status = fields.String(required=True, metadata={"example": "received"})
    form_version = fields.Integer(required=True)


class SubmissionEventSchema(Schema):
    status = fields.String(required=True)
    at = Time(required=True)
    message = fields.String(required=True, allow_none=True)


class SubmissionStatusSchema(Schema):
    receipt_no = fields.String(required=True)
    form = fields.String(required=True)
    form_version = fields.Integer(required=True)
    status = fields.String(
        required=True,
        metadata={"description": "received, in_review, returned, approved, rejected"},
    )
    submitted_at = Time(required=True)
    history = fields.List(fields.Nested(SubmissionEventSchema), required=True)


class ReceiptPendingSchema(Schema):
    status = fields.String(
        required=True,
        metadata={"description": "pending: 作成中 / being made", "example": "pending"},
    )
