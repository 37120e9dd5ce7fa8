"""How complete a procedure's digital service is (`features` in procedures.csv)."""

from __future__ import annotations

from types import MappingProxyType

FEATURES = MappingProxyType(
    {
        "online_application": ("オンライン申請", "Online application"),
        "online_attachments": ("添付書類もオンライン", "Attachments online"),
        "no_seal": ("押印不要", "No seal needed"),
        "online_identity": (
            "オンライン本人確認（マイナンバーカード等）",
            "Online identity (e.g. My Number Card)",
        ),
        "online_payment": ("手数料のオンライン納付", "Online payment"),
        "online_result": ("結果のオンライン通知・交付", "Result online"),
    }
)


def parse_features(text: str | None) -> tuple[list[str], list[str]]:
    """→ (features in canonical order, unknown names)."""
    given = [part.strip() for part in (text or "").replace("；", ";").split(";") if part.strip()]
    unknown = [g for g in given if g not in FEATURES]
    known = set(given) - set(unknown)
    return [f for f in FEATURES if f in known], unknown


def feature_label(name: str, lang: str = "ja") -> str:
    ja, en = FEATURES.get(name, (name, name))
    return en if lang == "en" else ja
