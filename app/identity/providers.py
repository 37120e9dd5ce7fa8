"""The OpenID Connect providers residents and businesses sign in with, as configured
(config.py: OIDC_PROVIDERS, OIDC_<NAME>_…), checked once when the app is built: a
setting that cannot work stops the start with a message, not the first sign-in."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from urllib.parse import urlsplit

from app.formengine.profile import PROVIDER_KINDS

NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

# the facts kept in a profile → the claim each is read from, unless _CLAIMS says otherwise.
# OpenID Connect's standard claims; the reading (フリガナ) as the language-tagged claims of
# OpenID Connect Core 5.2 (`family_name#ja-Kana-JP`); a business's facts as gBizID-like names.
DEFAULT_CLAIMS = MappingProxyType(
    {
        "name": "name",
        "family_name": "family_name",
        "given_name": "given_name",
        "name_kana": "name#ja-Kana-JP",
        "family_name_kana": "family_name#ja-Kana-JP",
        "given_name_kana": "given_name#ja-Kana-JP",
        "birthdate": "birthdate",
        "gender": "gender",
        "address": "address",
        "email": "email",
        "corporate_number": "corporate_number",
        "corporate_name": "corporate_name",
        "representative_name": "representative_name",
    }
)
DEFAULT_SCOPE = {
    "individual": "openid profile address email",
    "business": "openid profile address email corporate",
}
DEFAULT_LABEL = {
    "individual": ("マイナンバーカードでログイン", "Sign in with your My Number Card"),
    "business": ("gBizIDでログイン（法人・個人事業主）", "Sign in with gBizID (businesses)"),
}
TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Provider:
    name: str  # in the addresses: /signin/<name>
    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    kind: str  # one of PROVIDER_KINDS
    scope: str
    claims: Mapping[str, str]  # profile fact → claim
    label_ja: str
    label_en: str
    development: bool = False  # the local provider: never real, marked on every page

    @property
    def metadata_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


def load(raw: Mapping[str, Mapping[str, str]], environment: str) -> dict[str, Provider]:
    """The providers of OIDC_PROVIDERS, or ValueError naming what is wrong."""
    found: dict[str, Provider] = {}
    for name, spec in raw.items():
        if not NAME.match(name):
            raise ValueError(f"OIDC provider name {name!r}: lower-case letters, digits and _")
        found[name] = _provider(name, dict(spec), environment)
    return found


def _provider(name: str, spec: dict, environment: str) -> Provider:
    where = f"OIDC_{name.upper()}_"
    for key in ("issuer", "client_id", "client_secret", "kind"):
        if not spec.get(key):
            raise ValueError(f"{where}{key.upper()} is not set")
    kind = spec["kind"]
    if kind not in PROVIDER_KINDS:
        raise ValueError(f"{where}KIND must be one of {', '.join(PROVIDER_KINDS)}, not {kind!r}")
    issuer = spec["issuer"]  # as the provider writes it: `iss` is compared exactly
    parts = urlsplit(issuer)
    development = str(spec.get("development", "")).lower() in TRUE
    if development and environment == "production":
        raise ValueError(f"the development provider {name!r} (OIDC_DEV_ISSUER) in production")
    if parts.scheme != "https" and not (parts.scheme == "http" and environment != "production"):
        raise ValueError(f"{where}ISSUER must be an https:// address, not {issuer!r}")
    if not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"{where}ISSUER is not an issuer URL: {issuer!r}")
    claims = dict(DEFAULT_CLAIMS)
    for pair in (spec.get("claims") or "").split(","):
        if not pair.strip():
            continue
        fact, sep, claim = (x.strip() for x in pair.partition("="))
        if not sep or fact not in DEFAULT_CLAIMS or not claim:
            raise ValueError(
                f"{where}CLAIMS: {pair.strip()!r} is not fact=claim with a fact among "
                + ", ".join(DEFAULT_CLAIMS)
            )
        claims[fact] = claim
    scope = spec.get("scope") or DEFAULT_SCOPE[kind]
    if "openid" not in scope.split():
        raise ValueError(f"{where}SCOPE must include openid")
    label_ja, label_en = DEFAULT_LABEL[kind]
    return Provider(
        name=name,
        issuer=issuer,
        client_id=spec["client_id"],
        client_secret=spec["client_secret"],
        kind=kind,
        scope=scope,
        claims=MappingProxyType(claims),
        label_ja=spec.get("label_ja") or label_ja,
        label_en=spec.get("label_en") or label_en,
        development=development,
    )
