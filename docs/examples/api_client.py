#!/usr/bin/env python3
"""A client of the Tetsuzuki API written only from its OpenAPI document.

It reads /api/openapi.json, finds each operation by its operationId, and then:
lists procedures (following the paging links, with an ETag revalidation), reads the
KPI, fills in and submits an online form, and reads the submission's status.
Standard library only:

    python docs/examples/api_client.py --base http://127.0.0.1:5000 [--form ID]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import uuid
from datetime import date, timedelta
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen


class Api:
    """Operations of the document, called by operationId."""

    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.doc = self.request("GET", "/api/openapi.json")[1]
        self.ops = {
            op["operationId"]: (method.upper(), path)
            for path, methods in self.doc["paths"].items()
            for method, op in methods.items()
        }

    def request(self, method, url, body=None, headers=None, query=None):
        if not url.startswith("http"):
            url = self.base + url
        if query:
            url += "?" + urlencode(query)
        data = None
        headers = dict(headers or {})
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            with urlopen(Request(url, data=data, headers=headers, method=method)) as r:
                raw = r.read()
                return r.status, json.loads(raw) if raw else None, dict(r.headers)
        except HTTPError as e:
            raw = e.read()
            return e.code, json.loads(raw) if raw else None, dict(e.headers)

    def call(self, operation_id, *, path=None, **kw):
        method, template = self.ops[operation_id]
        url = template.format(**(path or {}))
        status, body, headers = self.request(method, url, **kw)
        return status, body, headers


# --- answers from a form definition (the shapes the document gives for each field type) ---


def when(spec, default: date) -> date:
    """A date bound of a definition: 2025-04-01, today, today+90d, today-18y."""
    if not spec:
        return default
    m = re.fullmatch(r"today(?:([+-])(\d+)([dy]))?", str(spec))
    if not m:
        return date.fromisoformat(str(spec))
    if not m.group(1):
        return date.today()
    n = int(m.group(2)) * (1 if m.group(1) == "+" else -1)
    if m.group(3) == "d":
        return date.today() + timedelta(days=n)
    return date.today().replace(year=date.today().year + n)


def sample(pattern: str) -> str | None:
    """A string matching a simple pattern such as ^[0-9]{4,6}$ or ^\\d{4}-\\d{6}-\\d$."""
    out = []
    for atom, lo in re.findall(r"(\\d|\[0-9\]|\\?[^\\^$[{])(?:\{(\d+)(?:,\d+)?\})?", pattern):
        char = "1" if atom in ("\\d", "[0-9]") else atom.lstrip("\\")
        out.append(char * int(lo or 1))
    text = "".join(out)
    return text if re.fullmatch(pattern.strip("^$"), text) else None


def answer(field):
    kind = field["type"]
    options = [o["value"] for o in field.get("options", [])]
    if kind in ("heading", "paragraph", "file"):
        return None
    if kind in ("radio", "select"):
        return options[0]
    if kind == "checkboxes":
        return options[:1]
    if kind == "checkbox":
        return True
    if kind == "integer":
        return max(int(field.get("min", 1)), 1)
    if kind == "date":
        return max(
            when(field.get("min"), date.min), min(date.today(), when(field.get("max"), date.max))
        ).isoformat()
    if kind == "email":
        return "taro@example.jp"
    if kind == "tel":
        return "059-224-2001"
    if kind == "name":
        name = {"family": "山田", "given": "太郎"}
        if field.get("kana", True) is not False:
            name |= {"family_kana": "ヤマダ", "given_kana": "タロウ"}
        return name
    if kind == "address":
        return {
            "postal_code": "514-8570",
            "prefecture": "三重県",
            "city": "津市",
            "street": "広明町13番地",
            "building": "",
        }
    if kind == "group":
        minimum = (field.get("repeat") or {}).get("min", 0)
        item = {f["id"]: answer(f) for f in field.get("fields", []) if answer(f) is not None}
        return [item] * max(minimum, 1)
    if field.get("pattern"):
        return sample(field["pattern"])
    if field.get("kana") == "hiragana":
        return "てすと"
    if field.get("kana"):
        return "テスト"
    text = "API から送った申請のテストです。"
    return text[: field.get("max_length", len(text))]


def needs_files(definition) -> bool:
    return any(
        f["type"] == "file" and f.get("required") for p in definition["pages"] for f in p["fields"]
    )


def answers_for(definition) -> dict:
    out = {}
    for page in definition["pages"]:
        for field in page["fields"]:
            value = answer(field)
            if value is not None:
                out[field["id"]] = value
    return out


# --- the journey -----------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", default="http://127.0.0.1:5000")
    ap.add_argument("--form", help="the form to submit (default: the first published one)")
    args = ap.parse_args()
    api = Api(args.base)
    print(f"{api.doc['info']['title']} {api.doc['info']['version']}: {len(api.ops)} operations")

    # 1. procedures, page by page (two pages), then revalidate the first with its ETag
    status, page, headers = api.call("list_procedures", query={"priority": "true", "per_page": 5})
    assert status == 200, page
    print(
        f"\n重点手続 / priority procedures: {page['meta']['total']} (as of {page['meta']['as_of']})"
    )
    for n in range(2):
        for p in page["procedures"]:
            print(f"  {p['code']}  {p['status']:<10}  {p['name_ja']}")
        if not page["links"]["next"] or n == 1:
            break
        status, page, _ = api.request("GET", page["links"]["next"])
    status, _, _ = api.call(
        "list_procedures",
        query={"priority": "true", "per_page": 5},
        headers={"If-None-Match": headers["ETag"]},
    )
    print(f"  same page again with If-None-Match → {status}")

    # 2. the KPI
    status, kpi, _ = api.call("get_kpi", query={"scope": "priority"})
    assert status == 200, kpi
    w = kpi["weighted"]
    print(
        f"\nKPI FY{kpi['fiscal_year']} ({kpi['scope']}, {kpi['basis']}, as of {kpi['as_of']}): "
        f"{w['rate']:.1%} = {w['numerator']:,} / {w['denominator']:,} receipts"
    )

    # 3. a form: its definition, answers in the documented shapes, the submission
    status, forms, _ = api.call("list_forms")
    print(f"\n{len(forms['forms'])} published forms: {', '.join(f['id'] for f in forms['forms'])}")
    for summary in forms["forms"]:
        chosen = args.form or summary["id"]
        status, form, _ = api.call("get_form", path={"form_id": chosen})
        assert status == 200, form
        if args.form or not needs_files(form["definition"]):
            break  # this script sends no attachments: take a form that needs none
    answers = answers_for(form["definition"])
    print(f"\nform {form['id']} v{form['version']} ({form['title']['ja']}): {len(answers)} answers")
    body = {"answers": answers, "lang": "ja"}
    if form["definition"].get("declaration"):  # the resident must confirm it, as on the pages
        print(f"  宣誓 / declaration: {form['definition']['declaration']['ja']}  → confirmed")
        body["declaration"] = True
    key = str(uuid.uuid4())
    status, made, _ = api.call(
        "submit_form",
        path={"form_id": chosen},
        body=body,
        headers={"Idempotency-Key": key},
    )
    if status != 201:
        print(f"  {status}: {json.dumps(made, ensure_ascii=False, indent=1)}")
        return 1
    print(f"  201 受付 / received: receipt {made['receipt_no']}, access code {made['access_code']}")
    status, again, _ = api.call(
        "submit_form",
        path={"form_id": chosen},
        body=body,
        headers={"Idempotency-Key": key},
    )
    print(
        f"  the same request again (same Idempotency-Key) → {status}, same receipt: "
        f"{again['receipt_no'] == made['receipt_no']}"
    )

    # 4. its status
    status, sub, _ = api.call(
        "get_submission",
        path={"receipt_no": made["receipt_no"]},
        headers={"X-Access-Code": made["access_code"]},
    )
    assert status == 200, sub
    print(f"\nstatus of {sub['receipt_no']}: {sub['status']} (submitted {sub['submitted_at']})")
    for event in sub["history"]:
        print(f"  {event['at']}  {event['status']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
