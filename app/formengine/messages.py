"""Messages to residents, in each language the engine speaks (ja, en, ja-easy).

One entry per rule; `message(code, lang, **values)` falls back to Japanese.
"""

from __future__ import annotations

from types import MappingProxyType

MESSAGES = MappingProxyType(
    {
        "required": {
            "ja": "{label}を入力してください。",
            "en": "Enter {label}.",
            "ja-easy": "{label}を かいてください。",
        },
        "required_choice": {
            "ja": "{label}を選んでください。",
            "en": "Select {label}.",
            "ja-easy": "{label}を えらんでください。",
        },
        "required_tick": {
            "ja": "{label}にチェックを入れてください。",
            "en": "Tick the box: {label}",
            "ja-easy": "{label}に チェックを いれてください。",
        },
        "declaration": {
            "ja": "申請内容を確認し、宣誓欄にチェックを入れてください。",
            "en": "Check your answers, then tick the box to confirm the declaration.",
            "ja-easy": "ないようを たしかめて、「どういします」に チェックを いれてください。",
        },
        "required_file": {
            "ja": "{label}を添付してください。",
            "en": "Attach {label}.",
            "ja-easy": "{label}を つけてください。",
        },
        "too_short": {
            "ja": "{label}は{n}文字以上で入力してください。",
            "en": "{label} must be at least {n} characters.",
            "ja-easy": "{label}は {n}もじ いじょう かいてください。",
        },
        "too_long": {
            "ja": "{label}は{n}文字以内で入力してください。",
            "en": "{label} must be {n} characters or fewer.",
            "ja-easy": "{label}は {n}もじ までで かいてください。",
        },
        "part_too_long": {
            "ja": "{label}の{part}は{n}文字以内で入力してください。",
            "en": "The {part} of {label} must be {n} characters or fewer.",
            "ja-easy": "{label}の {part}は {n}もじ までで かいてください。",
        },
        "pattern": {
            "ja": "{label}の形式が正しくありません。",
            "en": "{label} is not in the right format.",
            "ja-easy": "{label}の かきかたが ちがいます。",
        },
        "katakana": {
            "ja": "{label}はカタカナで入力してください。",
            "en": "Enter {label} in katakana.",
            "ja-easy": "{label}は カタカナで かいてください。",
        },
        "hiragana": {
            "ja": "{label}はひらがなで入力してください。",
            "en": "Enter {label} in hiragana.",
            "ja-easy": "{label}は ひらがなで かいてください。",
        },
        "charset": {
            "ja": "{label}に使えない文字「{char}」が含まれています。別の字体（例: 𠮷→吉）で入力してください。",
            "en": "{label} contains a character our systems cannot store: “{char}”. Use a common form of it (e.g. 𠮷 → 吉).",
            "ja-easy": "{label}に つかえない もじ「{char}」が あります。ちがう もじで かいてください。",
        },
        "integer": {
            "ja": "{label}は数字で入力してください。",
            "en": "Enter {label} as a whole number.",
            "ja-easy": "{label}は すうじで かいてください。",
        },
        "min": {
            "ja": "{label}は{n}以上にしてください。",
            "en": "{label} must be {n} or more.",
            "ja-easy": "{label}は {n}より おおきく してください。",
        },
        "max": {
            "ja": "{label}は{n}以下にしてください。",
            "en": "{label} must be {n} or less.",
            "ja-easy": "{label}は {n}より ちいさく してください。",
        },
        "email": {
            "ja": "{label}を正しい形式（例: name@example.jp）で入力してください。",
            "en": "Enter {label} in the right format, like name@example.jp.",
            "ja-easy": "{label}を ただしく かいてください（れい: name@example.jp）。",
        },
        "tel": {
            "ja": "{label}は10桁または11桁の電話番号で入力してください（例: 059-224-2000）。",
            "en": "Enter {label} as a Japanese phone number of 10 or 11 digits, like 059-224-2000.",
            "ja-easy": "{label}は 10けた か 11けたの でんわばんごうを かいてください。",
        },
        "date": {
            "ja": "{label}を正しい日付で入力してください（例: 2024年4月1日、令和6年4月1日）。",
            "en": "Enter {label} as a real date, like 2024-04-01.",
            "ja-easy": "{label}を ただしい ひにちで かいてください。",
        },
        "date_min": {
            "ja": "{label}は{date}以降の日付にしてください。",
            "en": "{label} must be on or after {date}.",
            "ja-easy": "{label}は {date}より あとの ひにちに してください。",
        },
        "date_max": {
            "ja": "{label}は{date}以前の日付にしてください。",
            "en": "{label} must be on or before {date}.",
            "ja-easy": "{label}は {date}より まえの ひにちに してください。",
        },
        "option": {
            "ja": "{label}は選択肢から選んでください。",
            "en": "Select {label} from the list.",
            "ja-easy": "{label}は えらべる ものから えらんでください。",
        },
        "min_selected": {
            "ja": "{label}は{n}つ以上選んでください。",
            "en": "Select at least {n} for {label}.",
            "ja-easy": "{label}は {n}つ いじょう えらんでください。",
        },
        "max_selected": {
            "ja": "{label}は{n}つまで選べます。",
            "en": "Select no more than {n} for {label}.",
            "ja-easy": "{label}は {n}つ までです。",
        },
        "part_required": {
            "ja": "{label}の{part}を入力してください。",
            "en": "Enter {part} of {label}.",
            "ja-easy": "{label}の {part}を かいてください。",
        },
        "postal_code": {
            "ja": "郵便番号は7桁の数字で入力してください（例: 514-0006）。",
            "en": "Enter the postcode as 7 digits, like 514-0006.",
            "ja-easy": "ゆうびんばんごうは 7けたの すうじで かいてください。",
        },
        "postal_unknown": {
            "ja": "郵便番号 {code} は見つかりませんでした。番号を確かめてください。",
            "en": "We could not find postcode {code}. Check the number.",
            "ja-easy": "ゆうびんばんごう {code}は みつかりませんでした。",
        },
        "prefecture": {
            "ja": "都道府県名が正しくありません。",
            "en": "That is not a Japanese prefecture.",
            "ja-easy": "とどうふけんの なまえが ちがいます。",
        },
        "file_type": {
            "ja": "{name} の形式（{found}）は受け付けられません。{allowed} のファイルを添付してください。",
            "en": "{name} is {found}, which we cannot accept. Attach a file of type {allowed}.",
            "ja-easy": "{name}は つかえない ファイルです。{allowed}の ファイルを つけてください。",
        },
        "file_size": {
            "ja": "{name} は{size}MBです。{max}MB以下のファイルを添付してください。",
            "en": "{name} is {size} MB. Attach a file of {max} MB or less.",
            "ja-easy": "{name}は おおきすぎます（{max}MBまで）。",
        },
        "file_pixels": {
            "ja": "{name} は{width}×{height}ピクセルの画像で、大きすぎます。{max}以下に縮小してから添付してください。",
            "en": "{name} is an image of {width} × {height} pixels, which is too large. Make it smaller ({max} at most) and attach it again.",
            "ja-easy": "{name}は えが おおきすぎます。ちいさく してから つけてください。",
        },
        "file_expands": {
            "ja": "{name} は展開すると{max}MBを超えるため、受け付けられません。ファイルを分けて添付してください。",
            "en": "{name} expands to more than {max} MB, which we cannot accept. Split it into smaller files.",
            "ja-easy": "{name}は おおきすぎます。ファイルを わけて ください。",
        },
        "file_unreadable": {
            "ja": "{name} を読み取れませんでした。壊れているか、パスワードが設定されている可能性があります。",
            "en": "We could not read {name}. It may be damaged or protected by a password.",
            "ja-easy": "{name}を よめませんでした。",
        },
        "file_empty": {
            "ja": "{name} は空のファイルです。",
            "en": "{name} is empty.",
            "ja-easy": "{name}は なかみが ありません。",
        },
        "file_not_saved": {
            "ja": "{name} を保存できませんでした。時間をおいて、もう一度添付してください。ほかの入力内容は保存されています。",
            "en": "We could not save {name}. Please attach it again later. Your other answers have been kept.",
            "ja-easy": "{name}を ほぞん できませんでした。しばらく してから もう いちど つけてください。ほかの こたえは のこっています。",
        },
        "quota_bytes": {
            "ja": "{name} を添付すると、この申請の添付ファイルが合計{max}MBを超えます。ほかのファイルを削除するか、小さくしてから添付してください。",
            "en": "Attaching {name} would take this application's files over {max} MB in total. Remove another file or make it smaller, then attach it again.",
            "ja-easy": "{name}を つけると ファイルが ぜんぶで {max}MBより おおきく なります。ほかの ファイルを けすか、ちいさく してから つけてください。",
        },
        "quota_files": {
            "ja": "{name} を添付できません。1件の申請に添付できるファイルは{n}個までです。ほかのファイルを削除してから添付してください。",
            "en": "We could not attach {name}: one application can have at most {n} files. Remove another file first.",
            "ja-easy": "{name}は つけられません。ファイルは ぜんぶで {n}こ までです。ほかの ファイルを けしてから つけてください。",
        },
        "max_files": {
            "ja": "{label}は{n}ファイルまで添付できます。",
            "en": "Attach no more than {n} file(s) for {label}.",
            "ja-easy": "{label}は {n}こ までです。",
        },
        "file_ref": {
            "ja": "{label}の添付ファイルが見つかりません。もう一度添付してください。",
            "en": "We could not find the file attached for {label}. Attach it again.",
            "ja-easy": "{label}の ファイルが みつかりません。もう いちど つけてください。",
        },
        "repeat_min": {
            "ja": "{label}を{n}件以上入力してください。",
            "en": "Add at least {n} to {label}.",
            "ja-easy": "{label}を {n}つ いじょう かいてください。",
        },
        "repeat_max": {
            "ja": "{label}は{n}件までです。",
            "en": "{label} can have at most {n}.",
            "ja-easy": "{label}は {n}つ までです。",
        },
        "unusable_char": {
            "ja": "{label}に使えない文字（{code}）が含まれています。削除してから入力し直してください。",
            "en": "{label} contains a character that cannot be used ({code}). Remove it and try again.",
            "ja-easy": "{label}に つかえない もじ（{code}）が あります。けして ください。",
        },
        "unknown_field": {
            "ja": "この様式にない項目です。",
            "en": "This form has no such field.",
            "ja-easy": "この ようしきに ない こうもくです。",
        },
        "unknown_fields": {
            "ja": "この様式にない項目です。ほかにも、この様式にない項目が{n}件送られています（{names}）。",
            "en": "This form has no such field. {n} more fields the form does not have were sent ({names}).",
            "ja-easy": "この ようしきに ない こうもくです。ほかにも ない こうもくが {n}こ あります（{names}）。",
        },
        "more_errors": {
            "ja": "ほかに{n}件の誤りがあります。上の誤りを直してから、もう一度送ってください。",
            "en": "There are {n} more problems. Correct the ones above and send the answers again.",
            "ja-easy": "ほかにも {n}この まちがいが あります。うえの まちがいを なおしてから もう いちど おくってください。",
        },
        "invalid": {
            "ja": "{label}の値が正しくありません。",
            "en": "{label} is not valid.",
            "ja-easy": "{label}が ただしく ありません。",
        },
    }
)

PARTS = MappingProxyType(
    {
        "family": {"ja": "姓", "en": "family name", "ja-easy": "みょうじ"},
        "given": {"ja": "名", "en": "given name", "ja-easy": "なまえ"},
        "family_kana": {
            "ja": "姓（フリガナ）",
            "en": "family name reading",
            "ja-easy": "みょうじ（カタカナ）",
        },
        "given_kana": {
            "ja": "名（フリガナ）",
            "en": "given name reading",
            "ja-easy": "なまえ（カタカナ）",
        },
        "postal_code": {"ja": "郵便番号", "en": "postcode", "ja-easy": "ゆうびんばんごう"},
        "prefecture": {"ja": "都道府県", "en": "prefecture", "ja-easy": "とどうふけん"},
        "city": {
            "ja": "市区町村・町名",
            "en": "city, town and district",
            "ja-easy": "しちょうそん",
        },
        "street": {"ja": "番地", "en": "street number", "ja-easy": "ばんち"},
        "building": {
            "ja": "建物名・部屋番号",
            "en": "building and room",
            "ja-easy": "たてもの・へや",
        },
    }
)


def message(code: str, lang: str, /, **values) -> str:
    entry = MESSAGES[code]
    template = entry.get(lang) or entry["ja"]
    return template.format(**values)


def part_label(part: str, lang: str) -> str:
    entry = PARTS[part]
    return entry.get(lang) or entry["ja"]
