"""The public dashboard as a visitor sees it: headline, history, departments, quality."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, update

from app.catalogue.models import Procedure, StatusChange, VolumeRecord
from app.catalogue.services import import_catalogue, record_status
from app.extensions import db
from tests.conftest import ROOT


@pytest.fixture
def shipped(app):
    with app.app_context():
        assert import_catalogue(ROOT / "procedures").ok
    return app.test_client()


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_headline_history_and_targets_in_japanese(shipped):
    r = shipped.get("/dashboard?fy=2021", headers={"Accept-Language": "ja"})
    assert r.status_code == 200
    page = text(r.get_data(as_text=True))
    assert "重点手続のデジタル化率" in page
    assert "2021年度（令和3年度）" in page
    assert "39.0%" in page  # both bases agree in the baseline year
    assert page.count("39.0%") >= 2
    assert "43,136 / 110,551 件" in page
    assert "まだ紙・窓口で受け付けている件数: 年間 67,415 件" in page
    assert "2024年度（令和6年度） までに100%" in page


def test_history_chart_is_svg_with_text_alternatives(shipped):
    html = shipped.get("/dashboard?fy=2025", headers={"Accept-Language": "ja"}).get_data(
        as_text=True
    )
    svg = re.search(r"<svg class=\"chart\".*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", svg, re.S).group(1)
    for fy, rate in [
        (2021, "39.0%"),
        (2022, "55.4%"),
        (2023, "75.4%"),
        (2024, "91.5%"),
        (2025, "96.4%"),
    ]:
        assert f"{fy}年度" in desc and rate in desc
    assert svg.count("<polyline") == 2 and 'class="target' in svg
    assert "<script" not in html  # readable without JavaScript
    # the same figures as a table
    table = text(html.split("推移を表で見る")[1].split("</table>")[0])
    assert "2023年度（令和5年度） 75.4%" in table


def test_department_table_sorts_and_downloads(shipped):
    html = shipped.get("/dashboard?fy=2021&sort=name&dir=asc").get_data(as_text=True)
    table = html.split('class="departments"')[1].split("</table>")[0]
    rows = re.findall(r'<tr>\s*<th scope="row"><a [^>]*>([^<]+)</a></th>', table)
    assert rows and rows == sorted(rows)
    html = shipped.get("/dashboard?fy=2021&sort=rate&dir=desc").get_data(as_text=True)
    assert 'aria-sort="descending"' in html
    r = shipped.get("/dashboard/departments.csv?fy=2021&scope=priority")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 15
    assert sum(int(x["weighted_denominator"]) for x in rows) == 110_551
    assert sum(int(x["weighted_numerator"]) for x in rows) == 43_136


def test_biggest_remaining_and_data_quality(shipped):
    page = text(shipped.get("/dashboard?fy=2021").get_data(as_text=True))
    assert "デジタル化すると効果の大きい手続" in page
    assert "県立高等学校入学者選抜の出願" in page and "+5.5ポイント" in page
    # the two procedures with no volumes at all are listed as data-quality problems
    assert "年間受付件数が未登録の手続（2 件）" in page
    assert "P-0136" in page and "P-0150" in page


def test_english(shipped):
    page = text(shipped.get("/dashboard?fy=2024&lang=en").get_data(as_text=True))
    assert "FY2024 (Reiwa 6)" in page
    assert "Digitization rate of priority procedures" in page
    # the choice is remembered
    page = text(shipped.get("/dashboard?fy=2024").get_data(as_text=True))
    assert "Digitization rate of priority procedures" in page


def test_a_status_change_moves_the_dashboard_at_once(app, shipped):
    before = text(shipped.get("/dashboard?fy=2025&scope=priority").get_data(as_text=True))
    assert "96.4%" in before
    with app.app_context():
        p = db.session.scalar(select(Procedure).where(Procedure.code == "P-0012"))
        record_status(p, "online", date(2025, 6, 1), by="test")
        db.session.commit()
    after = text(shipped.get("/dashboard?fy=2025&scope=priority").get_data(as_text=True))
    assert "96.4%" not in after.split("直近の件数で重み付け")[0]


@pytest.mark.parametrize("query", ["fy=abc", "scope=everything"])
def test_bad_query_is_a_clear_400_page(shipped, query):
    r = shipped.get(f"/dashboard?{query}", headers={"Accept-Language": "ja"})
    assert r.status_code == 400
    assert "リクエストの内容が正しくありません" in r.get_data(as_text=True)


def test_empty_catalogue_still_renders(client):
    r = client.get("/dashboard")
    assert r.status_code == 200
    assert "0.0%" in r.get_data(as_text=True)


def test_a_departments_last_update_is_the_day_in_japan(app, client, worked_example, monkeypatch):
    """Recorded at 00:30 on New Year's Day in Japan, which is still 31 December in UTC."""
    monkeypatch.setattr("app.dashboard.services.today", lambda: date(2026, 6, 1))
    with app.app_context():
        assert import_catalogue(worked_example).ok
        new_year = datetime(2025, 12, 31, 15, 30, tzinfo=UTC)
        for model in (StatusChange, VolumeRecord):
            db.session.execute(update(model).values(recorded_at=new_year))
        db.session.commit()
    page = text(client.get("/dashboard").get_data(as_text=True))
    assert "部局01 — 最終更新 2026-01-01" in page and "2025-12-31" not in page


def test_the_department_table_in_english_names_departments_in_english(shipped):
    ja = shipped.get("/dashboard/departments.csv?fy=2021&scope=priority&lang=ja")
    en = shipped.get("/dashboard/departments.csv?fy=2021&scope=priority&lang=en")
    names = {}
    for lang, r in (("ja", ja), ("en", en)):
        assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
        rows = csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff")))
        names[lang] = {x["department_code"]: x["department_name"] for x in rows}
    assert names["ja"]["NORIN"] == "農林水産部"
    assert names["en"]["NORIN"] == "Agriculture, Forestry and Fisheries Department"
    assert set(names["en"]) == set(names["ja"])
    assert not any(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", n) for n in names["en"].values())
    page = shipped.get("/dashboard?fy=2021&lang=en").get_data(as_text=True)
    assert "Agriculture, Forestry and Fisheries Department" in page
