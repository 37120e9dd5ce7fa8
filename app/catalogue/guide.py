"""A procedure's guide, as residents and machines read it: what it is, who can apply,
what is needed, how long it takes, what it costs, how to apply and whom to ask.

The values are stored as rules.read_guide reads them; this module turns them into words
for the page, into the API's `guide` object and into schema.org `GovernmentService`
JSON-LD. Plain data in, plain data out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from app.formengine.normalise import group_tel

from . import rules
from .models import Procedure

# where a resident applies: our own form, another service online, or on paper / at a counter
HERE, ELSEWHERE, PAPER = "here", "elsewhere", "paper"


def items(text: str | None) -> list[str]:
    return [i for i in (text or "").split(";") if i]


def audience_codes(p: Procedure) -> list[str]:
    return [a for a in items(p.audience) if a in rules.AUDIENCES]


def audience_labels(p: Procedure) -> list[str]:
    """Who it is for, in the page's language."""
    words = {"individual": _("個人"), "business": _("事業者・団体")}
    return [words[code] for code in audience_codes(p)]


def fee_text(p: Procedure) -> str | None:
    """`無料`, `2,400円`, or the words written; None when not known."""
    if not p.fee:
        return None
    if p.fee == rules.FEE_NONE:
        return _("無料")
    if p.fee.isdigit():
        return _("%(n)s円", n=f"{int(p.fee):,}")
    return p.fee


def phone(p: Procedure) -> str | None:
    return group_tel(p.section_phone) if p.section_phone else None


@dataclass(frozen=True, slots=True)
class Way:
    """How to apply: `kind` (HERE, ELSEWHERE, PAPER) and where."""

    kind: str
    url: str | None


def ways_to_apply(p: Procedure, apply_url: str | None) -> list[Way]:
    """Online here first, else online elsewhere; paper always last (a counter is always there)."""
    ways = []
    if apply_url:
        ways.append(Way(HERE, apply_url))
    elif p.online_url:
        ways.append(Way(ELSEWHERE, p.online_url))
    ways.append(Way(PAPER, p.paper_form_url))
    return ways


def guide_json(p: Procedure) -> dict[str, Any]:
    """The API's `guide` object (schemas.GuideSchema)."""
    return {
        "name_kana": p.name_kana,
        "summary": p.summary,
        "audience": audience_codes(p),
        "fee": p.fee,
        "fee_payment": p.fee_payment,
        "standard_processing_days": p.standard_processing_days,
        "documents": items(p.documents),
        "online_url": p.online_url,
        "paper_form_url": p.paper_form_url,
        "section": {"name": p.section, "phone": phone(p), "email": p.section_email},
        "egov_url": p.egov_url,
    }


def json_ld(p: Procedure, page_url: str, apply_url: str | None, lang: str) -> dict[str, Any]:
    """schema.org `GovernmentService` for search engines and assistants."""
    name = p.name_en if lang == "en" and p.name_en else p.name_ja
    dept = p.department
    dept_name = dept.name_en if lang == "en" and dept.name_en else dept.name_ja
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "GovernmentService",
        "name": name,
        "url": page_url,
        "identifier": p.code,
        "serviceType": p.procedure_type,
        "provider": {
            "@type": "GovernmentOrganization",
            "name": f"三重県 {dept_name}" if lang != "en" else f"Mie Prefecture, {dept_name}",
        },
        "areaServed": {
            "@type": "AdministrativeArea",
            "name": "三重県" if lang != "en" else "Mie Prefecture",
        },
    }
    if p.summary:
        data["description"] = p.summary
    audiences = audience_codes(p)
    if audiences:
        data["audience"] = [
            {"@type": "Audience", "audienceType": rules.AUDIENCES[a][1]} for a in audiences
        ]
    channels = []
    online = apply_url or p.online_url
    if online:
        channels.append(
            {"@type": "ServiceChannel", "serviceUrl": online, "availableLanguage": ["ja"]}
        )
    if p.section_phone or p.section_email:
        contact: dict[str, Any] = {"@type": "ContactPoint", "name": p.section}
        if p.section_phone:
            contact["telephone"] = "+81-" + (phone(p) or "").removeprefix("0")
        if p.section_email:
            contact["email"] = p.section_email
        channels.append({"@type": "ServiceChannel", "servicePhone": contact})
    if channels:
        data["availableChannel"] = channels
    if p.egov_url:
        data["isBasedOn"] = p.egov_url
    return data
