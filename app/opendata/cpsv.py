"""The catalogue as CPSV-AP JSON-LD (Core Public Service Vocabulary Application Profile).

Each procedure is a cpsv:PublicService with its competent authority (the department,
a cv:PublicOrganisation), legal resource, channels, cost and processing time where
known. Our own data — priority, digitization status, yearly receipts — is a documented
extension in the `tz:` namespace (/opendata/vocab).
"""

from __future__ import annotations

from typing import Any

from app.clock import today
from app.kpi.status import DIGITIZATION_STATUSES, DIGITIZED
from app.submissions import versions

from . import services as od
from . import vocab as tz

CONTEXT = {
    "cpsv": "http://purl.org/vocab/cpsv#",
    "cv": "http://data.europa.eu/m8g/",
    "dct": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "eli": "http://data.europa.eu/eli/ontology#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
# the EU Publications Office's authority table of currencies (CPSV-AP names it for cv:currency)
CURRENCIES = "http://publications.europa.eu/resource/authority/currency"
JPY = f"{CURRENCIES}/JPY"
ORGANISATION = ["cv:PublicOrganisation", "org:Organization"]  # ownedBy/isDefinedBy want org:


def _text(ja: str | None, en: str | None = None) -> list[dict[str, str]]:
    out = [{"@value": ja, "@language": "ja"}] if ja else []
    if en:
        out.append({"@value": en, "@language": "en"})
    return out


def form_facts() -> dict[str, Any]:
    """Procedure code → the definition of its published online form (fee, days, description)."""

    out = {}
    for fv in versions.published_forms():
        out[fv.procedure_code] = (fv, versions.definition(fv))
    return out


def document() -> dict[str, Any]:
    """The catalogue as one plain graph (`@graph`, no named graph): a consumer that loads
    it into an ordinary RDF graph sees every service. Conforms to the CPSV-AP 3.2.0 shapes
    (tests/opendata/test_cpsv_shapes.py)."""
    doc_url = od.absolute("opendata.download", name="procedures", ext="jsonld")
    forms = form_facts()
    rows = od.procedure_rows(volumes=True)
    area = f"{doc_url}#area-{od.LOCAL_GOVERNMENT_CODE}"
    publisher = f"{doc_url}#publisher"
    graph: list[dict[str, Any]] = []
    departments: dict[str, str] = {}
    for r in rows:
        dept_id = f"{doc_url}#department-{r['department_code']}"
        if r["department_code"] not in departments:
            departments[r["department_code"]] = dept_id
            graph.append(
                {
                    "@id": dept_id,
                    "@type": ORGANISATION,
                    "dct:identifier": r["department_code"],
                    "skos:prefLabel": _text(r["department_name_ja"], r["department_name_en"]),
                    "dct:spatial": {"@id": area},
                    "org:subOrganizationOf": {"@id": publisher},
                }
            )
        graph.append(_service(r, dept_id, doc_url, forms.get(r["code"])))
    used = {c["dct:type"]["@id"][3:] for n in graph for c in n.get("cv:hasChannel", ())}
    costs = any("cv:hasCost" in n for n in graph)
    head = [
        {
            "@id": doc_url,
            "@type": "dcat:Dataset",
            "dct:title": _text("手続台帳（CPSV-AP）", "Procedures catalogue (CPSV-AP)"),
            "dct:description": _text(od.PROCEDURES.description_ja, od.PROCEDURES.description_en),
            "dct:publisher": {"@id": publisher},
            "dct:license": {"@id": od.LICENSE["url"]},
            "dct:rights": _text(od.ATTRIBUTION["ja"], od.ATTRIBUTION["en"]),
            "dct:issued": {"@value": today().isoformat(), "@type": "xsd:date"},
            "dct:conformsTo": {"@id": "https://semiceu.github.io/CPSV-AP/releases/3.2.0/"},
            "dct:hasPart": [{"@id": n["@id"]} for n in graph if n["@type"] == "cpsv:PublicService"],
        },
        {
            "@id": publisher,
            "@type": [*ORGANISATION, "foaf:Agent"],
            "dct:identifier": od.LOCAL_GOVERNMENT_CODE,
            "skos:prefLabel": _text(od.PUBLISHER["ja"], od.PUBLISHER["en"]),
            "foaf:name": _text(od.PUBLISHER["ja"], od.PUBLISHER["en"]),
            "dct:title": _text(od.PUBLISHER["ja"], od.PUBLISHER["en"]),  # the shapes ask
            "dct:spatial": {"@id": area},
        },
        {
            "@id": area,
            "@type": "dct:Location",
            # 全国地方公共団体コード: the national code of a local government (総務省)
            "dct:identifier": od.LOCAL_GOVERNMENT_CODE,
            "skos:prefLabel": _text(od.PUBLISHER["ja"], od.PUBLISHER["en"]),
        },
    ]
    tail = tz.concept_nodes(used)
    if costs:
        tail.append(
            {
                "@id": JPY,
                "@type": "skos:Concept",
                "skos:notation": "JPY",
                "skos:prefLabel": _text("日本円", "Japanese yen"),
                "skos:inScheme": {"@id": CURRENCIES},
            }
        )
    return {"@context": {**CONTEXT, "tz": tz.namespace()}, "@graph": [*head, *graph, *tail]}


def _service(r: dict[str, Any], dept_id: str, doc_url: str, form) -> dict[str, Any]:
    sid = r["page_url"]
    fv, defn = form if form else (None, None)
    description = defn.description if defn is not None and defn.description else None
    service: dict[str, Any] = {
        "@id": sid,
        "@type": "cpsv:PublicService",
        "dct:identifier": r["code"],
        "dct:title": _text(r["name_ja"], r["name_en"]),
        "dct:description": _text(description.get("ja"), description.values.get("en"))
        if description
        else _text(
            f"{r['department_name_ja']}の{r['procedure_type'] or '手続'}: {r['name_ja']}",
            r["name_en"],
        ),
        "cv:hasCompetentAuthority": {"@id": dept_id},
        "foaf:homepage": {"@id": sid},
    }
    if r["legal_basis"]:
        service["cv:hasLegalResource"] = {
            "@type": "eli:LegalResource",
            "dct:title": _text(r["legal_basis"]),
        }
    channels = []
    if r["status"] != "end_to_end":  # completed online: we don't claim a counter any more
        channels.append(
            {
                "@id": f"{sid}#channel-counter",
                "@type": "cv:Channel",
                "dct:identifier": f"{r['code']}-counter",
                "dct:type": {"@id": "tz:CounterOrPost"},
                "cv:ownedBy": {"@id": dept_id},
            }
        )
    if r["status"] in DIGITIZED:
        online: dict[str, Any] = {
            "@id": f"{sid}#channel-online",
            "@type": "cv:Channel",
            "dct:identifier": f"{r['code']}-online",
            "dct:type": {"@id": "tz:Online"},
            "cv:ownedBy": {"@id": dept_id},
        }
        if r["apply_url"]:
            online["foaf:page"] = {"@id": r["apply_url"]}
        channels.append(online)
    service["cv:hasChannel"] = channels
    if defn is not None and defn.fee is not None:
        cost: dict[str, Any] = {
            "@id": f"{sid}#cost",
            "@type": "cv:Cost",
            "dct:identifier": f"{r['code']}-fee",
            "cv:hasValue": {"@value": float(defn.fee.amount), "@type": "xsd:double"},
            "cv:currency": {"@id": JPY},
        }
        if defn.fee.label is not None:
            cost["dct:description"] = _text(
                defn.fee.label.get("ja"), defn.fee.label.values.get("en")
            )
        service["cv:hasCost"] = cost
    if defn is not None and defn.processing_days:
        service["cv:processingTime"] = {
            "@value": f"P{defn.processing_days}D",
            "@type": "xsd:duration",
        }
        service["tz:processingBusinessDays"] = defn.processing_days
    label = DIGITIZATION_STATUSES[r["status"]]
    service.update(
        {
            "tz:priority": r["priority"],
            "tz:digitizationStatus": {"@id": f"tz:status-{r['status']}"},
            "tz:digitizationStatusLabel": _text(label.ja, label.en),
            "tz:statusSince": {"@value": r["status_since"].isoformat(), "@type": "xsd:date"}
            if r["status_since"]
            else None,
            "tz:digitized": r["digitized"],
            "tz:features": r["features"],
            "tz:annualReceipts": [
                {
                    "@type": "tz:AnnualReceipts",
                    "tz:fiscalYear": fy,
                    "tz:receipts": receipts,
                    **({"tz:onlineReceipts": online_} if online_ is not None else {}),
                }
                for fy, receipts, online_ in r["volumes"]
            ],
        }
    )
    if r["exclusion_reason"]:
        service["tz:exclusionReason"] = _text(r["exclusion_reason"])
    return {k: v for k, v in service.items() if v is not None}
