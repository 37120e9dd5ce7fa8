"""Prefill (`prefill: profile.<fact>` in a form's YAML): a signed-in resident's draft
starts from what their identity provider vouched for — name, reading, birth date,
address, corporate facts — put on the question pages as if typed, so that the resident
sees and confirms each (次へ checks them as any answer). At submission, the answers still
equal to what was vouched for are recorded as such (Submission.vouched), and staff see
them marked."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.formengine import FormDefinition

from .models import Draft


def values_for(defn: FormDefinition, profile: Mapping[str, Any]) -> dict[str, Any]:
    """field id → the answer the profile gives it, in the answer's shape."""
    out: dict[str, Any] = {}
    for _page, f in defn.all_fields():
        fact = f.get("prefill")
        value = profile.get(fact) if fact else None
        if value is None:
            continue
        shaped = _shaped(f, value)
        if shaped is not None:
            out[f.id] = shaped
    return out


def _shaped(f, value: Any) -> Any:
    if f.type == "name" and isinstance(value, Mapping):
        parts = ("family", "given", "family_kana", "given_kana")
        if f.get("kana") is False:
            parts = parts[:2]
        shaped = {p: value[p] for p in parts if value.get(p)}
        return shaped or None
    if f.type == "address" and isinstance(value, Mapping):
        shaped = {k: v for k, v in value.items() if v}
        code = shaped.get("postal_code", "")
        if len(code) == 7 and code.isdigit():
            shaped["postal_code"] = f"{code[:3]}-{code[3:]}"  # as the field keeps it
        return shaped or None
    if f.type in ("radio", "select"):  # only a value the question offers
        return value if any(o.value == value for o in f.options) else None
    return value if isinstance(value, str) else None


def apply(draft: Draft, defn: FormDefinition, provider: str, profile: Mapping[str, Any]) -> None:
    """A new draft's question pages filled from the profile, to be confirmed."""
    values = values_for(defn, profile)
    if not values:
        return
    pending: dict[str, dict] = {}
    for page in defn.pages:
        here = {f.id: values[f.id] for f in page.fields if f.id in values}
        if here:
            pending[page.id] = here
    draft.pending = {**(draft.pending or {}), **pending}
    draft.prefilled = {"provider": provider, "values": values}


def vouched(prefilled: Mapping[str, Any] | None, answers: Mapping[str, Any]) -> dict | None:
    """The fields submitted as the provider vouched for them (the resident kept them)."""
    if not prefilled or not prefilled.get("values"):
        return None
    kept = [
        field_id
        for field_id, value in prefilled["values"].items()
        if field_id in answers and _same(answers[field_id], value)
    ]
    return {"provider": prefilled.get("provider"), "fields": kept} if kept else None


def _same(answer: Any, vouched_value: Any) -> bool:
    """Every part the provider gave is in the answer unchanged (a part it did not give,
    such as the building of an address, may have been added)."""
    if isinstance(vouched_value, Mapping):
        return isinstance(answer, Mapping) and all(
            _plain(answer.get(k)) == _plain(v) for k, v in vouched_value.items()
        )
    return _plain(answer) == _plain(vouched_value)


def _plain(value: Any) -> str:
    return str(value or "").replace("-", "").replace(" ", "").replace("　", "")
