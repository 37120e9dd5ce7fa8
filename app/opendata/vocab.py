"""The `tz:` vocabulary: our own terms beside CPSV-AP, defined once and given as a page
(HTML), as Turtle and as JSON-LD (content negotiation on /opendata/vocab).

Its namespace is `BASE_URL` + `/opendata/vocab#` (app/links.py), never the Host of a
request: an IRI must not move with whoever asks. Each term's description is a
translatable string, so the page and the RDF say the same in Japanese and English.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import lazy_gettext as _
from rdflib import OWL, RDF, RDFS, SKOS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS

from app.kpi.status import DIGITIZATION_STATUSES
from app.links import absolute_url

CPSV = Namespace("http://purl.org/vocab/cpsv#")
CLASS, PROPERTY, CONCEPT = "class", "property", "concept"


@dataclass(frozen=True)
class Term:
    name: str
    kind: str
    comment: object  # a lazy translatable string (Japanese source)
    range: URIRef | str | None = None  # an XSD type, or the local name of one of ours
    label_ja: str | None = None  # concepts: their name
    label_en: str | None = None


TERMS = (
    Term("priority", PROPERTY, _("重点手続かどうか（true / false）"), XSD.boolean),
    Term("digitizationStatus", PROPERTY, _("今日の状態（下の表の tz:status-…）"), "statuses"),
    Term("digitizationStatusLabel", PROPERTY, _("状態の名前（日本語・英語）"), RDF.langString),
    Term("statusSince", PROPERTY, _("その状態になった日（xsd:date）"), XSD.date),
    Term(
        "digitized",
        PROPERTY,
        _("デジタル化率の分子に数えるかどうか（オンライン申請可・オンライン完結）"),
        XSD.boolean,
    ),
    Term(
        "features",
        PROPERTY,
        _(
            "オンラインでできること: online_application、online_attachments、no_seal、"
            "online_identity、online_payment、online_result"
        ),
        XSD.string,
    ),
    Term(
        "annualReceipts",
        PROPERTY,
        _("年度ごとの受付件数（tz:AnnualReceipts: tz:fiscalYear、tz:receipts、tz:onlineReceipts）"),
        "AnnualReceipts",
    ),
    Term("AnnualReceipts", CLASS, _("ある年度の受付件数")),
    Term("fiscalYear", PROPERTY, _("年度（西暦、4月から翌年3月）"), XSD.integer),
    Term("receipts", PROPERTY, _("受付件数（デジタル化率の重み）"), XSD.integer),
    Term(
        "onlineReceipts",
        PROPERTY,
        _("そのうちオンラインで受け付けた件数（記録があるときだけ）"),
        XSD.integer,
    ),
    Term("processingBusinessDays", PROPERTY, _("標準処理期間（営業日）"), XSD.integer),
    Term("exclusionReason", PROPERTY, _("デジタル化の対象外とする理由"), RDF.langString),
    Term(
        "Online",
        CONCEPT,
        _("オンラインの窓口（cv:Channel の dct:type）"),
        "channelTypes",
        "オンライン",
        "Online",
    ),
    Term(
        "CounterOrPost",
        CONCEPT,
        _("窓口または郵送（cv:Channel の dct:type）"),
        "channelTypes",
        "窓口・郵送",
        "At a counter or by post",
    ),
)
TERM_NAMES = frozenset(t.name for t in TERMS)
SCHEMES = {
    "channelTypes": ("窓口の種類", "Channel types"),
    "statuses": ("手続のデジタル化の状況", "Digitization statuses of a procedure"),
}


def namespace() -> str:
    """`https://…/opendata/vocab#`, from BASE_URL."""
    return absolute_url("opendata.vocab") + "#"


def concept_nodes(names: set[str]) -> list[dict]:
    """JSON-LD nodes for the channel-type concepts a document uses (each a skos:Concept
    in the graph itself, so that a consumer needs no second download)."""
    out = []
    for t in TERMS:
        if t.kind == CONCEPT and t.name in names:
            out.append(
                {
                    "@id": f"tz:{t.name}",
                    "@type": "skos:Concept",
                    "skos:prefLabel": [
                        {"@value": t.label_ja, "@language": "ja"},
                        {"@value": t.label_en, "@language": "en"},
                    ],
                    "skos:inScheme": {"@id": f"tz:{t.range}"},
                }
            )
    return out


def _both(text) -> list[Literal]:
    """A translatable text in Japanese and English."""
    with force_locale("ja"):
        ja = str(text)
    with force_locale("en"):
        en = str(text)
    return [Literal(ja, lang="ja"), Literal(en, lang="en")]


def graph() -> Graph:
    tz = Namespace(namespace())
    g = Graph(bind_namespaces="core")
    g.bind("tz", tz)
    g.bind("cpsv", CPSV)
    g.bind("skos", SKOS)
    g.bind("dct", DCTERMS)
    g.bind("owl", OWL)
    me = URIRef(namespace().rstrip("#"))
    g.add((me, RDF.type, OWL.Ontology))
    g.add((me, DCTERMS.title, Literal("Tetsuzuki の独自の語彙（tz:）", lang="ja")))
    g.add((me, DCTERMS.title, Literal("Tetsuzuki's own terms (tz:)", lang="en")))
    for text in _both(
        _(
            "手続台帳の JSON-LD は CPSV-AP に従います。CPSV-AP にない、デジタル化の状況と件数は、次の語彙で表します。"
        )
    ):
        g.add((me, DCTERMS.description, text))
    g.add((me, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))
    g.add((me, RDFS.seeAlso, URIRef("https://semiceu.github.io/CPSV-AP/")))
    for name, (ja, en) in SCHEMES.items():
        g.add((tz[name], RDF.type, SKOS.ConceptScheme))
        g.add((tz[name], SKOS.prefLabel, Literal(ja, lang="ja")))
        g.add((tz[name], SKOS.prefLabel, Literal(en, lang="en")))
    for t in TERMS:
        node = tz[t.name]
        g.add((node, RDFS.isDefinedBy, me))
        for text in _both(t.comment):
            g.add((node, RDFS.comment, text))
        if t.kind == CLASS:
            g.add((node, RDF.type, RDFS.Class))
            g.add((node, RDF.type, OWL.Class))
        elif t.kind == CONCEPT:
            g.add((node, RDF.type, SKOS.Concept))
            g.add((node, SKOS.inScheme, tz[t.range]))
            g.add((node, SKOS.prefLabel, Literal(t.label_ja, lang="ja")))
            g.add((node, SKOS.prefLabel, Literal(t.label_en, lang="en")))
        else:
            g.add((node, RDF.type, RDF.Property))
            if t.name in ("fiscalYear", "receipts", "onlineReceipts"):
                g.add((node, RDFS.domain, tz.AnnualReceipts))
            else:
                g.add((node, RDFS.domain, CPSV.PublicService))
            if isinstance(t.range, URIRef):
                g.add((node, RDFS.range, t.range))
            elif t.range in SCHEMES:
                g.add((node, RDFS.range, SKOS.Concept))
            elif t.range:
                g.add((node, RDFS.range, tz[t.range]))
    for s in DIGITIZATION_STATUSES.values():
        node = tz[f"status-{s.code}"]
        g.add((node, RDF.type, SKOS.Concept))
        g.add((node, SKOS.inScheme, tz.statuses))
        g.add((node, SKOS.notation, Literal(s.code)))
        g.add((node, SKOS.prefLabel, Literal(s.ja, lang="ja")))
        g.add((node, SKOS.prefLabel, Literal(s.en, lang="en")))
        g.add((node, RDFS.isDefinedBy, me))
    return g


FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld"}


def serialise(mimetype: str) -> str:
    """The vocabulary as Turtle or JSON-LD."""
    fmt = FORMATS[mimetype]
    if fmt == "json-ld":
        return graph().serialize(format=fmt, indent=1, auto_compact=True)
    return graph().serialize(format=fmt)
