"""What each thing found in a 様式 means as a question of the form engine.

By meaning first, then by shape: 氏名 is a name (with its readings) whatever its box
looks like, 住所 an address (with the postcode look-up), 生年月日 a date in the past;
a box of □ options is a choice, `年　月　日` a date, `（　）円` an amount. What paper
needed and online does not is dropped with a note to the author (a seal box, 印) or
becomes a note (収入証紙). Only the engine's own field types are used.

Each question says how sure the reading is: `sure` when its meaning or its shape is
plain, unsure (with why) when the importer fell back to one line of text, took a label
from a field's machine name, or found a shape that disagrees with the label. No Flask,
no database.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from .found import Found

# --- labels -------------------------------------------------------------------------------

_NUMBERING = re.compile(
    r"^\s*(?:[0-9０-９]{1,2}|[（(][0-9０-９]{1,2}[）)]|[①-⑳]|[一二三四五六七八九十]{1,2}|[ア-オ])"
    r"\s*[\.．、:：)）]?\s+|^\s*(?:[（(][0-9０-９]{1,2}[）)]|[①-⑳])\s*"
)
_BULLET = re.compile(r"^\s*[・●○◯■◆\-－※]\s*")
_JUSTIFY = re.compile(r"(?<=[^\x00-\x7f])[ \u3000]+(?=[^\x00-\x7f])")
_BOXES = re.compile(r"[□☐■☑✓✔]")


def clean(label: str) -> str:
    """A label as an author would write it: no numbering or bullet in front, no spaces
    that only spread a word over a box (氏　　名), no colon at the end."""
    text = (label or "").replace("\r", "").replace("\n", " ").strip()
    text = _NUMBERING.sub("", text, count=1)
    text = _BULLET.sub("", text, count=1)
    text = _JUSTIFY.sub("", text)
    text = re.sub(r"[ \u3000]+", " ", text)
    return text.strip(" \u3000:：")


def key(label: str) -> str:
    """The label to match by meaning: NFKC, lower case, without spaces or brackets."""
    text = unicodedata.normalize("NFKC", clean(label)).lower()
    return re.sub(r"[\s()（）「」【】\[\]:：・]", "", text)


# --- what a label means ------------------------------------------------------------------


@dataclass(frozen=True)
class Meaning:
    name: str  # what the rule calls it
    pattern: re.Pattern
    stem: str  # the question id's stem


def _rule(name: str, pattern: str, stem: str) -> Meaning:
    return Meaning(name, re.compile(pattern), stem)


# first match wins: the narrower meanings come first
MEANINGS = (
    _rule("seal", r"^(印|㊞|押印|実印|認印|印鑑|捺印)(欄)?$", "seal"),
    _rule("stamp", r"収入証紙|証紙(貼付|ちょう付|はり付)?欄?$", "fee_note"),
    _rule("reading", r"^(フリガナ|ふりがな|カナ|よみがな|ヨミガナ)$", "reading"),
    _rule(
        "applied_on", r"^(申請|届出|提出|記入|申込)(年月)?日$|^(令和|平成)?年月日$", "applied_on"
    ),
    _rule("birth", r"生年月日", "birth_date"),
    _rule("corporate_number", r"法人番号", "corporate_number"),
    _rule("representative", r"代表者(の)?(職)?(氏名|名)?$", "representative_name"),
    _rule(
        "corporation",
        r"^(法人|団体|事業者|会社|事業所)(等)?(の)?(名称|名)$|^商号|^名称$|^法人名",
        "corporation_name",
    ),
    _rule("name", r"氏名|名前|^お名前$", "name"),
    _rule("postal", r"^〒$|郵便番号", "postal_code"),
    _rule("address", r"住所|所在地|居所", "address"),
    _rule("email", r"メール|e-?mail|電子メール", "email"),
    _rule("tel", r"電話|^tel|携帯|fax|ファクシミリ|ファックス", "phone"),
    _rule("amount", r"金額|[^年]額$|料金|手数料|費用|代金|価格|^金$", "amount"),
    _rule("count", r"(人数|員数|数量|台数|件数|頭数|戸数)$", "count"),
    _rule("age", r"^年齢$", "age"),
    _rule("sex", r"^性別$", "sex"),
    _rule(
        "date",
        r"年月日$|日付$|期日$|(開催|実施|交付|許可|取得|開始|終了|廃止|変更|予定|発生|完了)日$",
        "date",
    ),
    _rule(
        "long",
        r"理由|目的|内容|概要|経歴|備考|事由|詳細|その他|意見|状況|経緯",
        "details",
    ),
)


def meaning_of(label: str) -> Meaning | None:
    k = key(label)
    return next((m for m in MEANINGS if m.pattern.search(k)), None)


# --- shapes --------------------------------------------------------------------------------

_DATE_BLANK = re.compile(r"年[\s\u3000_＿]+月[\s\u3000_＿]+日")
_AMOUNT_BLANK = re.compile(r"[（(][\s\u3000_＿]*[）)]\s*円|^\s*円\s*$|[\s\u3000_＿]円$")
_POSTAL_BLANK = re.compile(r"〒")
_OPTION_TEXT = re.compile(r"[□☐]\s*([^□☐]+)")
_TRAILING_NOTE = re.compile(r"^(.*?)[（(]([^（()）]+)[）)]$")


def options_in(text: str) -> list[str]:
    """The options of a `□男　□女` list, in order."""
    got = [clean(m.group(1)).strip("　 ,、") for m in _OPTION_TEXT.finditer(text or "")]
    return [g for g in got if g][:50]


def shape_of_text(text: str) -> str:
    """What a blank with this text in it asks for: options, date, amount, postal or ""."""
    if len(options_in(text)) >= 2:
        return "options"
    if _DATE_BLANK.search(text or ""):
        return "date"
    if _AMOUNT_BLANK.search(text or ""):
        return "amount"
    if _POSTAL_BLANK.search(text or ""):
        return "postal"
    return ""


def split_label(text: str) -> tuple[str, str]:
    """A cell that holds its own blank (`性別　□男　□女`, `生年月日　　年　月　日`):
    (the label, the blank); ("", text) when there is no label before the blank."""
    for pattern in (
        _BOXES,
        re.compile(
            r"(?:(?:明治|大正|昭和|平成|令和)[・\s\u3000]*)*[\s\u3000]*年[\s\u3000_＿]+月[\s\u3000_＿]+日"
        ),
        re.compile(r"[（(][\s\u3000]*[）)]\s*円"),
        re.compile("〒"),
    ):
        m = pattern.search(text or "")
        if m:
            return clean(text[: m.start()]), text[m.start() :]
    return clean(text), ""


# --- questions -----------------------------------------------------------------------------

ANY_DOCUMENT = ["application/pdf", "image/jpeg", "image/png"]
KNOWN_VALUES = {
    "男": "male",
    "男性": "male",
    "女": "female",
    "女性": "female",
    "はい": "yes",
    "有": "yes",
    "有り": "yes",
    "あり": "yes",
    "いいえ": "no",
    "無": "no",
    "無し": "no",
    "なし": "no",
    "その他": "other",
}
OPTIONAL = re.compile(r"任意|あれば|ある場合|該当する場合|該当者のみ|fax|ファクシミリ|備考|その他")


@dataclass
class Question:
    """A question made from one thing found: the field as the YAML holds it, where it came
    from, and how sure the importer is (`why` says why not, `日本語 / English`)."""

    field: dict[str, Any]
    stem: str
    source: str
    sure: bool
    why: str = ""
    meaning: str = ""
    section: str = ""


@dataclass
class Outcome:
    """A found thing read: a question, or a note for the author (nothing asked)."""

    question: Question | None = None
    note: str = ""
    reading: bool = False  # a フリガナ row: merged into the name next to it
    postal: bool = False  # a 〒 blank: merged into the address next to it
    applied_on: bool = False
    seal: bool = False  # a seal box: the procedure needs no seal once online
    extra: dict[str, Any] = field(default_factory=dict)


def option_list(texts: list[str]) -> list[dict[str, Any]]:
    out, taken = [], set()
    for n, text in enumerate(texts, start=1):
        label = clean(text)
        if not label:
            continue
        value = KNOWN_VALUES.get(label)
        if value is None and re.fullmatch(r"[A-Za-z0-9_-]{1,40}", label):
            value = label.lower()
        if value is None or value in taken:
            value = f"option{n}"
        taken.add(value)
        out.append({"value": value, "label": {"ja": label}})
    return out


def _unsure(reason_ja: str, reason_en: str) -> str:
    return f"{reason_ja} / {reason_en}"


WHY_TEXT = _unsure(
    "意味が分からなかったため、1行の文字にしました。種類を確かめてください。",
    "Its meaning was not recognised, so it became one line of text: check its type.",
)
WHY_MACHINE_LABEL = _unsure(
    "PDFの入力欄に説明がなく、欄の名前を質問の文にしました。質問の文を直してください。",
    "The PDF field has no tooltip, so its name became the question: correct the wording.",
)
WHY_POSTAL_ALONE = _unsure(
    "郵便番号の欄だけがあり、住所の欄と組み合わせられませんでした。",
    "A postcode blank without an address next to it.",
)
WHY_NO_OPTIONS = _unsure(
    "選択肢が見つからなかったため、選択肢を補いました。確かめてください。",
    "No options were found, so options were supplied: check them.",
)
WHY_STAMP = _unsure(
    "収入証紙の欄を、手数料の納め方の説明にしました。オンラインでの納め方を書いてください。",
    "The revenue-stamp box became a note on the fee: say how it is paid online.",
)
NOTE_SEAL = (
    "押印欄（{source}）は取り込んでいません。オンライン申請では押印は不要です。審査で承認されると、手続の特徴に「押印不要」が加わります。"
    " / The seal box ({source}) was left out: no seal is needed online. When the review approves the form, "
    "the procedure's features gain “no seal needed”."
)
NOTE_APPLIED_ON = (
    "申請日の欄（{source}）は取り込んでいません。受け付けた日時が自動で記録されます。"
    " / The date-of-application blank ({source}) was left out: the date of receipt is recorded."
)


def read(item: Found) -> Outcome:
    """The question (or the note) one found thing becomes."""
    label = clean(item.label)
    m = meaning_of(label)
    name = m.name if m else ""
    shape = item.shape or shape_of_text(item.context)
    options = item.options or (options_in(item.context) if shape == "options" else [])
    if shape == "seal" or name == "seal":
        return Outcome(note=NOTE_SEAL.format(source=item.source), seal=True)
    if name == "applied_on" or (not label and shape == "date"):
        return Outcome(note=NOTE_APPLIED_ON.format(source=item.source), applied_on=True)
    if name == "reading":
        return Outcome(reading=True, extra={"source": item.source})
    if name == "postal" or (shape == "postal" and not name):
        q = _question(
            item, label, "postal_code", {"type": "text", "pattern": r"^[0-9]{3}-?[0-9]{4}$"}
        )
        q.field["pattern_message"] = {"ja": "7桁の郵便番号を入力してください。"}
        q.sure, q.why, q.meaning = False, WHY_POSTAL_ALONE, "postal"
        return Outcome(question=q, postal=True)
    if name == "stamp":
        q = _question(item, label, "fee_note", {"type": "paragraph"})
        del q.field["label"]
        q.field.pop("required", None)
        q.field["text"] = {
            "ja": f"{label}：手数料の納め方は、審査の後にご案内します。（オンラインでの納め方を書いてください）"
        }
        q.sure, q.why, q.meaning = False, WHY_STAMP, "stamp"
        return Outcome(question=q)
    if shape == "attachment":
        # 住民票の写し（発行後3か月以内のもの）: what is in brackets is a hint, not the name
        name, hint = label, ""
        m_hint = _TRAILING_NOTE.match(label)
        if m_hint and m_hint.group(1).strip():
            name, hint = m_hint.group(1).strip(), m_hint.group(2).strip()
        q = _question(
            item,
            name,
            "attachment",
            {"type": "file", "accept": list(ANY_DOCUMENT), "max_size_mb": 10},
            meaning="attachment",
        )
        if hint:
            q.field["help"] = {"ja": hint}
        return Outcome(question=q)
    spec, sure, why = _by_meaning(name, item, shape, options)
    if spec is None:
        spec, sure, why = _by_shape(item, shape, options, label)
    q = _question(item, label, m.stem if m else _stem_of(spec), spec, meaning=name)
    if not item.trusted_label:
        sure, why = False, WHY_MACHINE_LABEL
    q.sure, q.why = sure, ("" if sure else why)
    return Outcome(question=q)


def _stem_of(spec: dict) -> str:
    return {
        "radio": "choice",
        "select": "choice",
        "checkboxes": "choices",
        "checkbox": "agree",
        "date": "date",
        "integer": "number",
        "textarea": "details",
        "file": "attachment",
    }.get(spec.get("type"), "q")


def _choice(options: list[str], label: str) -> dict[str, Any]:
    many = re.search(r"すべて|全て|複数|該当するもの", label)
    kind = "checkboxes" if many else ("radio" if len(options) <= 6 else "select")
    return {"type": kind, "options": option_list(options)}


def _by_meaning(name: str, item: Found, shape: str, options: list[str]):
    """(spec, sure, why) from the label's meaning, or (None, …) when it has none here."""
    if name in ("name", "representative"):
        return {"type": "name"}, True, ""
    if name == "corporation":
        return {"type": "text", "max_length": 100, "charset": "jis"}, True, ""
    if name == "corporate_number":
        return (
            {
                "type": "text",
                "pattern": "^[0-9]{13}$",
                "pattern_message": {"ja": "13桁の数字で入力してください。"},
            },
            True,
            "",
        )
    if name == "address":
        return {"type": "address"}, True, ""
    if name == "email":
        return {"type": "email"}, True, ""
    if name == "tel":
        return {"type": "tel"}, True, ""
    if name == "birth":
        return {"type": "date", "max": "today"}, True, ""
    if name == "amount" or (shape == "amount" and name in ("", "count")):
        return {"type": "integer", "min": 0, "unit": "円"}, True, ""
    if name == "count":
        unit = "人" if "人" in key(item.label) else ""
        return {"type": "integer", "min": 0, **({"unit": unit} if unit else {})}, True, ""
    if name == "age":
        return {"type": "integer", "min": 0, "max": 150, "unit": "歳"}, True, ""
    if name == "sex":
        got = options or ["男", "女"]
        return _choice(got, item.label), bool(options), ("" if options else WHY_NO_OPTIONS)
    if name == "date" or (shape == "date" and name in ("", "long")):
        return {"type": "date"}, True, ""
    if name == "long":
        if options:
            return _choice(options, item.label), True, ""
        return {"type": "textarea"}, True, ""
    return None, False, ""


def _by_shape(item: Found, shape: str, options: list[str], label: str):
    if shape in ("options", "radio", "select") and options:
        spec = _choice(options, label)
        if shape == "select" and spec["type"] == "radio" and len(options) > 6:
            spec["type"] = "select"
        return spec, True, ""
    if shape == "checkbox":
        return {"type": "checkbox"}, True, ""
    if shape == "multiline":
        return {"type": "textarea"}, True, ""
    spec: dict[str, Any] = {"type": "text"}
    if item.max_length:
        spec["max_length"] = max(1, min(int(item.max_length), 1000))
    return spec, False, WHY_TEXT


def _question(item: Found, label: str, stem: str, spec: dict, meaning: str = "") -> Question:
    f: dict[str, Any] = {"id": "", "type": spec["type"], "label": {"ja": label or item.source}}
    required = item.required or not OPTIONAL.search(key(label))
    if spec["type"] in ("checkbox", "paragraph", "heading"):
        required = item.required
    if required:
        f["required"] = True
    f.update({k: v for k, v in spec.items() if k != "type"})
    return Question(
        field=f,
        stem=stem,
        source=item.source,
        sure=True,
        meaning=meaning,
        section=item.section,
    )
