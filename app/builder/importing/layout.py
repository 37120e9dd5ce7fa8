"""What a line of text on a 様式 is when it has no blank beside it: the title, the
addressee, the declaration, a heading, a line of the attachments list, or nothing to
ask. Shared by the Excel and Word readers. No Flask, no database."""

from __future__ import annotations

import re

from .meaning import clean, key

_TITLE = re.compile(r"(申請書|届出書|届書|届|申込書|報告書|請求書|願|申請|様式)$")
_ADDRESSEE = re.compile(r"(様|殿|御中)$")
_DECLARATION = re.compile(
    r"申請します|届け出ます|申し込みます|請求します|誓約します|相違ありません|報告します"
)
_ATTACHMENTS = re.compile(r"添付(書類|資料)|必要書類|提出書類")
_FORM_NUMBER = re.compile(r"^(第?[0-9０-９]+号?様式|様式第)")
_APPLIED_ON = re.compile(r"^(令和|平成)?[\s\u3000]*年[\s\u3000]+月[\s\u3000]+日$")
_HEADING_MARK = re.compile(
    r"^\s*([【■◆●]|[0-9０-９]{1,2}[\s\u3000.．、]|[（(][0-9０-９]{1,2}[）)]|第[0-9０-９一二三四五六七八九十]+)"
)
_NOTE = re.compile(r"^\s*(※|注|（注）|\(注\))")


def kind_of_line(text: str, *, top: bool, wide: bool, bold: bool, in_attachments: bool) -> str:
    """title, addressee, declaration, attachments (the heading of the list), attachment
    (a line of it), heading, applied_on, note or "" (a label whose blank was not found)."""
    t = (text or "").strip()
    k = key(t)
    if not k or _FORM_NUMBER.search(k):
        return "note"
    if _APPLIED_ON.match(t.replace("　", " ").strip()):
        return "applied_on"
    if _NOTE.match(t):
        return "note"
    if _ATTACHMENTS.search(k) and len(k) <= 20:
        return "attachments"
    if in_attachments and len(k) <= 60:
        return "attachment"
    if _DECLARATION.search(t):
        return "declaration"
    if top and _TITLE.search(k) and len(k) <= 40:
        return "title"
    if _ADDRESSEE.search(k) and len(k) <= 30:
        return "addressee"
    if len(k) > 40:
        return "note"
    if (wide or bold or _HEADING_MARK.match(t)) and len(k) <= 20:
        return "heading"
    return ""


def heading(text: str) -> str:
    return clean(text).strip("【】■◆● ")
