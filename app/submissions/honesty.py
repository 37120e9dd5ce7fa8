"""What a form cannot do online, said before the resident starts, and where the
catalogue's `features` of the form's procedure claim more (or less) than the form does.

- identity: the catalogue lists `online_identity` for the procedure (it needs identity),
  and no form here checks identity online: it is shown or sent on paper;
- payment: the form has a fee, and no form here takes payment online;
- result: the form has no result document for an approval (`results:`): the result comes
  on paper.
"""

from __future__ import annotations

from sqlalchemy import select

from app.catalogue.features import parse_features
from app.catalogue.models import Procedure
from app.extensions import db
from app.formengine.model import FormDefinition

OFFLINE = ("identity", "payment", "result")


def features_of(procedure_code: str) -> set[str]:
    text = db.session.scalar(select(Procedure.features).where(Procedure.code == procedure_code))
    return set(parse_features(text)[0])


def issues_result_online(defn: FormDefinition) -> bool:
    return any(r.when == "approved" for r in defn.results)


def offline_steps(defn: FormDefinition, features: set[str] | None = None) -> list[str]:
    """The parts of the procedure done on paper or at a counter, in OFFLINE's order."""
    features = features_of(defn.procedure) if features is None else features
    steps = []
    if "online_identity" in features:
        steps.append("identity")
    if defn.fee is not None and defn.fee.amount > 0:
        steps.append("payment")
    if not issues_result_online(defn):
        steps.append("result")
    return steps


def catalogue_mismatches(defn: FormDefinition, features: set[str] | None = None) -> list[str]:
    """Where the catalogue's features and the form disagree (日本語 / English each)."""
    features = features_of(defn.procedure) if features is None else features
    out = []
    if "online_result" in features and not issues_result_online(defn):
        out.append(
            f"手続 {defn.procedure} はカタログで online_result（結果のオンライン交付）ですが、"
            "様式に承認の結果文書（results:）がありません"
            f" / procedure {defn.procedure} is online_result in the catalogue, but the form"
            " has no result document for an approval (results:)"
        )
    if "online_result" not in features and issues_result_online(defn):
        out.append(
            f"様式は結果文書を交付しますが、カタログの手続 {defn.procedure} に online_result"
            " がありません"
            f" / the form issues result documents, but procedure {defn.procedure} lacks"
            " online_result in the catalogue"
        )
    if "online_identity" in features:
        out.append(
            f"手続 {defn.procedure} はカタログで online_identity ですが、様式はオンラインで"
            "本人確認をしません"
            f" / procedure {defn.procedure} is online_identity in the catalogue, but the"
            " form does not check identity online"
        )
    if "online_payment" in features and defn.fee is not None:
        out.append(
            f"手続 {defn.procedure} はカタログで online_payment ですが、様式は手数料を"
            "オンラインで受け取りません"
            f" / procedure {defn.procedure} is online_payment in the catalogue, but the"
            " form does not take the fee online"
        )
    return out
