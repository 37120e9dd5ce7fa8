"""Fill any shipped form with valid answers, page by page, as a resident would.

Values are chosen from the field's type and limits in the form's JSON definition;
full-width digits and hiragana readings are typed on purpose to prove normalisation.
"""

from __future__ import annotations

import re
import struct
import zlib
from datetime import date, timedelta

TODAY = date.today()


def _png() -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"\x00" + b"\xff\x00\x00" * 2
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
FILES = {"image/png": ("photo.png", _png()), "application/pdf": ("document.pdf", PDF),
         "image/jpeg": ("photo.png", _png())}


def file_for(field: dict) -> dict:
    accept = field.get("accept") or ["application/pdf"]
    mime = next((m for m in ("application/pdf", "image/png") if m in accept), accept[0])
    name, data = FILES.get(mime, FILES["application/pdf"])
    return {"name": name, "mimeType": mime, "buffer": data}


def _bound(spec, default: date) -> date:
    if spec is None:
        return default
    if isinstance(spec, str) and spec.startswith("today"):
        m = re.match(r"today(?:([+-])(\d+)([dmy]))?$", spec)
        if not m or not m[1]:
            return TODAY
        n = int(m[2]) * (1 if m[1] == "+" else -1)
        days = {"d": 1, "m": 30, "y": 365}[m[3]] * n
        return TODAY + timedelta(days=days)
    return date.fromisoformat(str(spec))


def date_for(field: dict) -> date:
    lo = _bound(field.get("min"), TODAY - timedelta(days=365 * 60))
    hi = _bound(field.get("max"), TODAY + timedelta(days=60))
    if field.get("min") is None and field.get("max") is not None and hi < TODAY:
        lo = hi - timedelta(days=365 * 20)
    lo, hi = lo + timedelta(days=2), hi - timedelta(days=2)
    return lo + (hi - lo) / 2 if hi > lo else lo


def text_for(field: dict) -> str:
    pattern = field.get("pattern")
    if pattern:
        for candidate in ("１２３４５６", "1234567890123", "12345678901", "123456", "1234", "12345678", "1234567890",
                          "ABC123", "A1234567"):
            import unicodedata
            if re.search(pattern, unicodedata.normalize("NFKC", candidate)):
                return candidate
    if field.get("kana") == "katakana":
        return "みえけん"  # hiragana on purpose: the engine turns it into katakana
    if field.get("kana") == "hiragana":
        return "ミエケン"
    text = "三重テスト"
    lo = field.get("min_length") or 0
    return (text * (lo // len(text) + 1))[: max(lo, len(text))][: field.get("max_length", 200)]


def integer_for(field: dict) -> str:
    lo, hi = field.get("min"), field.get("max")
    value = max(lo if lo is not None else 1, 1)
    if hi is not None:
        value = min(value, hi)
    return str(value).translate(str.maketrans("0123456789", "０１２３４５６７８９"))


def fill_field(page, field: dict, prefix: str) -> None:
    """Fill the inputs of one field whose HTML name prefix is `prefix`."""
    t = field["type"]
    sel = lambda name: page.locator(f'[name="{name}"]')  # noqa: E731
    if t in ("text", "email", "tel", "integer", "textarea"):
        value = {"email": "taro.mie@example.jp", "tel": "０５９－２２４－２０００"}.get(t)
        if t == "integer":
            value = integer_for(field)
        if t in ("text", "textarea"):
            value = text_for(field)
        sel(prefix).fill(value)
    elif t == "select":
        sel(prefix).select_option(index=1)
    elif t == "radio":
        page.locator(f'[name="{prefix}"]').first.check()
    elif t == "checkboxes":
        boxes = page.locator(f'[name="{prefix}"]')
        for i in range(max(field.get("min_selected") or 1, 1)):
            boxes.nth(i).check()
    elif t == "checkbox":
        sel(prefix).check()
    elif t == "date":
        d = date_for(field)
        if d >= date(2019, 5, 1):
            sel(f"{prefix}-era").select_option("令和")
            sel(f"{prefix}-year").fill(str(d.year - 2018))
        else:
            sel(f"{prefix}-year").fill(str(d.year))
        sel(f"{prefix}-month").fill(str(d.month))
        sel(f"{prefix}-day").fill(str(d.day))
    elif t == "name":
        sel(f"{prefix}-family").fill("山田")
        sel(f"{prefix}-given").fill("太郎")
        if field.get("kana", True):
            sel(f"{prefix}-family_kana").fill("やまだ")
            sel(f"{prefix}-given_kana").fill("ﾀﾛｳ")
    elif t == "address":
        sel(f"{prefix}-postal_code").fill("５１４－０００６")
        page.locator(f'button[value="lookup:{prefix}"]').click()  # the no-JavaScript round trip
        assert page.locator(f'[name="{prefix}-city"]').input_value() == "津市広明町"
        sel(f"{prefix}-street").fill("13番地")
    elif t == "file":
        page.locator(f'input[type=file][name="{prefix}"]').set_input_files(file_for(field))


def fill_page(page, page_def: dict) -> None:
    # the page fully loaded first: a choice made while it was still loading could be lost
    # (seen once on a busy machine: the first radio group of a page found unchosen)
    page.wait_for_load_state("load")
    for field in page_def["fields"]:
        t = field["type"]
        if t in ("heading", "paragraph"):
            continue
        fid = field["id"]
        if t == "group":
            if page.locator(f'[name^="{fid}-0-"]').count() == 0:
                continue
            for inner in field["fields"]:
                if inner["type"] not in ("heading", "paragraph"):
                    fill_field(page, inner, f"{fid}-0-{inner['id']}")
            continue
        probe = f'[name="{fid}"], [name^="{fid}-"]'
        if page.locator(probe).count() == 0:
            continue  # hidden by an answer on an earlier page
        if page.locator(f'[data-show-if][hidden] :is({probe})').count():
            continue  # hidden by an answer on this page (conditional reveal)
        fill_field(page, field, fid)


def page_id(page) -> str:
    return page.url.split("?")[0].split("#")[0].rstrip("/").rsplit("/", 1)[-1]


def fill_to_check(page, pages: dict, shoot=None) -> None:
    """From the page the browser is on, answer every page with valid answers up to the check page."""
    for _ in range(12):
        current = page_id(page)
        if current == "check":
            return
        fill_page(page, pages[current])
        if shoot:
            shoot(page, current)
        page.locator(".actions button[value=next]").click()
        errors = page.locator(".error-summary")
        assert not errors.count(), f"{current}: {errors.inner_text()}"
    raise AssertionError(f"did not reach the check page: {page.url}")


def open_menu(page):
    """The site's menu in the header, opened where it is a button (on a phone) → its links."""
    summary = page.locator("header.site .site-menu > summary")
    if summary.is_visible() and page.locator("header.site .site-menu[open]").count() == 0:
        summary.click()
    return page.locator("header.site nav")
