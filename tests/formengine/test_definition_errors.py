"""Every error a form definition can have, each shown on a small inline form.

Like pyxform's tests, each case is the YAML a member of staff might write, the line the
problem must be reported on, its code, and (part of) the message `path:line: 日本語 / English`.
"""

from __future__ import annotations

import textwrap

import pytest

from app.formengine.errors import Detail, ErrorCode, Problem
from app.formengine.parser import check_file, parse

PATH = "forms/test.yaml"

TOP = """\
id: test-form
version: 1
procedure: P-0001
title: テスト
pages:
"""
HEAD = (
    TOP
    + """\
  - id: first
    title: 最初
    fields:
"""
)
PAGES = """\
pages:
  - id: first
    title: 最初
    fields:
      - {id: name, type: text, label: 氏名}
"""


def yaml(text: str) -> str:
    """An inline YAML text, written indented in the test, starting on line 1."""
    text = textwrap.dedent(text).lstrip("\n")
    return text if text.endswith("\n") else text + "\n"


def with_pages(top_level: str) -> str:
    """Top-level keys (line 1 onwards) followed by a valid `pages`."""
    return yaml(top_level) + PAGES


def pages(items: str) -> str:
    """Pages after the top-level keys (lines 1-5); the first page is on line 6."""
    return textwrap.indent(yaml(items), "  ")


def fields(items: str) -> str:
    """A valid form around a list of fields; the first field is on line 9."""
    return HEAD + textwrap.indent(yaml(items), " " * 6)


# fields that conditions can refer to, on lines 9-22; `target` (line 20) has the
# condition under test on line 23
CONDITION_FIELDS = """\
- id: kind
  type: radio
  label: 種類
  options:
    - {value: net, label: 網}
    - {value: gun1, label: 銃}
- {id: age, type: integer, label: 年齢}
- {id: birth, type: date, label: 生年月日}
- {id: agree, type: checkbox, label: 同意}
- {id: photo, type: file, label: 写真}
- {id: note, type: heading, text: 注意}
- id: target
  type: text
  label: 対象
"""


def condition(show_if: str) -> str:
    """A form whose field `target` has `show_if: <show_if>` on line 23."""
    return fields(CONDITION_FIELDS + f"  show_if: {show_if}\n")


def case(name, text, line, code, message, procedures=None):
    return pytest.param(text, line, code, message, procedures, id=name)


CASES = [
    # --- reading the file ---------------------------------------------------------------
    case(
        "yaml syntax",
        yaml("""
            id: test-form
            version: 1
              procedure: P-0001
        """),
        3,
        ErrorCode.YAML_SYNTAX,
        "YAML の構文エラー: ここには「キー: 値」を書けません（字下げと、値の中の「: 」を確かめてください。"
        "値に「: 」を含めるときは引用符で囲みます） / YAML syntax error: mapping values are not allowed here",
    ),
    case(
        "yaml syntax on the line of an unfinished key",
        yaml("""
            id: test-form
            version
            procedure: P-0001
        """),
        2,
        ErrorCode.YAML_SYNTAX,
        "YAML syntax error: while scanning a simple key: could not find expected ':' (line 3)",
    ),
    case(
        "yaml control character",
        "id: test-form\nversion: \x07\n",
        2,
        ErrorCode.YAML_SYNTAX,
        "YAML syntax error: special characters are not allowed (#x0007)",
    ),
    case(
        "yaml unknown tag",
        with_pages("""
            id: test-form
            version: !int 1
            procedure: P-0001
            title: テスト
        """),
        2,
        ErrorCode.TAG_NOT_ALLOWED,
        "YAML のタグ !int は使えません（使えるのは文字列・数・true/false・null・リスト・マップだけです）"
        " / YAML tag !int is not allowed (only strings, numbers, true/false, null, lists and maps)",
    ),
    case(
        "yaml python tag is never constructed",
        with_pages("""
            id: test-form
            version: 1
            procedure: P-0001
            title: !!python/object/apply:os.system ["echo owned"]
        """),
        4,
        ErrorCode.TAG_NOT_ALLOWED,
        "YAML tag !!python/object/apply:os.system is not allowed",
    ),
    case(
        "yaml value that cannot be read as its tag says",
        with_pages("""
            id: test-form
            version: !!int one
            procedure: P-0001
            title: テスト
        """),
        2,
        ErrorCode.UNREADABLE_VALUE,
        "'one' は整数として読めません / 'one' cannot be read as an integer",
    ),
    case(
        "yaml number too long to read",
        with_pages(f"""
            id: test-form
            version: {"9" * 5000}
            procedure: P-0001
            title: テスト
        """),
        2,
        ErrorCode.NUMBER_TOO_LARGE,
        "が大きすぎます（絶対値 9223372036854775807 まで） / number '99999",
    ),
    case(
        "yaml hexadecimal number too large",
        with_pages(f"""
            id: test-form
            version: 1
            procedure: P-0001
            title: テスト
            fee: {{amount: 0x{"f" * 16}}}
        """),
        5,
        ErrorCode.NUMBER_TOO_LARGE,
        "number '0xffffffffffffffff' is too large (at most 9223372036854775807 either way)",
    ),
    case(
        "yaml escape of a character that cannot be used",
        with_pages("""
            id: test-form
            version: 1
            procedure: P-0001
            title: "申請\\0書"
        """),
        4,
        ErrorCode.UNUSABLE_CHAR,
        "使えない文字（U+0000）が含まれています / contains a character that cannot be used (U+0000)",
    ),
    case(
        "yaml nested too deeply",
        with_pages("""
            id: test-form
            version: 1
            procedure: P-0001
            title: テスト
            description: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]
        """),
        5,
        ErrorCode.TOO_DEEP,
        "リストやマップの入れ子が深すぎます（40 段まで） / lists and maps are nested too deeply (at most 40 levels)",
    ),
    case(
        "yaml aliases that expand to too many values",
        with_pages("""
            id: test-form
            version: 1
            procedure: P-0001
            title: テスト
            a: &a [x, x, x, x, x, x, x, x, x, x]
            b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
            c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
            d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
            e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
            f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
            description: *f
        """),
        9,
        ErrorCode.TOO_MANY_VALUES,
        "キーと値が 20,000 個を超えています（エイリアス *名前 は展開して数えます）"
        " / more than 20,000 keys and values (aliases *name count as expanded)",
    ),
    case(
        "yaml recursive alias",
        with_pages("""
            id: test-form
            version: 1
            procedure: P-0001
            title: テスト
            before_you_start: &items [*items]
        """),
        5,
        ErrorCode.YAML_SYNTAX,
        "YAML の構文エラー: 別名が自分自身を含んでいます / YAML syntax error: recursive alias",
    ),
    case(
        "duplicate key",
        fields("""
            - id: name
              type: text
              label: 氏名
              label: 名前
        """),
        12,
        ErrorCode.DUPLICATE_KEY,
        "キー 'label' が重複しています（11 行目にもあります） / duplicate key 'label' (also on line 11)",
    ),
    case(
        "empty file",
        "# nothing yet\n",
        1,
        ErrorCode.NOT_A_FORM,
        "フォーム定義は id, version, pages などのキーを持つマップでなければなりません"
        " / a form definition must be a map with keys such as id, version and pages",
    ),
    case("list instead of a map", "- id: test-form\n", 1, ErrorCode.NOT_A_FORM, "must be a map"),
    # --- top level ----------------------------------------------------------------------
    case(
        "unknown top-level key, did you mean",
        with_pages("""
            id: test-form
            version: 1
            procedure: P-0001
            titel: テスト
        """),
        4,
        ErrorCode.UNKNOWN_KEY,
        "不明なキー 'titel'（もしかして 'title'?） / unknown key 'titel' (did you mean 'title'?)",
    ),
    case(
        "missing version",
        with_pages("""
            id: test-form
            procedure: P-0001
            title: テスト
        """),
        1,
        ErrorCode.MISSING_KEY,
        "必須のキー 'version' がありません / missing required key 'version'",
    ),
    case(
        "missing pages",
        yaml("""
            id: test-form
            version: 1
            procedure: P-0001
            title: テスト
        """),
        1,
        ErrorCode.MISSING_KEY,
        "missing required key 'pages'",
    ),
    case(
        "form id not a slug",
        with_pages("""
            id: Test_Form
            version: 1
            procedure: P-0001
            title: テスト
        """),
        1,
        ErrorCode.INVALID_VALUE,
        "'id' には 英小文字・数字・ハイフンからなる ID（[a-z0-9-]+） を指定してください（'Test_Form'）"
        " / 'id' must be an id of lowercase letters, digits and hyphens ([a-z0-9-]+) (got 'Test_Form')",
    ),
    case(
        "version zero",
        with_pages("""
            id: test-form
            version: 0
            procedure: P-0001
            title: テスト
        """),
        2,
        ErrorCode.INVALID_VALUE,
        "'version' には 2147483647 以下の正の整数 を指定してください（0）"
        " / 'version' must be a positive integer up to 2147483647 (got 0)",
    ),
    case(
        "version too large to be stored",
        with_pages("""
            id: test-form
            version: 3000000000
            procedure: P-0001
            title: テスト
        """),
        2,
        ErrorCode.INVALID_VALUE,
        "'version' must be a positive integer up to 2147483647 (got 3000000000)",
    ),
    case(
        "version a string",
        with_pages("""
            id: test-form
            version: "3"
            procedure: P-0001
            title: テスト
        """),
        2,
        ErrorCode.INVALID_VALUE,
        "'version' must be a positive integer up to 2147483647 (got '3')",
    ),
    case(
        "procedure code read as a number",
        with_pages("""
            id: test-form
            version: 1
            procedure: 312
            title: テスト
        """),
        3,
        ErrorCode.INVALID_VALUE,
        "'procedure' must be a procedure code as a string (quote a code of digits only) (got 312)",
    ),
    case(
        "unknown procedure, did you mean",
        with_pages("""
            id: test-form
            version: 1
            procedure: P-0313
            title: テスト
        """),
        3,
        ErrorCode.UNKNOWN_PROCEDURE,
        "手続コード 'P-0313' はカタログにありません（もしかして 'P-0312'?）"
        " / unknown procedure code 'P-0313' (not in the catalogue) (did you mean 'P-0312'?)",
        procedures={"P-0312", "P-0001"},
    ),
    case(
        "processing_days zero",
        with_pages("""
            id: test-form
            version: 1
            procedure: P-0001
            title: テスト
            processing_days: 0
        """),
        5,
        ErrorCode.INVALID_VALUE,
        "'processing_days' must be a positive integer (got 0)",
    ),
    case(
        "retention_days negative",
        with_pages("""
            id: test-form
            version: 1
            procedure: P-0001
            title: テスト
            retention_days: -30
        """),
        5,
        ErrorCode.INVALID_VALUE,
        "'retention_days' must be a positive integer (got -30)",
    ),
    case(
        "title without ja",
        with_pages("""
            id: test-form
            version: 1
            procedure: P-0001
            title: {en: Test}
        """),
        4,
        ErrorCode.TEXT_WITHOUT_JA,
        "'title' のテキストに 'ja' がありません（日本語はどのテキストにも必要です）"
        " / text 'title' has no 'ja' entry (Japanese is required in every text)",
    ),
    case(
        "empty title",
        with_pages("""
            id: test-form
            version: 1
            procedure: P-0001
            title: ""
        """),
        4,
        ErrorCode.INVALID_VALUE,
        "'title' must be a non-empty string or a map of language code to string (got '')",
    ),
    case(
        "empty translation",
        with_pages("""
            id: test-form
            version: 1
            procedure: P-0001
            title: テスト
            description:
              ja: 説明
              en: ""
        """),
        7,
        ErrorCode.INVALID_VALUE,
        "'description.en' must be a non-empty string (got '')",
    ),
    case(
        "text with a bad language code",
        with_pages("""
            id: test-form
            version: 1
            procedure: P-0001
            title:
              ja: テスト
              english: Test
        """),
        6,
        ErrorCode.INVALID_LANGUAGE,
        "'english' は言語コード（BCP 47。ja, en, pt, vi, ja-easy, zh-Hans など）ではありません"
        " / 'english' is not a language code (BCP 47, e.g. ja, en, pt, vi, ja-easy, zh-Hans)",
    ),
    case(
        "languages with a bad code",
        with_pages("""
            id: test-form
            version: 1
            procedure: P-0001
            title: テスト
            languages:
              - ja
              - EN
        """),
        7,
        ErrorCode.INVALID_LANGUAGE,
        "'EN' is not a language code",
    ),
    case(
        "languages repeated",
        with_pages("""
            id: test-form
            version: 1
            procedure: P-0001
            title: テスト
            languages: [ja, en, en]
        """),
        5,
        ErrorCode.INVALID_VALUE,
        "'languages' must be a list of distinct language codes (got 'en')",
    ),
    case(
        "fee key misspelt",
        with_pages("""
            id: test-form
            version: 1
            procedure: P-0001
            title: テスト
            fee:
              amont: 2900
        """),
        6,
        ErrorCode.UNKNOWN_KEY,
        "unknown key 'amont' (did you mean 'amount'?)",
    ),
    case(
        "fee without amount",
        with_pages("""
            id: test-form
            version: 1
            procedure: P-0001
            title: テスト
            fee: {label: 手数料}
        """),
        5,
        ErrorCode.MISSING_KEY,
        "missing required key 'amount'",
    ),
    case(
        "fee amount negative",
        with_pages("""
            id: test-form
            version: 1
            procedure: P-0001
            title: テスト
            fee: {amount: -1}
        """),
        5,
        ErrorCode.INVALID_VALUE,
        "'amount' には 0 以上の整数 を指定してください（-1） / 'amount' must be a non-negative integer (got -1)",
    ),
    case(
        "fee label without ja",
        with_pages("""
            id: test-form
            version: 1
            procedure: P-0001
            title: テスト
            fee: {amount: 2900, label: {en: Fee}}
        """),
        5,
        ErrorCode.TEXT_WITHOUT_JA,
        "text 'label' has no 'ja' entry",
    ),
    case(
        "before_you_start not a list",
        with_pages("""
            id: test-form
            version: 1
            procedure: P-0001
            title: テスト
            before_you_start: 免許証
        """),
        5,
        ErrorCode.INVALID_VALUE,
        "'before_you_start' must be a list (got '免許証')",
    ),
    case(
        "before_you_start item without ja",
        with_pages("""
            id: test-form
            version: 1
            procedure: P-0001
            title: テスト
            before_you_start:
              - 免許証
              - {en: Photo}
        """),
        7,
        ErrorCode.TEXT_WITHOUT_JA,
        "text 'before_you_start' has no 'ja' entry",
    ),
    case(
        "output of an unknown type",
        with_pages("""
            id: test-form
            version: 1
            procedure: P-0001
            title: テスト
            outputs:
              - {type: sms, to: shizen@example.pref.mie.lg.jp}
        """),
        6,
        ErrorCode.INVALID_VALUE,
        "'type' には email か webhook を指定してください（'sms'） / 'type' must be email or webhook (got 'sms')",
    ),
    case(
        "email output without an address",
        with_pages("""
            id: test-form
            version: 1
            procedure: P-0001
            title: テスト
            outputs:
              - type: email
        """),
        6,
        ErrorCode.MISSING_KEY,
        "missing required key 'to'",
    ),
    case(
        "email output to a bad address",
        with_pages("""
            id: test-form
            version: 1
            procedure: P-0001
            title: テスト
            outputs:
              - {type: email, to: shizen}
        """),
        6,
        ErrorCode.INVALID_VALUE,
        "'to' must be an email address (got 'shizen')",
    ),
    case(
        "email output with a url",
        with_pages("""
            id: test-form
            version: 1
            procedure: P-0001
            title: テスト
            outputs:
              - type: email
                to: shizen@example.pref.mie.lg.jp
                url: https://backoffice.example/api
        """),
        8,
        ErrorCode.KEY_NOT_ALLOWED,
        "キー 'url' は type: email では使えません / key 'url' is not allowed with type: email",
    ),
    case(
        "webhook url misspelt",
        with_pages("""
            id: test-form
            version: 1
            procedure: P-0001
            title: テスト
            outputs:
              - {type: webhook, ur: https://backoffice.example/api}
        """),
        6,
        ErrorCode.UNKNOWN_KEY,
        "unknown key 'ur' (did you mean 'url'?)",
    ),
    case(
        "webhook url that is no url",
        with_pages("""
            id: test-form
            version: 1
            procedure: P-0001
            title: テスト
            outputs:
              - {type: webhook, url: "backoffice.example/in"}
        """),
        6,
        ErrorCode.INVALID_VALUE,
        "'url' must be an http or https URL (got 'backoffice.example/in')",
    ),
    case(
        "webhook to a non-http url",
        with_pages("""
            id: test-form
            version: 1
            procedure: P-0001
            title: テスト
            outputs:
              - {type: webhook, url: "ftp://backoffice.example/in"}
        """),
        6,
        ErrorCode.WEBHOOK_URL,
        "'ftp://backoffice.example/in' は webhook の送信先にできません: https の URL だけが使えます"
        "（http は開発用の設定 WEBHOOK_ALLOW_HTTP があるときだけです） / "
        "'ftp://backoffice.example/in' cannot be a webhook destination: only https URLs can be"
        " used (http only where the development setting WEBHOOK_ALLOW_HTTP is on)",
    ),
    case(
        "webhook to the cloud's metadata address",
        with_pages("""
            id: test-form
            version: 1
            procedure: P-0001
            title: テスト
            outputs:
              - {type: email, to: shizen@example.pref.mie.lg.jp}
              - {type: webhook, url: "https://169.254.169.254/latest/meta-data/"}
        """),
        7,
        ErrorCode.WEBHOOK_URL,
        "は webhook の送信先にできません: 公開されていないアドレス（リンクローカル）には送れません"
        " / 'https://169.254.169.254/latest/meta-data/' cannot be a webhook destination:"
        " it is not a public address (link-local)",
    ),
    case(
        "no pages",
        TOP.replace("pages:\n", "pages: []\n"),
        5,
        ErrorCode.INVALID_VALUE,
        "'pages' must be a non-empty list (got [])",
    ),
    # --- pages --------------------------------------------------------------------------
    case(
        "duplicate page id",
        TOP
        + pages("""
              - id: first
                title: 一
                fields:
                  - {id: a, type: text, label: A}
              - id: first
                title: 二
                fields:
                  - {id: b, type: text, label: B}
        """),
        10,
        ErrorCode.DUPLICATE_ID,
        "ページ ID 'first' が重複しています（6 行目にもあります） / duplicate page id 'first' (also on line 6)",
    ),
    case(
        "page id not an id",
        TOP
        + pages("""
              - id: 1st
                title: 一
                fields:
                  - {id: a, type: text, label: A}
        """),
        6,
        ErrorCode.INVALID_VALUE,
        "'id' must be an id of a lowercase letter followed by lowercase letters, digits,"
        " underscores and hyphens ([a-z][a-z0-9_-]*) (got '1st')",
    ),
    case(
        "page without title",
        TOP
        + pages("""
              - id: first
                fields:
                  - {id: a, type: text, label: A}
        """),
        6,
        ErrorCode.MISSING_KEY,
        "missing required key 'title'",
    ),
    case(
        "page key misspelt",
        TOP
        + pages("""
              - id: first
                title: 一
                feilds:
                  - {id: a, type: text, label: A}
        """),
        8,
        ErrorCode.UNKNOWN_KEY,
        "unknown key 'feilds' (did you mean 'fields'?)",
    ),
    case(
        "page without fields",
        TOP
        + pages("""
              - id: first
                title: 一
                fields: []
        """),
        8,
        ErrorCode.INVALID_VALUE,
        "'fields' must be a non-empty list (got [])",
    ),
    # --- fields -------------------------------------------------------------------------
    case(
        "field key misspelt",
        fields("""
            - id: name
              type: text
              lable: 氏名
        """),
        11,
        ErrorCode.UNKNOWN_KEY,
        "不明なキー 'lable'（もしかして 'label'?） / unknown key 'lable' (did you mean 'label'?)",
    ),
    case(
        "type-specific key misspelt",
        fields("""
            - id: note
              type: textarea
              label: 備考
              max_lenght: 400
        """),
        12,
        ErrorCode.UNKNOWN_KEY,
        "unknown key 'max_lenght' (did you mean 'max_length'?)",
    ),
    case(
        "key of another type",
        fields("""
            - id: name
              type: text
              label: 氏名
              options: []
        """),
        12,
        ErrorCode.KEY_NOT_ALLOWED,
        "キー 'options' は type: text では使えません / key 'options' is not allowed with type: text",
    ),
    case(
        "field without label",
        fields("- {id: name, type: text}"),
        9,
        ErrorCode.MISSING_KEY,
        "必須のキー 'label' がありません / missing required key 'label'",
    ),
    case(
        "field without id",
        fields("- {type: text, label: 氏名}"),
        9,
        ErrorCode.MISSING_KEY,
        "missing required key 'id'",
    ),
    case(
        "field without type",
        fields("- {id: name, label: 氏名}"),
        9,
        ErrorCode.MISSING_KEY,
        "missing required key 'type'",
    ),
    case(
        "heading without text",
        fields("- {id: intro, type: heading}"),
        9,
        ErrorCode.MISSING_KEY,
        "missing required key 'text'",
    ),
    case(
        "field not a map",
        fields("- name"),
        9,
        ErrorCode.INVALID_VALUE,
        "'fields' must be a map (key: value) (got 'name')",
    ),
    case(
        "unknown type, did you mean",
        fields("- {id: name, type: txt, label: 氏名}"),
        9,
        ErrorCode.UNKNOWN_TYPE,
        "不明なフィールド型 'txt'（もしかして 'text'?） / unknown field type 'txt' (did you mean 'text'?)",
    ),
    case(
        "field id not an id",
        fields("- {id: Name, type: text, label: 氏名}"),
        9,
        ErrorCode.INVALID_VALUE,
        "'id' must be an id of a lowercase letter followed by lowercase letters, digits and"
        " underscores ([a-z][a-z0-9_]*) (got 'Name')",
    ),
    case(
        "duplicate field id on a page",
        fields("""
            - {id: name, type: text, label: 氏名}
            - {id: name, type: text, label: 名前}
        """),
        10,
        ErrorCode.DUPLICATE_ID,
        "フィールド ID 'name' が重複しています（9 行目にもあります） / duplicate field id 'name' (also on line 9)",
    ),
    case(
        "duplicate field id across pages",
        fields("- {id: name, type: text, label: 氏名}")
        + pages("""
              - id: second
                title: 二
                fields:
                  - {id: name, type: text, label: 氏名}
        """),
        13,
        ErrorCode.DUPLICATE_ID,
        "duplicate field id 'name' (also on line 9)",
    ),
    case(
        "group field with a top-level id",
        fields("""
            - {id: relation, type: text, label: 続柄}
            - id: household
              type: group
              label: 世帯
              fields:
                - {id: relation, type: text, label: 続柄}
        """),
        14,
        ErrorCode.DUPLICATE_ID,
        "duplicate field id 'relation' (also on line 9)",
    ),
    case(
        "duplicate id inside a group",
        fields("""
            - id: household
              type: group
              label: 世帯
              fields:
                - {id: relation, type: text, label: 続柄}
                - {id: relation, type: text, label: 続柄}
        """),
        14,
        ErrorCode.DUPLICATE_ID,
        "duplicate field id 'relation' (also on line 13)",
    ),
    case(
        "required not a boolean",
        fields("""
            - id: name
              type: text
              label: 氏名
              required: "yes"
        """),
        12,
        ErrorCode.INVALID_VALUE,
        "'required' には true か false を指定してください（'yes'） / 'required' must be true or false (got 'yes')",
    ),
    case(
        "help without ja",
        fields("""
            - id: name
              type: text
              label: 氏名
              help: {en: As on your licence}
        """),
        12,
        ErrorCode.TEXT_WITHOUT_JA,
        "text 'help' has no 'ja' entry",
    ),
    case(
        "label with an upper-case language code",
        fields("""
            - id: name
              type: text
              label:
                ja: 氏名
                EN: Name
        """),
        13,
        ErrorCode.INVALID_LANGUAGE,
        "'EN' is not a language code",
    ),
    case(
        "invalid regular expression",
        fields("""
            - id: permit
              type: text
              label: 許可番号
              pattern: '^[0-9{6,8}$'
        """),
        12,
        ErrorCode.INVALID_REGEX,
        "正規表現が不正です: unterminated character set at position 1"
        " / invalid regular expression: unterminated character set at position 1",
    ),
    case(
        "regular expression with a warning",
        fields("""
            - id: permit
              type: text
              label: 許可番号
              pattern: '[[a-z]'
        """),
        12,
        ErrorCode.INVALID_REGEX,
        "invalid regular expression: Possible nested set at position 1",
    ),
    case(
        "pattern_message without ja",
        fields("""
            - id: permit
              type: text
              label: 許可番号
              pattern: '^[0-9]+$'
              pattern_message: {en: Digits only}
        """),
        13,
        ErrorCode.TEXT_WITHOUT_JA,
        "text 'pattern_message' has no 'ja' entry",
    ),
    case(
        "min_length above max_length",
        fields("""
            - id: name
              type: text
              label: 氏名
              min_length: 10
              max_length: 5
        """),
        12,
        ErrorCode.MIN_ABOVE_MAX,
        "'min_length' (10) が 'max_length' (5) より大きくなっています / 'min_length' (10) is above 'max_length' (5)",
    ),
    case(
        "min_length above the default max_length",
        fields("""
            - id: name
              type: text
              label: 氏名
              min_length: 300
        """),
        12,
        ErrorCode.MIN_ABOVE_MAX,
        "'min_length' (300) が 'max_length' (200、既定値) より大きくなっています"
        " / 'min_length' (300) is above 'max_length' (200, default)",
    ),
    case(
        "max_length zero",
        fields("""
            - id: name
              type: text
              label: 氏名
              max_length: 0
        """),
        12,
        ErrorCode.INVALID_VALUE,
        "'max_length' must be a positive integer (got 0)",
    ),
    case(
        "max_length above the ceiling of text",
        fields("""
            - id: name
              type: text
              label: 氏名
              max_length: 1001
        """),
        12,
        ErrorCode.OUT_OF_RANGE,
        "'max_length' は 1 から 1,000 までです（1001） / 'max_length' must be from 1 to 1,000 (got 1001)",
    ),
    case(
        "max_length above the ceiling of textarea",
        fields("""
            - id: note
              type: textarea
              label: 備考
              max_length: 2000000
        """),
        12,
        ErrorCode.OUT_OF_RANGE,
        "'max_length' must be from 1 to 10,000 (got 2000000)",
    ),
    case(
        "integer max beyond a 32-bit column",
        fields("""
            - id: amount
              type: integer
              label: 金額
              max: 10000000000
        """),
        12,
        ErrorCode.OUT_OF_RANGE,
        "'max' must be from -2,147,483,648 to 2,147,483,647 (got 10000000000)",
    ),
    case(
        "integer min beyond a 32-bit column",
        fields("""
            - id: amount
              type: integer
              label: 金額
              min: -2147483649
        """),
        12,
        ErrorCode.OUT_OF_RANGE,
        "'min' must be from -2,147,483,648 to 2,147,483,647 (got -2147483649)",
    ),
    case(
        "kana script unknown",
        fields("""
            - id: reading
              type: text
              label: フリガナ
              kana: kata
        """),
        12,
        ErrorCode.INVALID_VALUE,
        "'kana' must be katakana or hiragana (got 'kata')",
    ),
    case(
        "charset other than jis",
        fields("""
            - id: name
              type: text
              label: 氏名
              charset: utf8
        """),
        12,
        ErrorCode.INVALID_VALUE,
        "'charset' must be jis (got 'utf8')",
    ),
    case(
        "name kana not a boolean",
        fields("""
            - id: name
              type: name
              label: 氏名
              kana: katakana
        """),
        12,
        ErrorCode.INVALID_VALUE,
        "'kana' must be true or false (got 'katakana')",
    ),
    case(
        "address charset",
        fields("""
            - id: address
              type: address
              label: 住所
              charset: sjis
        """),
        12,
        ErrorCode.INVALID_VALUE,
        "'charset' must be jis (got 'sjis')",
    ),
    case(
        "integer min above max",
        fields("""
            - id: age
              type: integer
              label: 年齢
              min: 120
              max: 18
        """),
        12,
        ErrorCode.MIN_ABOVE_MAX,
        "'min' (120) is above 'max' (18)",
    ),
    case(
        "integer min not an integer",
        fields("""
            - id: age
              type: integer
              label: 年齢
              min: 1.5
        """),
        12,
        ErrorCode.INVALID_VALUE,
        "'min' must be an integer (got 1.5)",
    ),
    case(
        "integer unit without ja",
        fields("""
            - id: count
              type: integer
              label: 頭数
              unit: {en: heads}
        """),
        12,
        ErrorCode.TEXT_WITHOUT_JA,
        "text 'unit' has no 'ja' entry",
    ),
    case(
        "date min above max",
        fields("""
            - id: start
              type: date
              label: 開始日
              min: 2025-04-01
              max: 2025-03-31
        """),
        12,
        ErrorCode.MIN_ABOVE_MAX,
        "'min' (2025-04-01) is above 'max' (2025-03-31)",
    ),
    case(
        "relative date min above max",
        fields("""
            - id: birth_date
              type: date
              label: 生年月日
              min: today
              max: today-18y
        """),
        12,
        ErrorCode.MIN_ABOVE_MAX,
        "'min' (today) is above 'max' (today-18y)",
    ),
    case(
        "date that does not exist",
        fields("""
            - id: start
              type: date
              label: 開始日
              max: 2025-02-30
        """),
        12,
        ErrorCode.INVALID_VALUE,
        "'max' must be a date (YYYY-MM-DD), today, or today+30d / today-18y (units d, m, y)"
        " (got '2025-02-30')",
    ),
    case(
        "date bound in weeks",
        fields("""
            - id: start
              type: date
              label: 開始日
              min: today+2w
        """),
        12,
        ErrorCode.INVALID_VALUE,
        "(got 'today+2w')",
    ),
    case(
        "relative date beyond the calendar",
        fields("""
            - id: start
              type: date
              label: 開始日
              max: today+9999999999d
        """),
        12,
        ErrorCode.INVALID_VALUE,
        "(got 'today+9999999999d')",
    ),
    case(
        "radio without options",
        fields("- {id: kind, type: radio, label: 種類}"),
        9,
        ErrorCode.OPTIONS_MISSING,
        "'radio' 型のフィールドには選択肢 options（空でないリスト）が必要です"
        " / a field of type 'radio' needs options (a non-empty list)",
    ),
    case(
        "select with no options",
        fields("""
            - id: kind
              type: select
              label: 種類
              options: []
        """),
        12,
        ErrorCode.OPTIONS_MISSING,
        "a field of type 'select' needs options",
    ),
    case(
        "options not a list",
        fields("""
            - id: kind
              type: select
              label: 種類
              options: net
        """),
        12,
        ErrorCode.INVALID_VALUE,
        "'options' must be a non-empty list (got 'net')",
    ),
    case(
        "duplicate option value",
        fields("""
            - id: kind
              type: radio
              label: 種類
              options:
                - {value: net, label: 網}
                - {value: net, label: わな}
        """),
        14,
        ErrorCode.OPTIONS_DUPLICATE,
        "選択肢の値 'net' が重複しています（13 行目にもあります） / duplicate option value 'net' (also on line 13)",
    ),
    case(
        "duplicate option value, number and string",
        fields("""
            - id: rank
              type: select
              label: 等級
              options:
                - {value: 1, label: 一級}
                - {value: "1", label: 一級}
        """),
        14,
        ErrorCode.OPTIONS_DUPLICATE,
        "duplicate option value '1' (also on line 13)",
    ),
    case(
        "option value read as a boolean",
        fields("""
            - id: agree
              type: radio
              label: 同意
              options:
                - {value: yes, label: はい}
                - {value: "no", label: いいえ}
        """),
        13,
        ErrorCode.INVALID_VALUE,
        "'value' must be a non-empty string or an integer (quote yes, no, true, false) (got true)",
    ),
    case(
        "option without label",
        fields("""
            - id: kind
              type: radio
              label: 種類
              options:
                - {value: net}
        """),
        13,
        ErrorCode.MISSING_KEY,
        "missing required key 'label'",
    ),
    case(
        "option key misspelt",
        fields("""
            - id: kind
              type: radio
              label: 種類
              options:
                - value: net
                  lable: 網
        """),
        14,
        ErrorCode.UNKNOWN_KEY,
        "unknown key 'lable' (did you mean 'label'?)",
    ),
    case(
        "option label without ja",
        fields("""
            - id: kind
              type: radio
              label: 種類
              options:
                - {value: net, label: {en: Net}}
        """),
        13,
        ErrorCode.TEXT_WITHOUT_JA,
        "text 'label' has no 'ja' entry",
    ),
    case(
        "min_selected above max_selected",
        fields("""
            - id: kinds
              type: checkboxes
              label: 種類
              options:
                - {value: net, label: 網}
                - {value: trap, label: わな}
              min_selected: 2
              max_selected: 1
        """),
        15,
        ErrorCode.MIN_ABOVE_MAX,
        "'min_selected' (2) is above 'max_selected' (1)",
    ),
    case(
        "file accept with a wildcard",
        fields("""
            - id: photo
              type: file
              label: 写真
              accept:
                - image/jpeg
                - image/*
        """),
        14,
        ErrorCode.INVALID_VALUE,
        "'accept' must be a MIME type such as image/jpeg (no wildcards) (got 'image/*')",
    ),
    case(
        "file accept not a list",
        fields("""
            - id: photo
              type: file
              label: 写真
              accept: image/jpeg
        """),
        12,
        ErrorCode.INVALID_VALUE,
        "'accept' must be a non-empty list (got 'image/jpeg')",
    ),
    case(
        "file max_size_mb zero",
        fields("""
            - id: photo
              type: file
              label: 写真
              max_size_mb: 0
        """),
        12,
        ErrorCode.INVALID_VALUE,
        "'max_size_mb' must be a positive number (got 0)",
    ),
    case(
        "file multiple not a boolean",
        fields("""
            - id: photo
              type: file
              label: 写真
              multiple: "yes"
        """),
        12,
        ErrorCode.INVALID_VALUE,
        "'multiple' must be true or false (got 'yes')",
    ),
    case(
        "file max_files zero",
        fields("""
            - id: photo
              type: file
              label: 写真
              max_files: 0
        """),
        12,
        ErrorCode.INVALID_VALUE,
        "'max_files' must be a positive integer (got 0)",
    ),
    case(
        "group without fields",
        fields("- {id: household, type: group, label: 世帯}"),
        9,
        ErrorCode.MISSING_KEY,
        "missing required key 'fields'",
    ),
    case(
        "group with no fields",
        fields("""
            - id: household
              type: group
              label: 世帯
              fields: []
        """),
        12,
        ErrorCode.INVALID_VALUE,
        "'fields' must be a non-empty list (got [])",
    ),
    case(
        "file in a group",
        fields("""
            - id: household
              type: group
              label: 世帯
              fields:
                - {id: member_photo, type: file, label: 写真}
        """),
        13,
        ErrorCode.NOT_ALLOWED_IN_GROUP,
        "グループの中に 'file' 型のフィールドは置けません / a field of type 'file' is not allowed inside a group",
    ),
    case(
        "group in a group",
        fields("""
            - id: household
              type: group
              label: 世帯
              fields:
                - id: children
                  type: group
                  label: 子
                  fields:
                    - {id: child_name, type: text, label: 氏名}
        """),
        14,
        ErrorCode.NOT_ALLOWED_IN_GROUP,
        "a field of type 'group' is not allowed inside a group",
    ),
    case(
        "repeat min above max",
        fields("""
            - id: household
              type: group
              label: 世帯
              repeat: {min: 3, max: 1}
              fields:
                - {id: relation, type: text, label: 続柄}
        """),
        12,
        ErrorCode.MIN_ABOVE_MAX,
        "'repeat.min' (3) が 'repeat.max' (1) より大きくなっています / 'repeat.min' (3) is above 'repeat.max' (1)",
    ),
    case(
        "repeat max above the most items of a group",
        fields("""
            - id: household
              type: group
              label: 世帯
              repeat:
                max: 101
              fields:
                - {id: relation, type: text, label: 続柄}
        """),
        13,
        ErrorCode.OUT_OF_RANGE,
        "'repeat.max' must be from 0 to 100 (got 101)",
    ),
    case(
        "repeat min above the default max",
        fields("""
            - id: household
              type: group
              label: 世帯
              repeat:
                min: 21
              fields:
                - {id: relation, type: text, label: 続柄}
        """),
        13,
        ErrorCode.MIN_ABOVE_MAX,
        "'repeat.min' (21) is above 'repeat.max' (20, default)",
    ),
    case(
        "repeat min negative",
        fields("""
            - id: household
              type: group
              label: 世帯
              repeat:
                min: -1
              fields:
                - {id: relation, type: text, label: 続柄}
        """),
        13,
        ErrorCode.INVALID_VALUE,
        "'min' must be a non-negative integer (got -1)",
    ),
    case(
        "repeat key misspelt",
        fields("""
            - id: household
              type: group
              label: 世帯
              repeat:
                mx: 6
              fields:
                - {id: relation, type: text, label: 続柄}
        """),
        13,
        ErrorCode.UNKNOWN_KEY,
        "unknown key 'mx' (did you mean 'max'?)",
    ),
    case(
        "repeat not a map",
        fields("""
            - id: household
              type: group
              label: 世帯
              repeat: 6
              fields:
                - {id: relation, type: text, label: 続柄}
        """),
        12,
        ErrorCode.INVALID_VALUE,
        "'repeat' must be a map (key: value) (got 6)",
    ),
    case(
        "item_label without ja",
        fields("""
            - id: household
              type: group
              label: 世帯
              item_label: {en: Member}
              fields:
                - {id: relation, type: text, label: 続柄}
        """),
        12,
        ErrorCode.TEXT_WITHOUT_JA,
        "text 'item_label' has no 'ja' entry",
    ),
    # --- conditions ---------------------------------------------------------------------
    case(
        "condition not a map",
        condition("kind == gun1"),
        23,
        ErrorCode.CONDITION_MALFORMED,
        "条件が不正です: 条件は {field: ..., equals: ...} や {all: [...]} の形のマップです"
        " / malformed condition: a condition is a map like {field: ..., equals: ...} or {all: [...]}",
    ),
    case(
        "condition without operator",
        condition("{field: kind}"),
        23,
        ErrorCode.CONDITION_MALFORMED,
        "malformed condition: no operator (equals, not_equals, in, not_in, gt, gte, lt, lte, filled)",
    ),
    case(
        "condition with two operators",
        condition("{field: age, gte: 18, lte: 65}"),
        23,
        ErrorCode.CONDITION_MALFORMED,
        "条件が不正です: 演算子は 1 つだけです（gte, lte） / malformed condition: only one operator is allowed (got gte, lte)",
    ),
    case(
        "condition operator misspelt",
        condition("{field: kind, equal: gun1}"),
        23,
        ErrorCode.CONDITION_MALFORMED,
        "条件が不正です: 不明な演算子 'equal'（もしかして 'equals'?）"
        " / malformed condition: unknown operator 'equal' (did you mean 'equals'?)",
    ),
    case(
        "condition without field",
        condition("{equals: gun1}"),
        23,
        ErrorCode.CONDITION_MALFORMED,
        "malformed condition: 'field' is missing",
    ),
    case(
        "condition field misspelt",
        condition("{feild: kind, equals: gun1}"),
        23,
        ErrorCode.CONDITION_MALFORMED,
        "unknown operator 'feild' (did you mean 'field'?)",
    ),
    case(
        "condition field not an id",
        condition("{field: [kind], equals: gun1}"),
        23,
        ErrorCode.CONDITION_MALFORMED,
        "malformed condition: 'field' must be a field id",
    ),
    case(
        "condition all empty",
        condition("{all: []}"),
        23,
        ErrorCode.CONDITION_MALFORMED,
        "malformed condition: 'all' needs a non-empty list of conditions",
    ),
    case(
        "condition any not a list",
        condition("{any: {field: kind, equals: net}}"),
        23,
        ErrorCode.CONDITION_MALFORMED,
        "malformed condition: 'any' needs a non-empty list of conditions",
    ),
    case(
        "condition combinator with other keys",
        condition("{all: [{field: kind, equals: net}], field: age}"),
        23,
        ErrorCode.CONDITION_MALFORMED,
        "malformed condition: 'all' cannot be combined with other keys in the same map",
    ),
    case(
        "condition not with a list",
        condition("{not: [{field: kind, equals: net}]}"),
        23,
        ErrorCode.CONDITION_MALFORMED,
        "malformed condition: a condition is a map",
    ),
    case(
        "condition on an unknown field, did you mean",
        condition("{field: knd, equals: net}"),
        23,
        ErrorCode.CONDITION_UNKNOWN_FIELD,
        "条件が不明なフィールド 'knd' を参照しています（もしかして 'kind'?）"
        " / condition refers to an unknown field 'knd' (did you mean 'kind'?)",
    ),
    case(
        "condition on a field inside a group",
        fields("""
            - id: household
              type: group
              label: 世帯
              fields:
                - {id: relation, type: text, label: 続柄}
            - id: note
              type: text
              label: 備考
              show_if: {field: relation, filled: true}
        """),
        17,
        ErrorCode.CONDITION_UNKNOWN_FIELD,
        "condition refers to an unknown field 'relation' (fields inside a group cannot be used in conditions)",
    ),
    case(
        "condition on a later field",
        fields("""
            - id: permit
              type: text
              label: 許可番号
              show_if: {field: kind, equals: gun1}
            - id: kind
              type: radio
              label: 種類
              options:
                - {value: gun1, label: 銃}
        """),
        12,
        ErrorCode.CONDITION_LATER_FIELD,
        "条件がフィールド 'kind' を参照していますが、条件に使えるのは前のページか同じページの前にあるフィールドだけです"
        " / condition refers to 'kind', but only fields on an earlier page or earlier on the same page can be used",
    ),
    case(
        "condition on the field itself",
        condition("{field: target, filled: true}"),
        23,
        ErrorCode.CONDITION_LATER_FIELD,
        "condition refers to 'target', but only fields",
    ),
    case(
        "page condition on a field of the same page",
        TOP
        + pages("""
              - id: first
                title: 一
                show_if: {field: email, filled: true}
                fields:
                  - {id: email, type: email, label: メール}
        """),
        8,
        ErrorCode.CONDITION_LATER_FIELD,
        "condition refers to 'email'",
    ),
    case(
        "condition on a field of a later page",
        TOP
        + pages("""
              - id: first
                title: 一
                fields:
                  - id: permit
                    type: text
                    label: 許可番号
                    show_if: {field: kind, equals: gun1}
              - id: second
                title: 二
                fields:
                  - {id: kind, type: radio, label: 種類, options: [{value: gun1, label: 銃}]}
        """),
        12,
        ErrorCode.CONDITION_LATER_FIELD,
        "condition refers to 'kind'",
    ),
    case(
        "order operator on an option field",
        condition("{field: kind, gt: net}"),
        23,
        ErrorCode.CONDITION_OPERATOR,
        "演算子 'gt' は 'radio' 型のフィールド 'kind' には使えません（使えるもの: equals, filled, in, not_equals, not_in）"
        " / operator 'gt' does not fit field 'kind' of type 'radio' (allowed: equals, filled, in, not_equals, not_in)",
    ),
    case(
        "equals on a file",
        condition("{field: photo, equals: x.jpg}"),
        23,
        ErrorCode.CONDITION_OPERATOR,
        "operator 'equals' does not fit field 'photo' of type 'file' (allowed: filled)",
    ),
    case(
        "any operator on a heading",
        condition("{field: note, filled: true}"),
        23,
        ErrorCode.CONDITION_OPERATOR,
        "operator 'filled' does not fit field 'note' of type 'heading' (allowed: —)",
    ),
    case(
        "in without a list",
        condition("{field: kind, in: gun1}"),
        23,
        ErrorCode.CONDITION_VALUE,
        "条件 'in' の値 'gun1' が不正です: 空でないリスト / invalid value 'gun1' for 'in': a non-empty list",
    ),
    case(
        "equals a value that is not an option",
        condition("{field: kind, equals: gun2}"),
        23,
        ErrorCode.CONDITION_VALUE,
        "条件 'equals' の値 'gun2' が不正です: 'kind' の選択肢の値（net, gun1）のいずれか"
        " / invalid value 'gun2' for 'equals': one of the option values of 'kind' (net, gun1)",
    ),
    case(
        "in with a value that is not an option",
        condition("{field: kind, in: [net, gun2]}"),
        23,
        ErrorCode.CONDITION_VALUE,
        "invalid value 'gun2' for 'in': one of the option values of 'kind'",
    ),
    case(
        "filled not a boolean",
        condition("{field: kind, filled: 'yes'}"),
        23,
        ErrorCode.CONDITION_VALUE,
        "invalid value 'yes' for 'filled': true or false",
    ),
    case(
        "integer compared with a string",
        condition("{field: age, gte: '18'}"),
        23,
        ErrorCode.CONDITION_VALUE,
        "invalid value '18' for 'gte': a number",
    ),
    case(
        "date compared with something else",
        condition("{field: birth, lt: yesterday}"),
        23,
        ErrorCode.CONDITION_VALUE,
        "invalid value 'yesterday' for 'lt': a date (YYYY-MM-DD), today",
    ),
    case(
        "checkbox compared with a string",
        condition("{field: agree, equals: 'on'}"),
        23,
        ErrorCode.CONDITION_VALUE,
        "invalid value 'on' for 'equals': true or false",
    ),
    case(
        "nested condition reported on its own line",
        fields(
            CONDITION_FIELDS
            + """\
  show_if:
    all:
      - {field: kind, equals: net}
      - not:
          {field: age, equals: old}
"""
        ),
        27,
        ErrorCode.CONDITION_VALUE,
        "invalid value 'old' for 'equals': a number",
    ),
    # --- the decision and its results -------------------------------------------------------
    case(
        "workflow step with an unknown role",
        with_pages("""
            id: test-form
            version: 1
            procedure: P-0001
            title: テスト
            workflow:
              steps:
                - {role: department, name: 担当}
                - {role: boss, name: 課長}
        """),
        8,
        ErrorCode.INVALID_VALUE,
        "'role' must be department or department_head (got 'boss')",
    ),
    case(
        "workflow with too many steps",
        with_pages("""
            id: test-form
            version: 1
            procedure: P-0001
            title: テスト
            workflow:
              steps: [{role: department, name: a}, {role: department, name: b}, {role: department, name: c}, {role: department, name: d}, {role: department, name: e}, {role: department, name: f}]
        """),
        6,
        ErrorCode.INVALID_VALUE,
        "'steps' must be a list of 1 to 5 steps",
    ),
    case(
        "result for an outcome that is no decision",
        with_pages("""
            id: test-form
            version: 1
            procedure: P-0001
            title: テスト
            results:
              - {id: notice, kind: notice, when: maybe, title: 通知書, body: 本文}
        """),
        6,
        ErrorCode.INVALID_VALUE,
        "'when' must be approved or rejected (got 'maybe')",
    ),
    case(
        "result body naming a field the form does not have",
        with_pages("""
            id: test-form
            version: 1
            procedure: P-0001
            title: テスト
            results:
              - id: notice
                kind: permit
                when: approved
                title: 許可証
                body: "{{ answers.nickname }} 様"
        """),
        10,
        ErrorCode.RESULT_TEMPLATE,
        "the result document's body (ja) cannot be used as a template: answers.nickname ?",
    ),
    case(
        "result body that is no template",
        with_pages("""
            id: test-form
            version: 1
            procedure: P-0001
            title: テスト
            results:
              - {id: notice, kind: notice, when: rejected, title: 通知書, body: "{% if %}"}
        """),
        6,
        ErrorCode.RESULT_TEMPLATE,
        "cannot be used as a template: Expected an expression",
    ),
    case(
        "prefill on a form without sign-in",
        fields("""
            - {id: name, type: name, label: 氏名, prefill: profile.name}
        """),
        9,
        ErrorCode.PREFILL_WITHOUT_IDENTITY,
        "'name' has prefill, which needs identity: optional or required",
    ),
]


@pytest.mark.parametrize(("text", "line", "code", "message", "procedures"), CASES)
def test_error_is_reported_at_its_line(text, line, code, message, procedures):
    form, problems = parse(text, path=PATH, procedures=procedures)
    assert form is None
    found = [p for p in problems if str(p).startswith(f"{PATH}:{line}: ") and message in str(p)]
    assert found, f"{PATH}:{line}: …{message}… not in:\n" + "\n".join(map(str, problems))
    assert found[0].code is code


def test_every_error_code_has_a_case():
    covered = {param.values[2] for param in CASES} | {ErrorCode.NOT_UTF8}  # see below
    assert covered == set(ErrorCode)


def test_error_codes_are_stable():
    """Codes are part of the contract (tools and docs may refer to them)."""
    assert [code.value for code in ErrorCode] == [
        "yaml_syntax",
        "not_utf8",
        "duplicate_key",
        "tag_not_allowed",
        "unreadable_value",
        "number_too_large",
        "unusable_char",
        "too_deep",
        "too_many_values",
        "not_a_form",
        "unknown_key",
        "key_not_allowed",
        "missing_key",
        "invalid_value",
        "invalid_language",
        "text_without_ja",
        "out_of_range",
        "min_above_max",
        "invalid_regex",
        "unknown_procedure",
        "duplicate_id",
        "unknown_type",
        "not_allowed_in_group",
        "options_missing",
        "options_duplicate",
        "condition_malformed",
        "condition_unknown_field",
        "condition_later_field",
        "condition_operator",
        "condition_value",
        "webhook_url",
        "result_template",
        "prefill_without_identity",
    ]
    assert ErrorCode("unknown_key") is ErrorCode.UNKNOWN_KEY
    assert ErrorCode.UNKNOWN_KEY == "unknown_key"


def test_message_is_japanese_then_english():
    message = ErrorCode.UNKNOWN_KEY.message(key="lable", suggestion="label")
    assert (
        message
        == "不明なキー 'lable'（もしかして 'label'?） / unknown key 'lable' (did you mean 'label'?)"
    )
    assert ErrorCode.UNKNOWN_KEY.message(key="x") == "不明なキー 'x' / unknown key 'x'"
    message = ErrorCode.INVALID_VALUE.message(key="k", value=None, expected=Detail.BOOLEAN)
    assert (
        message
        == "'k' には true か false を指定してください（null） / 'k' must be true or false (got null)"
    )


def test_problem_reads_path_line_message():
    problem = Problem("forms/a.yaml", 7, ErrorCode.MISSING_KEY, "m / m")
    assert str(problem) == "forms/a.yaml:7: m / m"


def test_non_utf8_file(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes("id: test-form\ntitle: 狩猟\n".encode() + "dé: x\n".encode("latin-1"))
    form, problems = check_file(path)
    assert form is None
    assert [str(p) for p in problems] == [
        f"{path}:3: ファイルが UTF-8 ではありません / the file is not UTF-8"
    ]
    assert problems[0].code is ErrorCode.NOT_UTF8


def test_problems_of_a_file_are_all_reported_in_line_order(tmp_path):
    path = tmp_path / "several.yaml"
    path.write_text(
        yaml("""
            id: several
            version: 0
            procedure: P-0001
            title: {en: Several problems}
            pages:
              - id: first
                title: 一
                fields:
                  - id: kind
                    type: radoi
                    label: 種類
                  - id: permit
                    type: text
                    lable: 許可番号
                    pattern: '('
                    show_if: {field: knd, equals: gun1}
                  - {id: permit, type: integer, label: 頭数, min: 5, max: 1}
        """),
        encoding="utf-8",
    )
    form, problems = check_file(path)
    assert form is None
    assert [(p.line, p.code) for p in problems] == [
        (2, ErrorCode.INVALID_VALUE),
        (4, ErrorCode.TEXT_WITHOUT_JA),
        (10, ErrorCode.UNKNOWN_TYPE),
        (12, ErrorCode.MISSING_KEY),
        (14, ErrorCode.UNKNOWN_KEY),
        (15, ErrorCode.INVALID_REGEX),
        (16, ErrorCode.CONDITION_UNKNOWN_FIELD),
        (17, ErrorCode.DUPLICATE_ID),
        (17, ErrorCode.MIN_ABOVE_MAX),
    ]
    assert all(str(p).startswith(f"{path}:{p.line}: ") for p in problems)
    assert "unknown field type 'radoi' (did you mean 'radio'?)" in str(problems[2])
    assert "unknown key 'lable' (did you mean 'label'?)" in str(problems[4])


def test_problems_are_sorted_even_when_found_later():
    """Missing keys of the top level (line 1) are found after the keys below them."""
    _, problems = parse(with_pages("title: テスト\nversoin: 1\n"), path=PATH)
    assert [p.line for p in problems] == sorted(p.line for p in problems)
    assert [(p.line, p.code) for p in problems][:2] == [
        (1, ErrorCode.MISSING_KEY),
        (1, ErrorCode.MISSING_KEY),
    ]
    assert any("did you mean 'version'" in str(p) for p in problems)


def test_unknown_type_does_not_hide_other_problems_of_the_field():
    _, problems = parse(fields("- {id: Kind, type: txt, lable: 種類}"), path=PATH)
    assert {p.code for p in problems} == {
        ErrorCode.UNKNOWN_TYPE,
        ErrorCode.INVALID_VALUE,
        ErrorCode.UNKNOWN_KEY,
    }


def test_a_valid_form_has_no_problems():
    form, problems = parse(fields("- {id: name, type: text, label: 氏名}"), path=PATH)
    assert problems == []
    assert form is not None


@pytest.mark.parametrize(
    ("page_id", "field_id", "expected"),
    [
        ("check", "name", "page_id"),
        ("done", "name", "page_id"),
        ("first", "action", "field_id"),
        ("first", "csrf_token", "field_id"),
    ],
)
def test_reserved_ids_are_refused(page_id, field_id, expected):
    text = f"""\
id: reserved
version: 1
procedure: P-1
title: 予約語
pages:
  - id: {page_id}
    title: ページ
    fields:
      - id: {field_id}
        type: text
        label: 氏名
"""
    defn, problems = parse(text, path="f.yaml")
    assert defn is None
    line = 6 if expected == "page_id" else 9
    assert any(
        p.line == line and "start, check, submit" in p.message
        if expected == "page_id"
        else p.line == line and "action, csrf_token" in p.message
        for p in problems
    ), problems
