"""/opendata/procedures.jsonld against the official CPSV-AP 3.2.0 SHACL shapes (SEMIC's own
file, kept unchanged in cpsv-ap-3.2.0/ with its licence), loaded the way a consumer loads
it: into one plain RDF graph. Zero violations, for the shipped catalogue and for generated
ones that take every status, hostile texts, missing optional columns and forms with fees."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import RDF, SKOS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SH

from app.catalogue.services import import_catalogue
from app.kpi.status import DIGITIZATION_STATUSES
from app.submissions import versions
from tests.conftest import HOSTILE_TEXTS, ROOT
from tests.submissions.conftest import FORM

SHAPES = Path(__file__).parent / "cpsv-ap-3.2.0" / "cpsv-ap-SHACL.ttl"
CPSV = Namespace("http://purl.org/vocab/cpsv#")
CV = Namespace("http://data.europa.eu/m8g/")
# rdflib's own JSON-LD parser still makes a ConjunctiveGraph inside
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
JPY = URIRef("http://publications.europa.eu/resource/authority/currency/JPY")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    g = Graph()
    g.parse(SHAPES, format="turtle")
    return g


def _violations(data: Graph, shapes: Graph) -> list[str]:
    _, report, _ = validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    found = Counter()
    for result in report.subjects(SH.resultSeverity, SH.Violation):
        path = report.value(result, SH.resultPath)
        message = str(report.value(result, SH.resultMessage)).split(" on ")[0]
        found[f"{path}: {message}"] += 1
    return [f"{n} × {what}" for what, n in found.most_common()]


def _load(client) -> Graph:
    r = client.get("/opendata/procedures.jsonld")
    assert r.status_code == 200 and r.mimetype == "application/ld+json"
    g = Graph()  # a plain graph: what a consumer that knows nothing of named graphs sees
    g.parse(data=r.get_data(as_text=True), format="json-ld")
    return g


def test_the_shipped_catalogue_conforms_to_cpsv_ap(app, shapes):
    with app.app_context():
        assert import_catalogue(ROOT / "procedures").ok
        assert not versions.load_forms([ROOT / "forms"]).problems
    g = _load(app.test_client())
    assert _violations(g, shapes) == []

    services = set(g.subjects(RDF.type, CPSV.PublicService))
    assert len(services) == 127  # every service in the default graph
    for s in services:
        assert g.value(s, DCTERMS.identifier) is not None
    channels = set(g.subjects(RDF.type, CV.Channel))
    assert channels and all(g.value(c, DCTERMS.identifier) for c in channels)
    assert all((g.value(c, DCTERMS.type), RDF.type, SKOS.Concept) in g for c in channels)
    costs = set(g.subjects(RDF.type, CV.Cost))
    assert costs and all(g.value(c, CV.currency) == JPY for c in costs)
    assert (JPY, RDF.type, SKOS.Concept) in g
    # the prefecture's organisations are located by its local government code, 240001
    for org in g.subjects(RDF.type, CV.PublicOrganisation):
        place = g.value(org, DCTERMS.spatial)
        assert g.value(place, DCTERMS.identifier) == Literal("240001"), org


def _generated(seed: int) -> dict[str, str]:
    """A catalogue as a department could send it: every status, texts a spreadsheet
    would run, English names or none, legal bases or none, and the published test form."""
    rng = random.Random(seed)
    statuses = list(DIGITIZATION_STATUSES)
    texts = [*HOSTILE_TEXTS, "手続", "Ｘ＆Ｙ <b>"]
    procs = ["code,name_ja,name_en,department_code,department_name,priority,legal_basis,form,"
             "exclusion_reason,features"]  # fmt: skip
    volumes = ["code,fiscal_year,receipts,online_receipts"]
    history = ["code,status,effective_date,note"]
    for i in range(24):
        code = f"G-{seed}-{i:02d}"
        dept = f"D{rng.randrange(4)}"
        status = statuses[i % len(statuses)]
        name = rng.choice(texts).replace('"', '""')
        english = rng.choice(["", "Permit", "=HYPERLINK()"])
        form = "test-permit" if i == 3 else ""
        reason = "法令で対面が必要" if status == "excluded" else ""
        features = "online_application;no_seal" if status in ("online", "end_to_end") else ""
        legal = rng.choice(["", "テスト法 第1条", "@法"])
        procs.append(
            f'{code},"{name}{i}",{english},{dept},部局{dept},{rng.randrange(2)},{legal},'
            f"{form},{reason},{features}"
        )
        receipts = rng.randrange(0, 5000)
        volumes.append(f"{code},2024,{receipts},{rng.randrange(0, receipts + 1)}")
        history.append(f"{code},{status},2024-04-01,")
    return {
        "procedures.csv": "\n".join(procs) + "\n",
        "volumes.csv": "\n".join(volumes) + "\n",
        "status_history.csv": "\n".join(history) + "\n",
    }


@pytest.mark.parametrize("seed", [1, 2])
def test_generated_catalogues_conform_to_cpsv_ap(app, shapes, write_catalogue, tmp_path, seed):
    form = tmp_path / "test-permit.yaml"
    form.write_text(FORM, encoding="utf-8")
    with app.app_context():
        assert not versions.load_forms([form]).problems
        result = import_catalogue(write_catalogue(_generated(seed)))
        assert result.ok, result
    g = _load(app.test_client())
    assert _violations(g, shapes) == []
    assert len(set(g.subjects(RDF.type, CPSV.PublicService))) == 24


def test_the_shapes_find_what_is_missing(shapes):
    """The check can fail: a channel without an identifier and with a type that is no
    concept, and a service in a named graph only, are reported as the issue found them."""
    g = Graph()
    g.parse(
        data="""
        @prefix cv: <http://data.europa.eu/m8g/> .
        @prefix dct: <http://purl.org/dc/terms/> .
        <https://example.jp/c> a cv:Channel ; dct:type <https://example.jp/online> .
        """,
        format="turtle",
    )
    found = _violations(g, shapes)
    assert any(str(DCTERMS.identifier) in v for v in found), found
    assert any(str(DCTERMS.type) in v for v in found), found
