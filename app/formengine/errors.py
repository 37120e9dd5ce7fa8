"""Every error a form definition can have: a stable code and a bilingual message.

Like pyxform's ErrorCode, the texts live here and nowhere else: the parser only names
a code and passes parameters. A message reads `日本語 / English`, so department staff
and developers read the same line.

Templates are `str.format` templates. Parameters are inserted as given, except:

- a `Detail` (an explanation shared by several codes) is itself rendered in the same
  language with the same parameters;
- `value` is a value from the YAML, shown as in the file (`'abc'`, `true`, `null`, `3`);
- `suggestion` (a close match or None) becomes `（もしかして 'x'?）` / ` (did you mean 'x'?)`;
- `suggestion` and `note` may be left out; they then render as nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

_OPTIONAL = ("suggestion", "note")
_MAX_SHOWN = 60


class _Bilingual(StrEnum):
    """A member's value is its stable code; `ja` and `en` are its templates."""

    ja: str
    en: str

    def __new__(cls, code: str, ja: str, en: str):
        member = str.__new__(cls, code)
        member._value_ = code
        member.ja = ja
        member.en = en
        return member

    def render(self, lang: str, params: Mapping[str, Any]) -> str:
        template = self.ja if lang == "ja" else self.en
        return template.format_map(_Rendered(lang, params))


class ErrorCode(_Bilingual):
    """A kind of definition error; `code.message(**params)` gives `日本語 / English`."""

    # reading the file
    YAML_SYNTAX = (
        "yaml_syntax",
        "YAML の構文エラー: {detail}",
        "YAML syntax error: {detail}",
    )
    NOT_UTF8 = (
        "not_utf8",
        "ファイルが UTF-8 ではありません",
        "the file is not UTF-8",
    )
    DUPLICATE_KEY = (
        "duplicate_key",
        "キー '{key}' が重複しています（{first} 行目にもあります）",
        "duplicate key '{key}' (also on line {first})",
    )
    TAG_NOT_ALLOWED = (
        "tag_not_allowed",
        "YAML のタグ {tag} は使えません（使えるのは文字列・数・true/false・null・リスト・マップだけです）",
        "YAML tag {tag} is not allowed (only strings, numbers, true/false, null, lists and maps)",
    )
    UNREADABLE_VALUE = (
        "unreadable_value",
        "{value} は{kind}として読めません",
        "{value} cannot be read as {kind}",
    )
    NUMBER_TOO_LARGE = (
        "number_too_large",
        "数 {value} が大きすぎます（絶対値 {max} まで）",
        "number {value} is too large (at most {max} either way)",
    )
    UNUSABLE_CHAR = (
        "unusable_char",
        "使えない文字（{code}）が含まれています",
        "contains a character that cannot be used ({code})",
    )
    TOO_DEEP = (
        "too_deep",
        "リストやマップの入れ子が深すぎます（{max} 段まで）",
        "lists and maps are nested too deeply (at most {max} levels)",
    )
    TOO_MANY_VALUES = (
        "too_many_values",
        "キーと値が {max} 個を超えています（エイリアス *名前 は展開して数えます）",
        "more than {max} keys and values (aliases *name count as expanded)",
    )
    NOT_A_FORM = (
        "not_a_form",
        "フォーム定義は id, version, pages などのキーを持つマップでなければなりません",
        "a form definition must be a map with keys such as id, version and pages",
    )
    # keys and values
    UNKNOWN_KEY = (
        "unknown_key",
        "不明なキー '{key}'{suggestion}",
        "unknown key '{key}'{suggestion}",
    )
    KEY_NOT_ALLOWED = (
        "key_not_allowed",
        "キー '{key}' は type: {type} では使えません",
        "key '{key}' is not allowed with type: {type}",
    )
    MISSING_KEY = (
        "missing_key",
        "必須のキー '{key}' がありません",
        "missing required key '{key}'",
    )
    INVALID_VALUE = (
        "invalid_value",
        "'{key}' には {expected} を指定してください（{value}）",
        "'{key}' must be {expected} (got {value})",
    )
    INVALID_LANGUAGE = (
        "invalid_language",
        "'{code}' は言語コード（BCP 47。ja, en, pt, vi, ja-easy, zh-Hans など）ではありません",
        "'{code}' is not a language code (BCP 47, e.g. ja, en, pt, vi, ja-easy, zh-Hans)",
    )
    TEXT_WITHOUT_JA = (
        "text_without_ja",
        "'{key}' のテキストに 'ja' がありません（日本語はどのテキストにも必要です）",
        "text '{key}' has no 'ja' entry (Japanese is required in every text)",
    )
    OUT_OF_RANGE = (
        "out_of_range",
        "'{key}' は {low} から {high} までです（{value}）",
        "'{key}' must be from {low} to {high} (got {value})",
    )
    MIN_ABOVE_MAX = (
        "min_above_max",
        "'{low_key}' ({low}) が '{high_key}' ({high}{note}) より大きくなっています",
        "'{low_key}' ({low}) is above '{high_key}' ({high}{note})",
    )
    INVALID_REGEX = (
        "invalid_regex",
        "正規表現が不正です: {detail}",
        "invalid regular expression: {detail}",
    )
    UNKNOWN_PROCEDURE = (
        "unknown_procedure",
        "手続コード '{code}' はカタログにありません{suggestion}",
        "unknown procedure code '{code}' (not in the catalogue){suggestion}",
    )
    # pages and fields
    DUPLICATE_ID = (
        "duplicate_id",
        "{kind} ID '{id}' が重複しています（{first} 行目にもあります）",
        "duplicate {kind} id '{id}' (also on line {first})",
    )
    UNKNOWN_TYPE = (
        "unknown_type",
        "不明なフィールド型 '{type}'{suggestion}",
        "unknown field type '{type}'{suggestion}",
    )
    NOT_ALLOWED_IN_GROUP = (
        "not_allowed_in_group",
        "グループの中に '{type}' 型のフィールドは置けません",
        "a field of type '{type}' is not allowed inside a group",
    )
    OPTIONS_MISSING = (
        "options_missing",
        "'{type}' 型のフィールドには選択肢 options（空でないリスト）が必要です",
        "a field of type '{type}' needs options (a non-empty list)",
    )
    OPTIONS_DUPLICATE = (
        "options_duplicate",
        "選択肢の値 {value} が重複しています（{first} 行目にもあります）",
        "duplicate option value {value} (also on line {first})",
    )
    # conditions (show_if)
    CONDITION_MALFORMED = (
        "condition_malformed",
        "条件が不正です: {reason}",
        "malformed condition: {reason}",
    )
    CONDITION_UNKNOWN_FIELD = (
        "condition_unknown_field",
        "条件が不明なフィールド '{field}' を参照しています{suggestion}{note}",
        "condition refers to an unknown field '{field}'{suggestion}{note}",
    )
    CONDITION_LATER_FIELD = (
        "condition_later_field",
        "条件がフィールド '{field}' を参照していますが、条件に使えるのは前のページか同じページの前にあるフィールドだけです",
        "condition refers to '{field}', but only fields on an earlier page or earlier on the same page can be used",
    )
    CONDITION_OPERATOR = (
        "condition_operator",
        "演算子 '{operator}' は '{type}' 型のフィールド '{field}' には使えません（使えるもの: {allowed}）",
        "operator '{operator}' does not fit field '{field}' of type '{type}' (allowed: {allowed})",
    )
    CONDITION_VALUE = (
        "condition_value",
        "条件 '{operator}' の値 {value} が不正です: {expected}",
        "invalid value {value} for '{operator}': {expected}",
    )
    # outputs
    WEBHOOK_URL = (
        "webhook_url",
        "{value} は webhook の送信先にできません: {reason}",
        "{value} cannot be a webhook destination: {reason}",
    )
    # results (電子交付)
    RESULT_TEMPLATE = (
        "result_template",
        "結果文書の本文（{lang}）がテンプレートとして使えません: {detail}",
        "the result document's body ({lang}) cannot be used as a template: {detail}",
    )
    PREFILL_WITHOUT_IDENTITY = (
        "prefill_without_identity",
        "'{field}' の prefill は、identity が optional か required の様式でだけ使えます",
        "'{field}' has prefill, which needs identity: optional or required",
    )

    def message(self, **params: Any) -> str:
        """The message `日本語 / English` with the parameters filled in."""
        return f"{self.render('ja', params)} / {self.render('en', params)}"


class WarningCode(_Bilingual):
    """What `forms check` points out without refusing the form."""

    # the form loads; that language's page shows the Japanese text there
    MISSING_TRANSLATION = (
        "missing_translation",
        "'{key}' に {lang} の文がありません（この言語でも日本語が表示されます）",
        "'{key}' has no {lang} text (Japanese is shown in that language)",
    )

    def message(self, **params: Any) -> str:
        return f"{self.render('ja', params)} / {self.render('en', params)}"


@dataclass(frozen=True)
class Translated:
    """A text already in both languages (a YAML reader's explanation, translated)."""

    ja: str
    en: str

    def render(self, lang: str, params: Mapping[str, Any] | None = None) -> str:
        return self.ja if lang == "ja" else self.en


# What PyYAML says when it cannot read a file (`problem`, and `context`: what it was
# reading), in Japanese: (pattern of the English, Japanese template with the groups).
_YAML_PROBLEMS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), ja)
    for pattern, ja in (
        (
            r"mapping values are not allowed here",
            "ここには「キー: 値」を書けません（字下げと、値の中の「: 」を確かめてください。"
            "値に「: 」を含めるときは引用符で囲みます）",
        ),
        (r"could not find expected ':'", "「:」がありません（キーの後には「: 」が要ります）"),
        (
            r"found unexpected ':'",
            "思わぬところに「:」があります（値に含めるときは引用符で囲みます）",
        ),
        (
            r"found character '\\t' that cannot start any token",
            "タブ文字は使えません（字下げには空白を使います）",
        ),
        (
            r"found character '(.+)' that cannot start any token",
            "「{0}」で始まる値は引用符で囲んでください",
        ),
        (
            r"found a tab character (where an indentation space is expected|that violates indentation)",
            "字下げにタブ文字は使えません（空白を使います）",
        ),
        (
            r"expected <block end>, but found '(<block sequence start>|-)'",
            "字下げがそろっていません（リストの「-」は同じ位置から書きます）",
        ),
        (
            r"expected <block end>, but found .*",
            "字下げがそろっていません（同じ階層のキーは同じ位置から書きます）",
        ),
        (r"did not find expected key", "キーがありません（字下げを確かめてください）"),
        (
            r"did not find expected '-' indicator",
            "「-」がありません（リストの字下げを確かめてください）",
        ),
        (r"did not find expected node content", "値がありません"),
        (r"found unexpected end of stream", "引用符が閉じられないまま、ファイルが終わっています"),
        (r"expected ',' or '\]', but got (.+)", "「,」か「]」が要るところに {0} があります"),
        (r"expected ',' or '\}', but got (.+)", "「,」か「}}」が要るところに {0} があります"),
        (r"found undefined alias '(.+)'", "別名 *{0} のアンカー &{0} がありません"),
        (r"found duplicate anchor '(.+)'.*", "アンカー &{0} が2回あります"),
        (
            r"found unknown escape character '(.+)'",
            "「\\{0}」というエスケープはありません（「\\」をそのまま書くときは単一引用符で囲みます）",
        ),
        (
            r"expected alphabetic or numeric character, but found (.+)",
            "英数字が要るところに {0} があります",
        ),
        (
            r"expected chomping or indentation indicators, but found (.+)",
            "「|」「>」の後には「+」「-」か数字しか書けません（{0} があります）",
        ),
        (
            r"expected a comment or a line break, but found (.+)",
            "行の終わりか「#」のコメントが要るところに {0} があります",
        ),
        (
            r"but found another document",
            "1つのファイルには様式を1つだけ書きます（「---」の後に2つ目があります）",
        ),
        (r"special characters are not allowed", "使えない制御文字があります"),
        (r"recursive alias", "別名が自分自身を含んでいます"),
        (r"keys must be plain words .*", "キーは単語で書きます（リスト、マップ、<< は使えません）"),
    )
)
_YAML_CONTEXTS = {
    "while scanning a simple key": "キーを読んでいるところ",
    "while scanning for the next token": "",
    "while parsing a block mapping": "マップ（キー: 値）を読んでいるところ",
    "while parsing a block collection": "リストを読んでいるところ",
    "while parsing a flow sequence": "[ ] のリストを読んでいるところ",
    "while parsing a flow mapping": "{ } のマップを読んでいるところ",
    "while parsing a block node": "値を読んでいるところ",
    "while parsing a flow node": "値を読んでいるところ",
    "while scanning a plain scalar": "値を読んでいるところ",
    "while scanning a quoted scalar": "引用符で囲んだ文字列を読んでいるところ",
    "while scanning a double-quoted scalar": "二重引用符で囲んだ文字列を読んでいるところ",
    "while scanning a block scalar": "「|」「>」の複数行の文字列を読んでいるところ",
    "while scanning an anchor": "アンカー（&）を読んでいるところ",
    "while scanning an alias": "別名（*）を読んでいるところ",
    "while scanning a tag": "タグ（!）を読んでいるところ",
    "while scanning a directive": "ディレクティブ（%）を読んでいるところ",
    "expected a single document in the stream": "",
}


def yaml_phrase(english: str) -> str:
    """A YAML reader's problem or context in Japanese (as it is, when not known)."""
    if english in _YAML_CONTEXTS:
        return _YAML_CONTEXTS[english]
    for pattern, ja in _YAML_PROBLEMS:
        m = pattern.fullmatch(english)
        if m:
            return ja.format(*m.groups())
    return english


class Detail(_Bilingual):
    """A part of a message shared by several codes: what was expected, or why."""

    # what a value must be (invalid_value `expected`, condition_value `expected`,
    # unreadable_value `kind`)
    MAP = ("map", "マップ（キー: 値）", "a map (key: value)")
    LIST = ("list", "リスト", "a list")
    NON_EMPTY_LIST = ("non_empty_list", "空でないリスト", "a non-empty list")
    STRING = ("string", "文字列", "a string")
    TEXT = (
        "text",
        "空でない文字列か、言語コードから文字列へのマップ",
        "a non-empty string or a map of language code to string",
    )
    NON_EMPTY_STRING = ("non_empty_string", "空でない文字列", "a non-empty string")
    BOOLEAN = ("boolean", "true か false", "true or false")
    INTEGER = ("integer", "整数", "an integer")
    NUMBER = ("number", "数", "a number")
    POSITIVE_INT = ("positive_int", "正の整数", "a positive integer")
    CORRECTIONS = ("corrections", "any か marked_only", "any or marked_only")
    IDENTITY = (
        "identity",
        "none・optional・required のいずれか、または level と kinds のマップ",
        "none, optional or required, or a map of level and kinds",
    )
    PREFILL = (
        "prefill",
        "profile. に続けて、この質問の type に合う情報（name 型に name、address 型に address、date 型に birthdate、"
        "radio・select 型に gender、email 型に email、text 型に corporate_number・corporate_name・representative_name）",
        "profile. followed by a fact that fits the field's type (name for name, address for address, "
        "birthdate for date, gender for radio or select, email for email, corporate_number, "
        "corporate_name or representative_name for text)",
    )
    IDENTITY_LEVEL = (
        "identity_level",
        "none・optional・required のいずれか",
        "none, optional or required",
    )
    PROVIDER_KINDS = (
        "provider_kinds",
        "individual と business からなる、重複のない空でないリスト",
        "a non-empty list of individual and business, each once",
    )
    VERSION = ("version", "2147483647 以下の正の整数", "a positive integer up to 2147483647")
    NON_NEGATIVE_INT = ("non_negative_int", "0 以上の整数", "a non-negative integer")
    POSITIVE_NUMBER = ("positive_number", "正の数", "a positive number")
    FORM_ID = (
        "form_id",
        "英小文字・数字・ハイフンからなる ID（[a-z0-9-]+）",
        "an id of lowercase letters, digits and hyphens ([a-z0-9-]+)",
    )
    FIELD_ID = (
        "field_id",
        "英小文字で始まり英小文字・数字・下線が続く ID（[a-z][a-z0-9_]*）",
        "an id of a lowercase letter followed by lowercase letters, digits and underscores ([a-z][a-z0-9_]*)",
    )
    PAGE_ID = (
        "page_id",
        "英小文字で始まり英小文字・数字・下線・ハイフンが続く ID（[a-z][a-z0-9_-]*）",
        "an id of a lowercase letter followed by lowercase letters, digits, underscores and hyphens ([a-z][a-z0-9_-]*)",
    )
    RESERVED_PAGE_ID = (
        "reserved_page_id",
        "申請画面のURLで使う語（start, check, submit, done, resume, saved, files）以外の ID",
        "an id other than the words the application pages use in their URLs (start, check, submit, done, resume, saved, files)",
    )
    RESERVED_FIELD_ID = (
        "reserved_field_id",
        "画面の操作に使う名前（action, csrf_token, declaration, lang）以外の ID",
        "an id other than the names the pages use for their own controls (action, csrf_token, declaration, lang)",
    )
    PROCEDURE_CODE = (
        "procedure_code",
        "手続コードの文字列（数字だけのコードは引用符で囲む）",
        "a procedure code as a string (quote a code of digits only)",
    )
    LANGUAGES = (
        "languages",
        "重複のない言語コードのリスト",
        "a list of distinct language codes",
    )
    DATE_BOUND = (
        "date_bound",
        "日付（YYYY-MM-DD）、today、または today+30d / today-18y の形（単位 d, m, y）",
        "a date (YYYY-MM-DD), today, or today+30d / today-18y (units d, m, y)",
    )
    KANA = ("kana", "katakana か hiragana", "katakana or hiragana")
    CHARSET = ("charset", "jis", "jis")
    MIME_TYPE = (
        "mime_type",
        "MIME タイプ（image/jpeg など。ワイルドカードは不可）",
        "a MIME type such as image/jpeg (no wildcards)",
    )
    EMAIL = ("email", "メールアドレス", "an email address")
    HTTP_URL = ("http_url", "http または https の URL", "an http or https URL")
    # why a webhook URL cannot be a destination (webhook_url `reason`; delivery says the same)
    HTTPS_ONLY = (
        "https_only",
        "https の URL だけが使えます（http は開発用の設定 WEBHOOK_ALLOW_HTTP があるときだけです）",
        "only https URLs can be used (http only where the development setting"
        " WEBHOOK_ALLOW_HTTP is on)",
    )
    CREDENTIALS = (
        "credentials",
        "URL に利用者名やパスワードを含めることはできません",
        "a URL cannot carry a user name or password",
    )
    LOCALHOST = (
        "localhost",
        "localhost はこの機械自身の名前です",
        "localhost is the name of this machine itself",
    )
    NUMERIC_HOST = (
        "numeric_host",
        "数字で終わるホスト名は IP アドレスとして読めなければなりません",
        "a host name ending in a number must be an IP address",
    )
    NOT_PUBLIC = (
        "not_public",
        "公開されていないアドレス（{kind}）には送れません",
        "it is not a public address ({kind})",
    )
    # kinds of address that are not public (not_public `kind`)
    LOOPBACK = ("loopback", "ループバック", "loopback")
    PRIVATE = ("private", "プライベート", "private")
    LINK_LOCAL = ("link_local", "リンクローカル", "link-local")
    MULTICAST = ("multicast", "マルチキャスト", "multicast")
    UNSPECIFIED = ("unspecified", "未指定", "unspecified")
    RESERVED = ("reserved", "特別な用途に予約済み", "reserved for special use")
    OUTPUT_TYPE = ("output_type", "email か webhook", "email or webhook")
    STEP_ROLE = ("step_role", "department か department_head", "department or department_head")
    STEPS = ("steps", "1〜5 個の段階のリスト", "a list of 1 to 5 steps")
    UNDO = ("undo", "10080（7日）以下の分数", "a number of minutes up to 10080 (7 days)")
    RESULT_KIND = ("result_kind", "notice か permit", "notice or permit")
    DECISION = ("decision", "approved か rejected", "approved or rejected")
    RESULT = ("result", "結果文書", "result document")
    OPTION_VALUE = (
        "option_value",
        "空でない文字列か整数（yes, no, true, false などは引用符で囲む）",
        "a non-empty string or an integer (quote yes, no, true, false)",
    )
    OPTION_OF = (
        "option_of",
        "'{field}' の選択肢の値（{options}）のいずれか",
        "one of the option values of '{field}' ({options})",
    )
    # why a condition is malformed (condition_malformed `reason`)
    NOT_A_CONDITION = (
        "not_a_condition",
        "条件は {{field: ..., equals: ...}} や {{all: [...]}} の形のマップです",
        "a condition is a map like {{field: ..., equals: ...}} or {{all: [...]}}",
    )
    NO_FIELD = ("no_field", "'field' がありません", "'field' is missing")
    FIELD_NOT_ID = (
        "field_not_id",
        "'field' にはフィールド ID を指定します",
        "'field' must be a field id",
    )
    NO_OPERATOR = (
        "no_operator",
        "演算子（equals, not_equals, in, not_in, gt, gte, lt, lte, filled）がありません",
        "no operator (equals, not_equals, in, not_in, gt, gte, lt, lte, filled)",
    )
    TWO_OPERATORS = (
        "two_operators",
        "演算子は 1 つだけです（{operators}）",
        "only one operator is allowed (got {operators})",
    )
    UNKNOWN_OPERATOR = (
        "unknown_operator",
        "不明な演算子 '{key}'{suggestion}",
        "unknown operator '{key}'{suggestion}",
    )
    COMBINATOR_ALONE = (
        "combinator_alone",
        "'{key}' は同じマップの他のキーと一緒には使えません",
        "'{key}' cannot be combined with other keys in the same map",
    )
    EMPTY_COMBINATOR = (
        "empty_combinator",
        "'{key}' には条件の空でないリストが必要です",
        "'{key}' needs a non-empty list of conditions",
    )
    # what has a duplicate id (duplicate_id `kind`)
    PAGE = ("page", "ページ", "page")
    FIELD = ("field", "フィールド", "field")
    # notes appended to a message (`note`)
    DEFAULT_NOTE = ("default_note", "、既定値", ", default")
    IN_GROUP_NOTE = (
        "in_group_note",
        "（グループの中のフィールドは条件に使えません）",
        " (fields inside a group cannot be used in conditions)",
    )


@dataclass(frozen=True, slots=True)
class Problem:
    """One error (or warning) in a form definition, at a 1-based line of a file."""

    path: str
    line: int
    code: ErrorCode | WarningCode
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def show(value: Any) -> str:
    """A YAML value as the author wrote it, shortened: `'abc'`, `true`, `null`, `[a, b]`."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif value is None:
        text = "null"
    elif isinstance(value, str):
        text = repr(value)
    elif isinstance(value, int | float):
        text = str(value)
    else:
        text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"


def _suggestion(lang: str, match: str | None) -> str:
    if not match:
        return ""
    return f"（もしかして '{match}'?）" if lang == "ja" else f" (did you mean '{match}'?)"


class _Rendered(Mapping[str, str]):
    """The parameters of a template as seen in one language (rendered when used)."""

    def __init__(self, lang: str, params: Mapping[str, Any]):
        self._lang = lang
        self._params = params

    def __getitem__(self, key: str) -> str:
        if key not in self._params:
            if key in _OPTIONAL:
                return ""
            raise KeyError(key)
        value = self._params[key]
        if key == "suggestion":
            return _suggestion(self._lang, value)
        if key == "value":
            return show(value)
        if isinstance(value, _Bilingual | Translated):
            return value.render(self._lang, self._params)
        return "" if value is None else str(value)

    def __iter__(self) -> Iterator[str]:
        return iter(self._params)

    def __len__(self) -> int:
        return len(self._params)
