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


def test_the_language_links_lead_to_the_same_page_with_its_query(app):
    """A page's links to its other languages are the URL url_for would build: the same
    path (quoted as routing quotes it) and query, with lang= changed."""
    from flask import request, url_for

    from app.web import lang_url

    for path in ("/apply/test-form/about", "/procedures/A", "/dashboard"):
        with app.test_request_context(path + "?from=check&q=%E4%BF%9D+%E8%82%B2&lang=ja"):
            app.preprocess_request()
            built = url_for(
                request.endpoint, **request.view_args, **{"from": "check", "q": "保 育"}, lang="en"
            )
            assert lang_url("en") == built
