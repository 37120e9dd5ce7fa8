"""What the builder's pages call the registry's types and keys, in the staff's language.

Only names: which types exist and which keys each takes is the registry's (edit.py).
A type or key without a name here is shown by its YAML name.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _  # translated when shown

TYPES = {
    "text": _("1行の文字"),
    "textarea": _("複数行の文字"),
    "integer": _("整数"),
    "email": _("メールアドレス"),
    "tel": _("電話番号"),
    "date": _("日付"),
    "select": _("選択肢（プルダウン）"),
    "radio": _("選択肢（1つ選ぶ）"),
    "checkboxes": _("選択肢（複数選べる）"),
    "checkbox": _("チェックボックス（同意など）"),
    "name": _("氏名（姓・名・フリガナ）"),
    "address": _("住所（郵便番号から）"),
    "file": _("ファイルの添付"),
    "group": _("繰り返す質問のまとまり"),
    "heading": _("見出し"),
    "paragraph": _("説明文"),
}

KEYS = {
    "min_length": _("最小文字数"),
    "max_length": _("最大文字数"),
    "pattern": _("入力の形式（正規表現）"),
    "pattern_message": _("形式が違うときのメッセージ"),
    "charset": _("使える文字"),
    "kana": _("フリガナ"),
    "min": _("最小値"),
    "max": _("最大値"),
    "unit": _("単位"),
    "min_selected": _("最少の選択数"),
    "max_selected": _("最多の選択数"),
    "accept": _("受け付けるファイルの種類（MIMEタイプ、カンマ区切り）"),
    "max_size_mb": _("1ファイルの上限（MB）"),
    "multiple": _("複数のファイルを受け付ける"),
    "max_files": _("ファイル数の上限"),
    "item_label": _("1件ごとの見出し"),
    "repeat": _("繰り返す件数"),
    "repeat.min": _("最少の件数"),
    "repeat.max": _("最多の件数"),
}

CHOICES = {
    "jis": _("JIS第1・第2水準の漢字まで"),
    "katakana": _("カタカナ"),
    "hiragana": _("ひらがな"),
}

LANGUAGES = {"ja": _("日本語"), "en": _("英語"), "ja-easy": _("やさしい日本語")}

OPERATORS = {
    "equals": _("が次の値のとき"),
    "not_equals": _("が次の値でないとき"),
    "in": _("が次のどれかのとき（カンマ区切り）"),
    "not_in": _("が次のどれでもないとき（カンマ区切り）"),
    "filled": _("が入力されているとき"),
    "gt": _("が次の値より大きいとき"),
    "gte": _("が次の値以上のとき"),
    "lt": _("が次の値より小さいとき"),
    "lte": _("が次の値以下のとき"),
}

STATES = {
    "editing": _("編集中"),
    "in_review": _("審査中"),
    "published": _("公開済み"),
    "discarded": _("破棄"),
}

DECISIONS = {
    "sent": _("審査に出しました"),
    "withdrawn": _("審査から取り下げました"),
    "comment": _("コメント"),
    "sent_back": _("差し戻しました"),
    "approved": _("承認して公開しました"),
}


def type_label(name: str) -> str:
    return str(TYPES.get(name, name)) if isinstance(name, str) else str(name)


def key_label(name: str) -> str:
    return str(KEYS.get(name, name))
