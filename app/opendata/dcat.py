"""The open data described in DCAT-AP (JSON-LD), for data portals that harvest DCAT — CKAN
with ckanext-dcat among them: one `dcat:Catalog`, one `dcat:Dataset` per file with its
distributions (CSV, JSON, and the CPSV-AP JSON-LD of the catalogue), licence, publisher,
languages and update frequency. Controlled values come from the EU Publications Office's
authority tables (file types, frequencies, languages, data themes), as DCAT-AP asks.
"""

from __future__ import annotations

from typing import Any

from app.clock import today

from . import services as od

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
}
AUTHORITY = "http://publications.europa.eu/resource/authority"
DCAT_AP = "http://data.europa.eu/r5r/"  # DCAT-AP's own IRI, as dct:conformsTo
CPSV_AP = "https://semiceu.github.io/CPSV-AP/releases/3.2.0/"
IANA = "https://www.iana.org/assignments/media-types"
# (file type in the EU table, IANA media type) of each kind of file
FORMATS = {
    "csv": ("CSV", "text/csv"),
    "json": ("JSON", "application/json"),
    "jsonld": ("JSON_LD", "application/ld+json"),
}
# how often a data set changes: the status, the figures and the catalogue are "as of today"
FREQUENCY = {
    "procedures": "DAILY",
    "figures": "DAILY",
    "volumes": "IRREG",
    "status_history": "IRREG",
}


def _text(ja: str, en: str) -> list[dict[str, str]]:
    return [{"@value": ja, "@language": "ja"}, {"@value": en, "@language": "en"}]


def _distribution(dataset: od.DataSet, ext: str, landing: str) -> dict[str, Any]:
    file_type, media = FORMATS[ext]
    url = od.absolute("opendata.download", name=dataset.name, ext=ext)
    title = f"{dataset.name}.{ext}"
    if ext == "jsonld":
        title_ja, title_en = f"{title}（CPSV-AP）", f"{title} (CPSV-AP)"
    else:
        title_ja = title_en = title
    node: dict[str, Any] = {
        "@id": f"{url}#distribution",
        "@type": "dcat:Distribution",
        "dct:title": _text(title_ja, title_en),
        "dcat:accessURL": {"@id": landing},
        "dcat:downloadURL": {"@id": url},
        "dcat:mediaType": {"@id": f"{IANA}/{media}"},
        "dct:format": {"@id": f"{AUTHORITY}/file-type/{file_type}"},
        "dct:license": {"@id": od.LICENSE["url"]},
    }
    if ext == "jsonld":
        node["dct:conformsTo"] = {"@id": CPSV_AP}
    return node


def catalog() -> dict[str, Any]:
    me = od.absolute("opendata.catalog")
    landing = od.absolute("opendata.index")
    publisher = f"{me}#publisher"
    issued = {"@value": today().isoformat(), "@type": "xsd:date"}
    datasets, distributions = [], []
    for d in od.DATASETS.values():
        exts = ["csv", "json", *(["jsonld"] if d.name == "procedures" else [])]
        dists = [_distribution(d, ext, landing) for ext in exts]
        distributions.extend(dists)
        datasets.append(
            {
                "@id": f"{me}#dataset-{d.name}",
                "@type": "dcat:Dataset",
                "dct:identifier": d.name,
                "dct:title": _text(d.title_ja, d.title_en),
                "dct:description": _text(d.description_ja, d.description_en),
                "dct:publisher": {"@id": publisher},
                "dct:license": {"@id": od.LICENSE["url"]},
                "dct:rights": _text(od.ATTRIBUTION["ja"], od.ATTRIBUTION["en"]),
                "dct:accrualPeriodicity": {"@id": f"{AUTHORITY}/frequency/{FREQUENCY[d.name]}"},
                "dct:language": [
                    {"@id": f"{AUTHORITY}/language/JPN"},
                    {"@id": f"{AUTHORITY}/language/ENG"},
                ],
                "dcat:theme": {"@id": f"{AUTHORITY}/data-theme/GOVE"},
                "dct:spatial": {"@id": f"{me}#area-{od.LOCAL_GOVERNMENT_CODE}"},
                "dcat:landingPage": {"@id": landing},
                "dcat:keyword": [
                    {"@value": "行政手続", "@language": "ja"},
                    {"@value": "デジタル化", "@language": "ja"},
                    {"@value": "administrative procedures", "@language": "en"},
                    {"@value": "digitization", "@language": "en"},
                ],
                "dct:modified": issued,
                "dcat:distribution": [{"@id": x["@id"]} for x in dists],
            }
        )
    head = [
        {
            "@id": me,
            "@type": "dcat:Catalog",
            "dct:title": _text(
                "三重県 行政手続オープンデータ", "Mie Prefecture open data on procedures"
            ),
            "dct:description": _text(
                "県の行政手続の台帳と、年度ごとのデジタル化率（CC BY 4.0）。",
                "The prefecture's procedures and its digitization rate by year (CC BY 4.0).",
            ),
            "dct:publisher": {"@id": publisher},
            "dct:license": {"@id": od.LICENSE["url"]},
            "dct:language": [
                {"@id": f"{AUTHORITY}/language/JPN"},
                {"@id": f"{AUTHORITY}/language/ENG"},
            ],
            "dct:modified": issued,
            "dct:conformsTo": {"@id": DCAT_AP},
            "foaf:homepage": {"@id": landing},
            "dcat:dataset": [{"@id": d["@id"]} for d in datasets],
        },
        {
            "@id": publisher,
            "@type": "foaf:Agent",
            "foaf:name": _text(od.PUBLISHER["ja"], od.PUBLISHER["en"]),
            "dct:identifier": od.LOCAL_GOVERNMENT_CODE,
        },
        {
            "@id": f"{me}#area-{od.LOCAL_GOVERNMENT_CODE}",
            "@type": "dct:Location",
            # 全国地方公共団体コード: the national code of a local government (総務省)
            "dct:identifier": od.LOCAL_GOVERNMENT_CODE,
            "skos:prefLabel": _text(od.PUBLISHER["ja"], od.PUBLISHER["en"]),
        },
    ]
    return {"@context": CONTEXT, "@graph": [*head, *datasets, *distributions, *_typed(landing)]}


def _typed(landing: str) -> list[dict[str, Any]]:
    """The outside resources named above, each with the class DCAT-AP expects of it, so
    that a consumer (and the DCAT-AP shapes) need not fetch them to know what they are."""
    nodes = [
        {"@id": od.LICENSE["url"], "@type": "dct:LicenseDocument",
         "skos:prefLabel": od.LICENSE["name"]},
        {"@id": landing, "@type": "foaf:Document"},
        {"@id": DCAT_AP, "@type": "dct:Standard", "dct:title": "DCAT-AP"},
        {"@id": CPSV_AP, "@type": "dct:Standard", "dct:title": "CPSV-AP 3.2.0"},
        {"@id": f"{AUTHORITY}/data-theme/GOVE", "@type": "skos:Concept",
         "skos:prefLabel": {"@value": "Government and public sector", "@language": "en"}},
        {"@id": f"{AUTHORITY}/language/JPN", "@type": "dct:LinguisticSystem"},
        {"@id": f"{AUTHORITY}/language/ENG", "@type": "dct:LinguisticSystem"},
    ]  # fmt: skip
    for file_type, media in FORMATS.values():
        nodes.append(
            {"@id": f"{AUTHORITY}/file-type/{file_type}", "@type": "dct:MediaTypeOrExtent"}
        )
        nodes.append({"@id": f"{IANA}/{media}", "@type": "dct:MediaType"})
    for frequency in sorted(set(FREQUENCY.values())):
        nodes.append({"@id": f"{AUTHORITY}/frequency/{frequency}", "@type": "dct:Frequency"})
    return nodes
