"""A provider's claims as the profile Tetsuzuki keeps: the facts of DEFAULT_CLAIMS in the
shapes of the form's field types (a name's parts, an address's parts), each text cut to
its field's maximum and cleared of characters no page or database should hold. A claim
that is missing or not a text is left out, never guessed."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from .providers import Provider

MAX = {
    "name_part": 50,
    "postal_code": 7,
    "prefecture": 10,
    "city": 50,
    "street": 100,
    "building": 100,
    "birthdate": 10,
    "gender": 20,
    "email": 254,
    "corporate_number": 13,
    "text": 200,
}
PREFECTURE = re.compile(r"^(.{2,3}[都道府県])")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
UNUSABLE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


def _text(value: Any, limit: int) -> str | None:
    if not isinstance(value, str):
        return None
    value = UNUSABLE.sub("", unicodedata.normalize("NFC", value)).strip()
    return value[:limit] or None


def profile_from(claims: Mapping[str, Any], provider: Provider) -> dict[str, Any]:
    """The profile facts the claims vouch for (empty facts left out)."""
    read = {fact: claims.get(claim) for fact, claim in provider.claims.items()}
    out: dict[str, Any] = {}
    name = _name(read)
    if name:
        out["name"] = name
    address = _address(read.get("address"))
    if address:
        out["address"] = address
    birthdate = _text(read.get("birthdate"), MAX["birthdate"])
    if birthdate and DATE.match(birthdate):
        out["birthdate"] = birthdate
    for fact, limit in (
        ("gender", MAX["gender"]),
        ("email", MAX["email"]),
        ("corporate_name", MAX["text"]),
        ("representative_name", MAX["text"]),
    ):
        text = _text(read.get(fact), limit)
        if text:
            out[fact] = text
    number = _text(read.get("corporate_number"), 20)
    if number:
        number = unicodedata.normalize("NFKC", number).replace("-", "")
        if number.isdigit() and len(number) == MAX["corporate_number"]:
            out["corporate_number"] = number
    return out


def _name(read: Mapping[str, Any]) -> dict[str, str]:
    """The name's parts, as the `name` field type keeps them. A provider that gives the
    whole name only (as the card does) is split at its first space, if it has one."""
    limit = MAX["name_part"]
    family, given = _text(read.get("family_name"), limit), _text(read.get("given_name"), limit)
    family_kana = _text(read.get("family_name_kana"), limit)
    given_kana = _text(read.get("given_name_kana"), limit)
    if not (family and given):
        family, given = _split(read.get("name"))
    if not (family_kana and given_kana):
        family_kana, given_kana = _split(read.get("name_kana"))
    parts = {
        "family": family,
        "given": given,
        "family_kana": family_kana,
        "given_kana": given_kana,
    }
    return {k: v for k, v in parts.items() if v}


def _split(whole: Any) -> tuple[str | None, str | None]:
    text = _text(whole, 2 * MAX["name_part"] + 1)
    if not text:
        return None, None
    family, _sep, given = text.replace("　", " ").partition(" ")
    return _text(family, MAX["name_part"]), _text(given, MAX["name_part"])


def _address(value: Any) -> dict[str, str]:
    """An OpenID Connect address claim as the `address` field type's parts."""
    if not isinstance(value, Mapping):
        return {}
    postal = _text(value.get("postal_code"), 10)
    postal = unicodedata.normalize("NFKC", postal).replace("-", "") if postal else None
    region = _text(value.get("region"), MAX["prefecture"])
    locality = _text(value.get("locality"), MAX["city"])
    street = _text(value.get("street_address"), MAX["street"])
    if not (region or locality or street):  # only the formatted address: its prefecture
        formatted = _text(value.get("formatted"), 300) or ""
        formatted = re.sub(r"^〒?\s*\d{3}-?\d{4}\s*", "", formatted)
        match = PREFECTURE.match(formatted)
        if match:
            region, street = match.group(1), _text(formatted[match.end() :], MAX["street"])
    parts = {
        "postal_code": postal if postal and postal.isdigit() and len(postal) == 7 else None,
        "prefecture": region,
        "city": locality,
        "street": street,
    }
    return {k: v for k, v in parts.items() if v}
