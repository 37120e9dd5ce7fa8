"""/opendata/vocab: one vocabulary as a page, Turtle and JSON-LD (content negotiation), its
namespace fixed by BASE_URL whatever Host a request names."""

from __future__ import annotations

import re

import pytest
from rdflib import RDF, Graph, URIRef

from app.catalogue.services import import_catalogue
from tests.conftest import ROOT

NS = "http://127.0.0.1:5000/opendata/vocab#"  # TestConfig's BASE_URL
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")


def _graph(r, fmt: str) -> Graph:
    g = Graph()
    g.parse(data=r.get_data(as_text=True), format=fmt)
    return g


@pytest.mark.parametrize(
    ("accept", "mimetype", "fmt"),
    [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("text/turtle;q=0.9, application/ld+json;q=0.5, text/html;q=0.1", "text/turtle", "turtle"),
    ],
)
def test_the_vocabulary_answers_rdf_by_content_negotiation(client, accept, mimetype, fmt):
    r = client.get("/opendata/vocab", headers={"Accept": accept, "Host": "elsewhere.example"})
    assert r.status_code == 200 and r.mimetype == mimetype
    assert "Accept" in r.vary
    g = _graph(r, fmt)
    assert "elsewhere.example" not in r.get_data(as_text=True)
    for term in ("priority", "annualReceipts", "Online", "status-online"):
        assert (URIRef(NS + term), RDF.type, None) in g, term


def test_a_browser_gets_the_page_and_the_files_have_their_own_addresses(client):
    page = client.get("/opendata/vocab", headers={"Accept": "text/html,*/*;q=0.8"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert client.get("/opendata/vocab").mimetype == "text/html"  # no Accept: the page
    html = page.get_data(as_text=True)
    assert NS in html and "/opendata/vocab.ttl" in html and "/opendata/vocab.jsonld" in html
    ttl = client.get("/opendata/vocab.ttl")
    assert ttl.status_code == 200 and ttl.mimetype == "text/turtle"
    assert client.get("/opendata/vocab.jsonld").mimetype == "application/ld+json"
    assert client.get("/opendata/vocab.xml").status_code == 404


def test_every_term_the_catalogue_uses_is_defined_in_both_languages(app, client):
    with app.app_context():
        assert import_catalogue(ROOT / "procedures").ok
    doc = client.get("/opendata/procedures.jsonld").get_data(as_text=True)
    used = set(re.findall(r'"tz:([A-Za-z_-]+)', doc))
    g = _graph(client.get("/opendata/vocab.ttl"), "turtle")
    page = client.get("/opendata/vocab?lang=en").get_data(as_text=True)
    for term in used:
        node = URIRef(NS + term)
        assert (node, RDF.type, None) in g, term
        langs = {o.language for o in g.objects(node, None) if getattr(o, "language", None)}
        assert {"ja", "en"} <= langs, term
        assert f'id="{term}"' in page, term  # the page has an anchor for the IRI
