"""Search as residents type: both spaces split words, any kana width, readings, other
names, ranked, highlighted, filtered; the same answers on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest

from app.catalogue import search
from tests.catalogue.test_import_export import SHIPPED, run

# query → the codes a resident expects first (in this order), on both databases
QUERIES = {
    "じょうかそう": ["P-0021"],
    "ジョウカソウ": ["P-0021"],
    "浄化槽 届": ["P-0021"],
    "浄化槽　届": ["P-0021"],
    "県営住宅　入居": ["P-0006"],
    "ｼﾞｭｳﾀｸ": ["P-0006"],
    "車庫証明": ["P-0053"],
    "パスポート": ["P-0030", "P-0031"],
    "ほいくし": ["P-0016"],
    "ＰＥＲＭＩＴ": None,  # full-width Latin: checked below against permit
}


@pytest.fixture
def shipped(backend_app):
    assert run(backend_app, "import", SHIPPED).exit_code == 0
    return backend_app


def codes(app, **params) -> list[str]:
    html = app.test_client().get("/", query_string=params).get_data(as_text=True)
    return re.findall(r'<a href="/procedures/(P-\d+)">', html)


def test_the_same_queries_find_the_same_procedures_on_both_databases(shipped):
    for query, expected in QUERIES.items():
        found = codes(shipped, q=query)
        if expected is None:
            assert found == codes(shipped, q="permit") and found, query
        else:
            assert found[: len(expected)] == expected, (query, found)
    assert codes(shipped, q="どこにもない言葉") == []


def test_every_word_must_match(shipped):
    both = codes(shipped, q="免許 狩猟")
    assert both and set(both) < set(codes(shipped, q="免許"))
    assert set(both) <= set(codes(shipped, q="狩猟"))


def test_a_name_ranks_above_a_summary_and_matches_are_marked(shipped):
    html = shipped.test_client().get("/", query_string={"q": "浄化槽 届"}).get_data(as_text=True)
    assert '<a href="/procedures/P-0021"><mark>浄化槽</mark>設置<mark>届</mark></a>' in html
    found = codes(shipped, q="浄化槽")
    assert found[0] == "P-0021"  # in the name; others mention it only in their summaries


def test_filters_by_department_audience_and_online(shipped):
    kankyo = codes(shipped, department="KANKYO")
    assert "P-0021" in kankyo and "P-0006" not in kankyo
    online = codes(shipped, online="1")
    assert "P-0021" in online and len(online) < len(codes(shipped))
    business = codes(shipped, audience="business")
    individual = codes(shipped, audience="individual")
    assert "P-0006" in individual and "P-0006" not in business


def test_a_marked_word_keeps_the_text_safe():
    groups = search.synonyms()
    assert str(search.highlight("<b>住宅</b>", "ｼﾞｭｳﾀｸ 住宅", groups)) == "&lt;b&gt;<mark>住宅</mark>&lt;/b&gt;"
    assert str(search.highlight("ジュウタク", "じゅうたく", groups)) == "<mark>ジュウタク</mark>"


def test_departments_extend_the_synonyms(tmp_path):
    extra = tmp_path / "ours.txt"
    extra.write_text("# 追加\nくるま, 自動車\n", encoding="utf-8")
    groups = search.synonyms(str(extra))
    assert "自動車" in search.alternatives("くるま", groups)
    assert "旅券" in search.alternatives("ぱすぽーと", groups)  # the shipped ones still there


def test_folding_is_jaconvs_kana_folding():
    import jaconv  # noqa: PLC0415 - only this test compares with it

    text = "ジュウタク・パスポート・ヴァイオリン・ヶ月・ｼﾞｮｳｶｿｳ"
    assert search.fold(text) == jaconv.kata2hira(search.fold(text)) == "じゅうたく・ぱすぽーと・ゔぁいおりん・ゖ月・じょうかそう"
