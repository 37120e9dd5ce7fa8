"""Every user-visible string of the code and templates has its English translation."""

from __future__ import annotations

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from tests.conftest import ROOT


def test_every_message_is_translated_to_english():
    method_map = [("app/**.py", "python"), ("app/templates/**.html", "jinja2")]
    found = {
        msg[2] if isinstance(msg[2], str) else msg[2][0]
        for msg in extract_from_dir(
            str(ROOT), method_map=method_map, keywords={"_": None, "gettext": None, "_l": None}
        )
    }
    with open(ROOT / "app/translations/en/LC_MESSAGES/messages.po", "rb") as fh:
        catalog = read_po(fh)
    translated = {m.id for m in catalog if m.id and m.string}
    missing = sorted(found - translated)
    assert not missing, "untranslated (run the update in docs/development.md): " + "; ".join(
        missing
    )
