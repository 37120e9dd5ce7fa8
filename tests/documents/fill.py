"""Valid answers for any form definition (its JSON), as the API takes them, with files.

Every field gets an answer — hidden ones are dropped by the engine — so a receipt
shows as many answers as a form can have.
"""

from __future__ import annotations

import re
import struct
import unicodedata
import zlib
from datetime import date, timedelta

TODAY = date.today()


def png() -> bytes:
    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _bound(spec, default: date) -> date:
    if spec is None:
        return default
    if isinstance(spec, str) and spec.startswith("today"):
        m = re.match(r"today(?:([+-])(\d+)([dmy]))?$", spec)
        if not m or not m[1]:
            return TODAY
        n = int(m[2]) * (1 if m[1] == "+" else -1)
        return TODAY + timedelta(days={"d": 1, "m": 30, "y": 365}[m[3]] * n)
    return date.fromisoformat(str(spec))


def _date(f: dict) -> str:
    lo = _bound(f.get("min"), TODAY - timedelta(days=365 * 60))
    hi = _bound(f.get("max"), TODAY + timedelta(days=60))
    if f.get("min") is None and f.get("max") is not None and hi < TODAY:
        lo = hi - timedelta(days=365 * 20)
    lo, hi = lo + timedelta(days=2), hi - timedelta(days=2)
    return (lo + (hi - lo) / 2 if hi > lo else lo).isoformat()


def _text(f: dict) -> str:
    pattern = f.get("pattern")
    if pattern:
        for candidate in (
            "123456",
            "1234567890123",
            "12345678901",
            "1234",
            "12345678",
            "1234567890",
            "ABC123",
            "A1234567",
        ):
            if re.search(pattern, unicodedata.normalize("NFKC", candidate)):
                return candidate
    if f.get("kana") == "katakana":
        return "ミエケン"
    if f.get("kana") == "hiragana":
        return "みえけん"
    text = "三重県の記入例"
    lo = f.get("min_length") or 0
    return (text * (lo // len(text) + 1))[: max(lo, len(text))][: f.get("max_length", 200)]


def answer(f: dict):
    t = f["type"]
    if t in ("text",):
        return _text(f)
    if t == "textarea":
        return "申請の理由を記入します。" + _text({**f, "pattern": None})
    if t == "integer":
        lo, hi = f.get("min"), f.get("max")
        value = max(lo if lo is not None else 3, 1)
        return min(value, hi) if hi is not None else value
    if t == "email":
        return "taro.mie@example.jp"
    if t == "tel":
        return "059-224-2000"
    if t == "date":
        return _date(f)
    if t in ("select", "radio"):
        return f["options"][0]["value"]
    if t == "checkboxes":
        return [o["value"] for o in f["options"][: max(f.get("min_selected") or 1, 1)]]
    if t == "checkbox":
        return True
    if t == "name":
        if f.get("kana", True) is False:
            return {"family": "山田", "given": "太郎"}
        return {"family": "山田", "given": "太郎", "family_kana": "ヤマダ", "given_kana": "タロウ"}
    if t == "address":
        return {
            "postal_code": "514-0006",
            "prefecture": "三重県",
            "city": "津市広明町",
            "street": "13番地",
            "building": "県庁舎3階",
        }
    if t == "group":
        n = max((f.get("repeat") or {}).get("min") or 0, 2)
        items = []
        for i in range(n):
            item = {
                inner["id"]: answer(inner)
                for inner in f["fields"]
                if inner["type"] not in ("heading", "paragraph")
            }
            items.append(
                {
                    k: (f"{v}{i + 1}" if isinstance(v, str) and k.endswith("name") else v)
                    for k, v in item.items()
                }
            )
        return items
    return None


def answers_and_files(definition: dict) -> tuple[dict, dict[str, tuple[bytes, str, str]]]:
    """(answers, files by field id as (content, name, mime type))."""
    answers, files = {}, {}
    for page in definition["pages"]:
        for f in page["fields"]:
            if f["type"] in ("heading", "paragraph"):
                continue
            if f["type"] == "file":
                accept = f.get("accept") or ["application/pdf"]
                if "application/pdf" in accept:
                    files[f["id"]] = (PDF, f"{f['id']}.pdf", "application/pdf")
                else:
                    files[f["id"]] = (png(), f"{f['id']}.png", "image/png")
                continue
            answers[f["id"]] = answer(f)
    return answers, files


def submit(client, form_id: str, lang: str = "ja"):
    """POST every answer (and a file per file field) through the API → the response."""
    import io
    import json

    definition = client.get(f"/api/v1/forms/{form_id}").get_json()["definition"]
    answers, files = answers_and_files(definition)
    data = {
        "answers": json.dumps(answers, ensure_ascii=False),
        "lang": lang,
        "declaration": "true",
    }
    for fid, (content, name, mime) in files.items():
        data[fid] = (io.BytesIO(content), name, mime)
    response = client.post(
        f"/api/v1/forms/{form_id}/submissions", data=data, content_type="multipart/form-data"
    )
    response.close()  # inline jobs run when the response is closed, as a server does
    return response
