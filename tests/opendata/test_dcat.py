"""/opendata/catalog.jsonld: the open data in DCAT-AP, as portals that harvest DCAT (CKAN
with ckanext-dcat …) read it — validated against SEMIC's official DCAT-AP 3.0.1 shapes
(kept unchanged in dcat-ap-3.0.1/ with its licence), and every download it names answers."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, SH

from app.catalogue.services import import_catalogue

SHAPES = Path(__file__).parent / "dcat-ap-3.0.1" / "dcat-ap-SHACL.ttl"
BASE = "http://127.0.0.1:5000"  # TestConfig's BASE_URL
AUTHORITY = Namespace("http://publications.europa.eu/resource/authority/")
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")


@pytest.fixture
def harvested(app, worked_example):
    with app.app_context():
        assert import_catalogue(worked_example).ok
    client = app.test_client()
    r = client.get("/opendata/catalog.jsonld", headers={"Host": "elsewhere.example"})
    assert r.status_code == 200 and r.mimetype == "application/ld+json"
    assert r.headers["Access-Control-Allow-Origin"] == "*" and "license" in r.headers["Link"]
    assert "elsewhere.example" not in r.get_data(as_text=True)
    g = Graph()
    g.parse(data=r.get_data(as_text=True), format="json-ld")
    return client, g


def test_the_catalogue_conforms_to_dcat_ap(harvested):
    _, g = harvested
    shapes = Graph().parse(SHAPES, format="turtle")
    conforms, report, text = validate(g, shacl_graph=shapes, inference="none", allow_warnings=True)
    violations = list(report.subjects(SH.resultSeverity, SH.Violation))
    assert conforms and not violations, text


def test_one_dataset_per_file_with_its_distributions(harvested):
    client, g = harvested
    catalog = URIRef(f"{BASE}/opendata/catalog.jsonld")
    assert (catalog, RDF.type, DCAT.Catalog) in g
    datasets = set(g.objects(catalog, DCAT.dataset))
    names = {str(g.value(d, DCTERMS.identifier)) for d in datasets}
    assert names == {"procedures", "volumes", "status_history", "figures"}
    for d in datasets:
        assert g.value(d, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
        assert g.value(d, DCTERMS.publisher) is not None
        assert g.value(d, DCTERMS.accrualPeriodicity) in {
            AUTHORITY["frequency/DAILY"], AUTHORITY["frequency/IRREG"]
        }  # fmt: skip
        downloads = {}
        for dist in g.objects(d, DCAT.distribution):
            url = str(g.value(dist, DCAT.downloadURL))
            media = str(g.value(dist, DCAT.mediaType)).rsplit("media-types/", 1)[1]
            downloads[url.rsplit("/", 1)[1]] = media
            assert url.startswith(f"{BASE}/opendata/")
            r = client.get(url.removeprefix(BASE))
            assert r.status_code == 200 and r.mimetype == media, url
        name = str(g.value(d, DCTERMS.identifier))
        expected = {f"{name}.csv": "text/csv", f"{name}.json": "application/json"}
        if name == "procedures":
            expected["procedures.jsonld"] = "application/ld+json"
        assert downloads == expected


def test_the_open_data_page_links_the_catalogue(client):
    html = client.get("/opendata").get_data(as_text=True)
    assert "/opendata/catalog.jsonld" in html and "DCAT-AP" in html


def test_the_shapes_find_what_is_missing():
    """The check can fail: a dataset without a description, a licence that is no licence."""
    g = Graph().parse(
        data="""
        @prefix dcat: <http://www.w3.org/ns/dcat#> .
        @prefix dct: <http://purl.org/dc/terms/> .
        <https://example.jp/d> a dcat:Dataset ; dct:title "x"@en ;
            dct:license <https://example.jp/licence> .
        """,
        format="turtle",
    )
    shapes = Graph().parse(SHAPES, format="turtle")
    _, report, _ = validate(g, shacl_graph=shapes, inference="none", allow_warnings=True)
    paths = {
        report.value(r, SH.resultPath) for r in report.subjects(SH.resultSeverity, SH.Violation)
    }
    assert DCTERMS.description in paths
