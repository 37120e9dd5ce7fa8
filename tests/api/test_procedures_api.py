"""GET /api/v1/procedures[/<code>]: today's status, volumes, filters, paging, ETag."""

from __future__ import annotations

from datetime import date

import pytest

from app.catalogue.models import Procedure
from app.catalogue.services import import_catalogue, record_status
from app.extensions import db

LIST = "/api/v1/procedures"


def codes(r) -> list[str]:
    return [p["code"] for p in r.get_json()["procedures"]]


def test_list_gives_status_as_of_today_and_volumes_by_year(api):
    r = api.get(LIST)
    assert r.status_code == 200
    body = r.get_json()
    assert [p["code"] for p in body["procedures"]] == ["A", "B", "C", "D"]
    a, b, c, d = body["procedures"]
    assert (a["status"], b["status"], c["status"], d["status"]) == (
        "online",
        "online",
        "partial",
        "excluded",
    )
    assert a["digitized"] and not c["digitized"]
    assert a["status_since"] == "2021-10-01" and a["status_label"]["ja"] == "オンライン申請可"
    assert a["volumes"] == [
        {"fiscal_year": 2021, "receipts": 50000, "online_receipts": None},
        {"fiscal_year": 2023, "receipts": 40000, "online_receipts": None},
    ]
    assert a["department"] == {"code": "01", "name_ja": "部局01", "name_en": None}
    assert a["links"]["self"].endswith("/api/v1/procedures/A")
    assert a["links"]["page"].endswith("/procedures/A") and a["links"]["apply"] is None
    meta = body["meta"]
    assert (meta["page"], meta["per_page"], meta["total"], meta["pages"]) == (1, 20, 4, 1)


def test_public_reads_may_be_fetched_from_other_sites(api):
    r = api.get(LIST)
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in r.headers["Access-Control-Expose-Headers"]
    assert api.get("/api/openapi.json").headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Origin" not in api.get("/api/v1/submissions/2025-X").headers


def test_status_is_computed_with_the_clock(api, monkeypatch):
    monkeypatch.setattr("app.api.views.today", lambda: date(2021, 5, 1))
    procs = {p["code"]: p for p in api.get(LIST).get_json()["procedures"]}
    assert procs["B"]["status"] == "paper" and procs["B"]["status_since"] == "2020-04-01"
    assert procs["A"]["status"] == "paper" and procs["A"]["status_since"] is None
    assert api.get(LIST).get_json()["meta"]["as_of"] == "2021-05-01"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("department=01", ["A", "B"]),
        ("department=02&priority=true", ["C"]),
        ("priority=false", ["D"]),
        ("status=excluded", ["D"]),
        ("status=online&department=02", []),
        ("department=nope", []),
        ("unknown=ignored", ["A", "B", "C", "D"]),
    ],
)
def test_filters(api, query, expected):
    r = api.get(f"{LIST}?{query}")
    assert r.status_code == 200
    assert codes(r) == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=done", "status"),
        ("priority=maybe", "priority"),
        ("page=0", "page"),
        ("per_page=101", "per_page"),
        ("per_page=x", "per_page"),
    ],
)
def test_bad_parameters_are_400_with_the_field(api, query, field):
    r = api.get(f"{LIST}?{query}")
    assert r.status_code == 400 and r.is_json
    body = r.get_json()
    assert body["error"] == "invalid_parameter" and " / " in body["message"]
    assert field in body["errors"] and " / " in body["errors"][field][0]


def test_paging_with_links_and_link_header(api):
    first = api.get(f"{LIST}?per_page=3&department=&status=&priority=true")  # empty: no filter
    assert codes(first) == ["A", "B", "C"]
    assert first.get_json()["meta"]["pages"] == 1 and first.get_json()["links"]["next"] is None
    r = api.get(f"{LIST}?per_page=3")
    body = r.get_json()
    assert (body["meta"]["total"], body["meta"]["pages"]) == (4, 2)
    assert body["links"]["prev"] is None
    nxt = body["links"]["next"]
    assert "page=2" in nxt and "per_page=3" in nxt
    assert f'<{nxt}>; rel="next"' in r.headers["Link"]
    second = api.get(nxt)
    assert codes(second) == ["D"]
    assert second.get_json()["links"]["next"] is None
    assert "page=1" in second.get_json()["links"]["prev"]
    beyond = api.get(f"{LIST}?per_page=3&page=9")
    assert beyond.status_code == 200 and codes(beyond) == []
    assert "page=2" in beyond.get_json()["links"]["prev"]


def test_filters_are_kept_in_the_links(api):
    body = api.get(f"{LIST}?department=01&per_page=1").get_json()
    assert "department=01" in body["links"]["next"] and "department=01" in body["links"]["last"]


def test_etag_and_304_until_the_catalogue_changes(api, api_app):
    r = api.get(f"{LIST}?department=01")
    tag = r.headers["ETag"]
    again = api.get(f"{LIST}?department=01", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == tag
    other_page = api.get(f"{LIST}?department=02", headers={"If-None-Match": tag})
    assert other_page.status_code == 200
    with api_app.app_context():
        b = db.session.query(Procedure).filter_by(code="B").one()
        record_status(b, "end_to_end", date(2020, 1, 1), by="test")  # an older date: still online
        record_status(b, "end_to_end", date(2024, 1, 1), by="test")
        db.session.commit()
    changed = api.get(f"{LIST}?department=01", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    assert {p["code"]: p["status"] for p in changed.get_json()["procedures"]}["B"] == "end_to_end"


def test_detail_with_history_404_and_etag(api):
    r = api.get("/api/v1/procedures/B")
    assert r.status_code == 200
    body = r.get_json()
    assert body["status"] == "online"
    assert body["status_history"] == [
        {"status": "paper", "effective_date": "2020-04-01", "note": None},
        {"status": "online", "effective_date": "2023-06-01", "note": None},
    ]
    d = api.get("/api/v1/procedures/D").get_json()
    assert d["status_history"][0]["note"] == "対面での審査が法令で必要"
    assert (
        api.get("/api/v1/procedures/B", headers={"If-None-Match": r.headers["ETag"]}).status_code
        == 304
    )
    missing = api.get("/api/v1/procedures/ZZZ")
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"


def test_the_same_number_of_queries_whatever_the_page_size(
    backend_app, write_catalogue, count_statements
):
    from tests.catalogue.factories import synthetic_catalogue

    client = backend_app.test_client()
    with backend_app.app_context():
        assert import_catalogue(write_catalogue(synthetic_catalogue(150))).ok
        client.get(LIST)  # load the KPI facts once
        seen = {}
        for per_page in (1, 20, 100):
            with count_statements() as statements:
                r = client.get(f"{LIST}?per_page={per_page}&priority=false")
                assert r.status_code == 200 and len(r.get_json()["procedures"]) == per_page
            seen[per_page] = len(statements)
        with count_statements() as statements:
            assert client.get("/api/v1/procedures/G-00007").status_code == 200
        detail = len(statements)
    assert seen[1] == seen[20] == seen[100] <= 4, seen
    assert detail <= 3
