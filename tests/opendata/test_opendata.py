"""/opendata: the catalogue and the yearly figures as CSV, JSON and CPSV-AP JSON-LD, CC BY 4.0."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from app.catalogue.services import import_catalogue
from app.submissions import versions
from tests.conftest import ROOT

ATTRIBUTION = "出典: 三重県（Tetsuzuki）、CC BY 4.0"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"


@pytest.fixture
def example(app, worked_example):
    with app.app_context():
        assert import_catalogue(worked_example).ok
    return app.test_client()


@pytest.fixture
def shipped(app):
    with app.app_context():
        assert import_catalogue(ROOT / "procedures").ok
        assert not versions.load_forms([ROOT / "forms"]).problems
    return app.test_client()


def read_csv(r) -> list[dict[str, str]]:
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert r.data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, as Excel wants it
    return list(csv.DictReader(io.StringIO(r.data.decode("utf-8-sig"))))


def test_the_page_links_every_download_and_credits_the_source(example):
    r = example.get("/opendata")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert ATTRIBUTION in html and 'rel="license"' in html and "creativecommons.org" in html
    for name in ("procedures", "volumes", "status_history", "figures"):
        assert f"/opendata/{name}.csv" in html and f"/opendata/{name}.json" in html
    assert "/opendata/procedures.jsonld" in html and "/api/docs" in html
    en = example.get("/opendata?lang=en").get_data(as_text=True)
    assert "Source: Mie Prefecture (Tetsuzuki), CC BY 4.0" in en and "Open data" in en


def test_the_page_says_what_a_leading_quote_in_the_csv_means(example):
    ja = example.get("/opendata").get_data(as_text=True)
    assert "表計算ソフトが式として実行しないため" in ja and "'=1+2 は =1+2 という文字列です" in ja
    en = example.get("/opendata?lang=en").get_data(as_text=True)
    assert "so that spreadsheets do not run it as a formula" in en
    assert "('=1+2 is the text =1+2)" in en


def test_procedures_csv_and_json_agree(example):
    r = example.get("/opendata/procedures.csv")
    assert r.headers["Link"] == f'<{LICENSE}>; rel="license"'
    assert "attachment" in r.headers["Content-Disposition"]
    rows = read_csv(r)
    assert [row["code"] for row in rows] == ["A", "B", "C", "D"]
    a = rows[0]
    assert (a["status"], a["status_ja"], a["digitized"], a["priority"]) == (
        "online", "オンライン申請可", "1", "1"
    )  # fmt: skip
    assert (a["latest_fiscal_year"], a["latest_receipts"], a["latest_online_receipts"]) == (
        "2023", "40000", ""
    )  # fmt: skip
    assert rows[3]["status"] == "excluded" and rows[3]["digitized"] == "0"
    body = example.get("/opendata/procedures.json").get_json()
    assert body["license"]["url"] == LICENSE and body["attribution"]["ja"] == ATTRIBUTION
    assert [c["name"] for c in body["columns"]] == list(rows[0])
    assert [d["code"] for d in body["data"]] == ["A", "B", "C", "D"]
    assert body["data"][0]["priority"] is True and body["data"][0]["status_since"] == "2021-10-01"


def test_volumes_and_status_history(example):
    volumes = read_csv(example.get("/opendata/volumes.csv"))
    assert len(volumes) == 6
    assert {
        "code": "C",
        "fiscal_year": "2023",
        "receipts": "25000",
        "online_receipts": "",
    } in volumes
    history = example.get("/opendata/status_history.json").get_json()["data"]
    assert len(history) == 5
    assert history[-1] == {
        "code": "D",
        "status": "excluded",
        "effective_date": "2021-04-01",
        "note": "対面での審査が法令で必要",
    }


def test_yearly_figures_are_the_kpi(example):
    rows = example.get("/opendata/figures.json").get_json()["data"]
    by = {(r["fiscal_year"], r["scope"], r["basis"]): r for r in rows}
    fy2023 = by[(2023, "priority", "latest")]
    assert (fy2023["numerator"], fy2023["denominator"], fy2023["digitized"], fy2023["total"]) == (
        70000, 95000, 2, 3
    )  # fmt: skip
    assert fy2023["rate"] == pytest.approx(0.7368421) and fy2023["as_of"] == "2024-03-31"
    assert by[(2023, "priority", "fixed:2021")]["numerator"] == 80000
    assert by[(2023, "department:01", "latest")]["rate"] == 1.0
    assert (by[(2021, "all", "latest")]["numerator"], by[(2021, "all", "latest")]["denominator"]) == (
        50000, 100000
    )  # fmt: skip
    assert min(fy for fy, _, _ in by) == 2021  # from the first recorded year
    csv_rows = read_csv(example.get("/opendata/figures.csv"))
    assert len(csv_rows) == len(rows)


def test_etag_and_unknown_data_sets(example):
    r = example.get("/opendata/volumes.json")
    assert (
        example.get(
            "/opendata/volumes.json", headers={"If-None-Match": r.headers["ETag"]}
        ).status_code
        == 304
    )
    assert example.get("/opendata/secrets.csv").status_code == 404
    assert example.get("/opendata/volumes.xml").status_code == 404


def test_cpsv_ap_json_ld(shipped):
    r = shipped.get("/opendata/procedures.jsonld")
    assert r.status_code == 200 and r.mimetype == "application/ld+json"
    doc = json.loads(r.data)
    ctx = doc["@context"]
    assert (
        ctx["cpsv"] == "http://purl.org/vocab/cpsv#" and ctx["cv"] == "http://data.europa.eu/m8g/"
    )
    assert ctx["tz"] == "http://127.0.0.1:5000/opendata/vocab#"  # BASE_URL, not the Host
    assert set(doc) == {"@context", "@graph"}  # one plain graph, no named graph
    graph = {node["@id"]: node for node in doc["@graph"]}
    dataset = graph["http://127.0.0.1:5000/opendata/procedures.jsonld"]
    assert dataset["@type"] == "dcat:Dataset" and dataset["dct:description"]
    assert dataset["dct:license"] == {"@id": LICENSE}
    assert {"@value": ATTRIBUTION, "@language": "ja"} in dataset["dct:rights"]
    services = [n for n in graph.values() if n["@type"] == "cpsv:PublicService"]
    assert len(services) == 127
    for s in services:
        assert "cv:PublicOrganisation" in graph[s["cv:hasCompetentAuthority"]["@id"]]["@type"]
        assert s["dct:title"][0]["@language"] == "ja" and s["dct:description"]
        assert s["tz:digitizationStatus"]["@id"].startswith("tz:status-")
        assert s["cv:hasChannel"]
    hunting = next(s for s in services if s["dct:identifier"] == "P-0034")
    assert hunting["cv:hasCost"]["cv:hasValue"] == {"@value": 2900.0, "@type": "xsd:double"}
    assert hunting["cv:hasCost"]["cv:currency"]["@id"].endswith("/currency/JPY")
    assert hunting["cv:processingTime"] == {"@value": "P20D", "@type": "xsd:duration"}
    assert hunting["cv:hasLegalResource"]["@type"] == "eli:LegalResource"
    assert "第51条" in hunting["cv:hasLegalResource"]["dct:title"][0]["@value"]
    online = [c for c in hunting["cv:hasChannel"] if c["dct:type"]["@id"] == "tz:Online"]
    assert online and online[0]["foaf:page"]["@id"].endswith("/apply/hunting-licence-renewal")
    receipts = hunting["tz:annualReceipts"]
    assert receipts and {"tz:fiscalYear", "tz:receipts"} <= set(receipts[0])


def test_every_extension_term_is_documented(shipped):
    doc = shipped.get("/opendata/procedures.jsonld").get_data(as_text=True)
    used = set(re.findall(r'"tz:([A-Za-z_-]+)', doc))
    page = shipped.get("/opendata/vocab").get_data(as_text=True)
    documented = set(re.findall(r"<code>tz:([A-Za-z_-]+)</code>", page))
    assert used and used <= documented, used - documented
