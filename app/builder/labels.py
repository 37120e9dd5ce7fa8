"""What the builder's pages call the registry's types and keys, in the staff's language.

Only names: which types exist and which keys each takes is the registry's (edit.py).
A type or key without a name here is shown by its YAML name.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

TYPES = {
    "text": _l("1行の文字"),
    "textarea": _l("複数行の文字"),
    "integer": _l("整数"),
    "email": _l("メールアドレス"),
    "tel": _l("電話番号"),
    "date": _l("日付"),
    "select": _l("選択肢（プルダウン）"),
    "radio": _l("選択肢（1つ選ぶ）"),
    "checkboxes": _l("選択肢（複数選べる）"),
    "checkbox": _l("チェックボックス（同意など）"),
    "name": _l("氏名（姓・名・フリガナ）"),
    "address": _l("住所（郵便番号から）"),
    "file": _l("ファイルの添付"),
    "group": _l("繰り返す質問のまとまり"),
    "heading": _l("見出し"),
    "paragraph": _l("説明文"),
}

KEYS = {
    "min_length": _l("最小文字数"),
    "max_length": _l("最大文字数"),
    "pattern": _l("入力の形式（正規表現）"),
    "pattern_message": _l("形式が違うときのメッセージ"),
    "charset": _l("使える文字"),
    "kana": _l("フリガナ"),
    "min": _l("最小値"),
    "max": _l("最大値"),
    "unit": _l("単位"),
    "min_selected": _l("最少の選択数"),
    "max_selected": _l("最多の選択数"),
    "accept": _l("受け付けるファイルの種類（MIMEタイプ、カンマ区切り）"),
    "max_size_mb": _l("1ファイルの上限（MB）"),
    "multiple": _l("複数のファイルを受け付ける"),
    "max_files": _l("ファイル数の上限"),
    "item_label": _l("1件ごとの見出し"),
}

CHOICES = {
    "jis": _l("JIS第1・第2水準の漢字まで"),
    "katakana": _l("カタカナ"),
    "hiragana": _l("ひらがな"),
}

LANGUAGES = {"ja": _l("日本語"), "en": _l("英語"), "ja-easy": _l("やさしい日本語")}

OPERATORS = {
    "equals": _l("が次の値のとき"),
    "not_equals": _l("が次の値でないとき"),
    "in": _l("が次のどれかのとき（カンマ区切り）"),
    "not_in": _l("が次のどれでもないとき（カンマ区切り）"),
    "filled": _l("が入力されているとき"),
    "gt": _l("が次の値より大きいとき"),
    "gte": _l("が次の値以上のとき"),
    "lt": _l("が次の値より小さいとき"),
    "lte": _l("が次の値以下のとき"),
}

STATES = {
    "editing": _l("編集中"),
    "in_review": _l("審査中"),
    "published": _l("公開済み"),
    "discarded": _l("破棄"),
}

DECISIONS = {
    "sent": _l("審査に出しました"),
    "withdrawn": _l("審査から取り下げました"),
    "comment": _l("コメント"),
    "sent_back": _l("差し戻しました"),
    "approved": _l("承認して公開しました"),
}


def type_label(name: str) -> str:
    return str(TYPES.get(name, name))


def key_label(name: str) -> str:
    return str(KEYS.get(name, name))
