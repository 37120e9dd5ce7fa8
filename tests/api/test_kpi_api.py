"""GET /api/v1/kpi and `flask kpi` give the figures of kpi.md, in the JSON of interfaces.md."""

from __future__ import annotations

import json

import pytest

from app.catalogue.services import import_catalogue


@pytest.fixture
def example_client(backend_app, worked_example):
    with backend_app.app_context():
        assert import_catalogue(worked_example).ok
    return backend_app.test_client()


def test_worked_example_fy2023(example_client):
    r = example_client.get("/api/v1/kpi?fiscal_year=2023")
    assert r.status_code == 200
    body = r.get_json()
    assert (body["fiscal_year"], body["scope"], body["basis"], body["as_of"]) == (
        2023,
        "priority",
        "latest",
        "2024-03-31",
    )
    assert body["weighted"]["numerator"] == 70000 and body["weighted"]["denominator"] == 95000
    assert body["weighted"]["rate"] == pytest.approx(0.7368421, abs=1e-7)
    assert body["count"]["digitized"] == 2 and body["count"]["total"] == 3
    assert body["biggest_remaining"][0]["code"] == "C"
    assert body["biggest_remaining"][0]["gain_points"] == 26.3
    assert [d["code"] for d in body["departments"]] == ["01", "02"]
    assert body["departments"][0]["name"] == "部局01"


@pytest.mark.parametrize(
    ("query", "num", "den"),
    [
        ("fiscal_year=2023&basis=fixed:2021", 80000, 100000),
        ("fiscal_year=2021", 50000, 100000),
        ("fiscal_year=2020&scope=all", 0, 101000),
        ("fiscal_year=2023&scope=department:01", 70000, 70000),
    ],
)
def test_scopes_and_bases(example_client, query, num, den):
    body = example_client.get(f"/api/v1/kpi?{query}").get_json()
    assert (body["weighted"]["numerator"], body["weighted"]["denominator"]) == (num, den)


@pytest.mark.parametrize(
    "query", ["fiscal_year=R5", "fiscal_year=２０２３", "scope=dept", "basis=fixed:x"]
)
def test_bad_parameters_are_400_json_in_both_languages(example_client, query):
    r = example_client.get(f"/api/v1/kpi?{query}")
    assert r.status_code == 400
    assert r.is_json
    body = r.get_json()
    assert body["error"] == "invalid_parameter"
    assert " / " in body["message"]  # 日本語 / English


def test_unknown_api_route_is_json_404(example_client):
    r = example_client.get("/api/v1/nothing-here")
    assert r.status_code == 404
    assert r.get_json()["error"] == "not_found"


def test_cli_json_is_the_api_json(backend_app, example_client):
    api = example_client.get("/api/v1/kpi?fiscal_year=2023&scope=all&basis=fixed:2021").get_json()
    result = backend_app.test_cli_runner().invoke(
        args=["kpi", "--fy", "2023", "--scope", "all", "--basis", "fixed:2021", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == api


def test_cli_table_and_bad_scope(backend_app, example_client):
    runner = backend_app.test_cli_runner()
    out = runner.invoke(args=["kpi", "--fy", "2023"]).output
    assert "2023年度（令和5年度）" in out and "73.7%" in out and "70,000 / 95,000" in out
    bad = runner.invoke(args=["kpi", "--scope", "nope"])
    assert bad.exit_code == 2 and "scope" in bad.output


def test_kpi_reads_a_constant_number_of_statements(backend_app, write_catalogue, count_statements):
    """Whatever the catalogue size, the figures come from the same few queries."""
    from tests.catalogue.factories import synthetic_catalogue

    client = backend_app.test_client()
    seen = []
    for size in (5, 120):
        with backend_app.app_context():
            assert import_catalogue(
                write_catalogue(synthetic_catalogue(size, prefix=f"S{size}-"))
            ).ok
            with count_statements() as statements:
                assert client.get("/api/v1/kpi?scope=all").status_code == 200
            seen.append(len(statements))
    # two stamps, three catalogue loads, one count of submissions received here
    assert seen[0] == seen[1] <= 6


@pytest.mark.parametrize("language", [None, "en", "ja"])
def test_errors_of_the_shared_handler_are_in_both_languages(api, language):
    """404 and 405 come from the application's error handler, not from a view: they say
    it in Japanese and English alike, whatever the client's languages."""
    headers = {"Accept-Language": language} if language else {}
    r = api.get("/api/v1/no-such-thing", headers=headers)
    assert r.status_code == 404 and r.get_json() == {
        "error": "not_found",
        "message": "お探しのページは見つかりませんでした。 / "
        "We could not find the page you were looking for.",
    }
    r = api.delete("/api/v1/kpi", headers=headers)
    assert r.status_code == 405 and " / " in r.get_json()["message"]
    assert r.get_json()["message"].startswith("この操作はできません。")
