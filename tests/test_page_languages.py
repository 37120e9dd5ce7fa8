"""English pages are English: an English <title>, and every Japanese text they show (a name
the catalogue has only in Japanese, a legal basis, a note) marked lang="ja"; Japanese pages
mark the English they show (the API's bilingual document) lang="en" (WCAG 3.1.2)."""

from __future__ import annotations

import re

import pytest

from app import create_app
from app.catalogue.services import import_catalogue
from app.extensions import db
from app.submissions import versions
from config import TestConfig
from tests.conftest import ROOT
from tests.langcheck import texts, unmarked_english, unmarked_japanese

FORMS = sorted(p.stem for p in (ROOT / "forms").glob("*.yaml"))
PAGES = [
    "/", "/?q=許可", "/dashboard", "/dashboard?fy=2021", "/opendata", "/opendata/vocab",
    "/api/docs", "/status", "/staff/login", *[f"/apply/{f}" for f in FORMS],
]  # fmt: skip


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("langs")
    app = create_app(
        TestConfig,
        instance_path=str(tmp / "instance"),
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp / 'app.db'}",
        JOB_PERIODIC=False,
    )
    with app.app_context():
        db.create_all()
        assert import_catalogue(ROOT / "procedures").ok
        assert not versions.load_forms([ROOT / "forms"]).problems
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _procedures() -> list[str]:
    text = (ROOT / "procedures" / "procedures.csv").read_text(encoding="utf-8-sig")
    return re.findall(r"^(P-\d{4}),", text, re.M)


def _get(client, path: str, lang: str) -> str:
    r = client.get(path + ("&" if "?" in path else "?") + f"lang={lang}")
    assert r.status_code == 200, path
    return r.get_data(as_text=True)


def test_english_pages_mark_every_japanese_text(site):
    client = site.test_client()
    for path in [*PAGES, *(f"/procedures/{code}" for code in _procedures())]:
        html = _get(client, path, "en")
        assert '<html lang="en">' in html, path
        assert unmarked_japanese(html) == [], path


def test_japanese_pages_mark_the_english_they_show(site):
    client = site.test_client()
    for path in PAGES:
        html = _get(client, path, "ja")
        assert '<html lang="ja">' in html, path
        assert unmarked_english(html) == [], path
    docs = _get(client, "/api/docs", "ja")
    assert '<span lang="en">submit a form</span>' in docs


def test_an_english_procedure_page_is_titled_in_english(site):
    client = site.test_client()
    html = _get(client, "/procedures/P-0021", "en")
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    h1 = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)
    assert h1 in title and not re.search(r"[\u3040-\u9fff]", title), title
    assert '<span lang="ja">浄化槽法 第5条</span>' in html  # the legal basis, in Japanese
    ja = _get(client, "/procedures/P-0021", "ja")
    assert "<title>浄化槽設置届 |" in ja


def test_the_check_finds_unmarked_text():
    html = (
        '<html lang="en"><body><p>Hello <span lang="ja">東京</span> and 大阪</p>'
        '<img alt="地図" src="x.png"><p lang="ja">This is an English sentence here</p></body></html>'
    )
    assert unmarked_japanese(html) == ["and 大阪", "地図"]
    assert unmarked_english(html) == ["This is an English sentence here"]
    assert ("ja", "東京") in texts(html)


def test_names_the_catalogue_has_only_in_japanese_are_marked(app, worked_example):
    with app.app_context():
        assert import_catalogue(worked_example).ok
    client = app.test_client()
    for path in ("/", "/procedures/A", "/procedures/D", "/dashboard"):
        html = _get(client, path, "en")
        assert unmarked_japanese(html) == [], path
    index = _get(client, "/", "en")
    assert '<option value="01" lang="ja">部局01</option>' in index
    assert '<span lang="ja">手続A</span>' in index
    procedure = _get(client, "/procedures/D", "en")
    assert '<span lang="ja">対面での審査が法令で必要</span>' in procedure
    assert "<title>Procedure D |" in procedure


def test_a_resident_who_chose_easy_japanese_reads_it_on_the_next_pages(site):
    """やさしい日本語 chosen on the home page: the portal's own texts (app/translations/ja_JP)
    on the home page, a procedure page and a form's start page; plain Japanese unchanged."""
    easy = site.test_client()
    pages = {
        "/?lang=ja-easy": (["てつづきを さがす", "てつづきの なまえ・ことば"], ["手続をさがす"]),
        "/procedures/P-0006": (
            ["しんせいの しかた", "しんせいを はじめる", "けっかが でるまでの ひにち（めやす）"],
            ["申請の方法", "申請を始める", "標準処理期間"],
        ),
        "/apply/prefectural-housing": (
            ["よういする もの", "しんせいを はじめる", "オンラインで できない こと"],
            ["用意するもの", "申請を始める", "オンラインでできないこと"],
        ),
    }
    for path, (shown, standard) in pages.items():
        r = easy.get(path)  # only the first carries ?lang=: the choice is remembered
        assert r.status_code == 200, path
        html = r.get_data(as_text=True)
        assert '<html lang="ja">' in html, path
        assert "みえけん オンライン てつづき" in html, path
        for text in shown:
            assert text in html, (path, text)
        for text in standard:
            assert text not in html, (path, text)
    plain = site.test_client()
    for path, (shown, standard) in pages.items():
        html = _get(plain, path.replace("?lang=ja-easy", ""), "ja")
        assert "三重県 行政手続オンライン" in html, path
        for text in standard:
            assert text in html, (path, text)
        for text in shown:
            assert text not in html, (path, text)


def test_japanese_reads_the_texts_as_written_where_easy_japanese_has_them(site):
    """gettext takes `ja` for `ja_JP`: Japanese (pages, notices, PDFs made under
    force_locale("ja")) must not read やさしい日本語's catalogue (settings.Catalogues)."""
    from flask_babel import force_locale, gettext

    from app.settings import EASY_LOCALE

    with site.test_request_context("/"):
        with force_locale("ja"):
            assert gettext("到達番号") == "到達番号"
        with force_locale(EASY_LOCALE):
            assert gettext("到達番号") == "うけつけ ばんごう"
        with force_locale("en"):
            assert gettext("到達番号") == "Receipt number"


def test_the_menu_offers_the_other_languages_under_easy_japanese(site):
    """Under やさしい日本語 a page without easy texts of its own (the catalogue, the status
    pages) is `ja`: its menu still leads back to 日本語 and does not offer やさしい日本語 again."""
    client = site.test_client()
    for path in ("/?lang=ja-easy", "/procedures/P-0006", "/status", "/apply/prefectural-housing"):
        html = client.get(path).get_data(as_text=True)
        menu = re.search(r'<nav aria-label="サイト">(.*?)</nav>', html, re.S).group(1)
        assert ">日本語</a>" in menu and ">English</a>" in menu, path
        assert "やさしい にほんご" not in menu, path
    html = _get(site.test_client(), "/", "ja")
    assert ">やさしい にほんご</a>" in html and ">日本語</a>" not in html
