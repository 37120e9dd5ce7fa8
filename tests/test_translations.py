"""Every user-visible string of the code and templates has its English translation, and
every text a resident reads its やさしい日本語."""

from __future__ import annotations

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from tests.conftest import ROOT

EVERYTHING = [("app/**.py", "python"), ("app/templates/**.html", "jinja2")]
# what a resident reads: the pages of the portal (finding a procedure, applying, looking an
# application up, errors) and the messages the code gives them there
RESIDENTS = [
    ("app/templates/base.html", "jinja2"),
    ("app/templates/error.html", "jinja2"),
    ("app/templates/apply/**.html", "jinja2"),
    ("app/templates/catalogue/**.html", "jinja2"),
    ("app/templates/status/**.html", "jinja2"),
    ("app/templates/documents/_receipt_link.html", "jinja2"),
    ("app/templates/documents/not_ready.html", "jinja2"),
    ("app/templates/identity/**.html", "jinja2"),
    ("app/submissions/views.py", "python"),
    ("app/submissions/satisfaction.py", "python"),
    ("app/catalogue/guide.py", "python"),
    ("app/web.py", "python"),
]


def message_ids(method_map) -> set[str]:
    return {
        msg[2] if isinstance(msg[2], str) else msg[2][0]
        for msg in extract_from_dir(
            str(ROOT), method_map=method_map, keywords={"_": None, "gettext": None, "_l": None}
        )
    }


def untranslated(found: set[str], locale: str) -> list[str]:
    with open(ROOT / f"app/translations/{locale}/LC_MESSAGES/messages.po", "rb") as fh:
        catalog = read_po(fh)
    return sorted(found - {m.id for m in catalog if m.id and m.string})


def test_every_message_is_translated_to_english():
    missing = untranslated(message_ids(EVERYTHING), "en")
    assert not missing, "untranslated (run the update in docs/development.md): " + "; ".join(
        missing
    )


def test_every_text_a_resident_reads_is_in_easy_japanese():
    """やさしい日本語 covers the portal's own texts, not only the forms' wording."""
    missing = untranslated(message_ids(RESIDENTS), "ja_JP")
    assert not missing, "no やさしい日本語 (app/translations/ja_JP): " + "; ".join(missing)


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
