"""Published form versions: loading and checking the YAML, reading them back (cached)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from time import monotonic

from flask import current_app
from sqlalchemy import (
    delete,
    func,
    select,
)
from sqlalchemy.exc import SQLAlchemyError

from app.catalogue.models import Procedure
from app.extensions import db
from app.formengine import (
    FormDefinition,
)
from app.formengine.destinations import ANY as ANY_WEBHOOK
from app.formengine.parser import check_file, parse
from app.notify import webhook

from .models import FormVersion, FormWithdrawal

_definitions: dict[tuple[int, str], FormDefinition] = {}


def definition(fv: FormVersion) -> FormDefinition:
    """The parsed definition of a stored version (parsed once per process). Its webhook
    URLs were checked against the settings of the day it was loaded; delivery checks
    them again against today's (notify/webhook.py), so a version stays readable."""
    key = (fv.id, fv.content_hash)
    defn = _definitions.get(key)
    if defn is None:
        defn, problems = parse(
            fv.yaml_text, path=f"{fv.form_id}@{fv.version}", webhooks=ANY_WEBHOOK
        )
        if defn is None:  # stored versions were checked when loaded
            raise ValueError("; ".join(map(str, problems)))
        _definitions[key] = defn
    return defn


@dataclass(frozen=True)
class Version:
    """A published form version as read once: the rows never change after they are stored."""

    id: int
    form_id: str
    version: int
    procedure_code: str
    title_ja: str
    content_hash: str
    yaml_text: str


def _newest_row(form_id: str) -> FormVersion | None:
    return db.session.scalar(
        select(FormVersion)
        .where(FormVersion.form_id == form_id)
        .order_by(FormVersion.version.desc())
        .limit(1)
    )


def _version(row: FormVersion) -> Version:
    return Version(
        row.id, row.form_id, row.version, row.procedure_code, row.title_ja,
        row.content_hash, row.yaml_text,
    )  # fmt: skip


def version_by_id(version_id: int) -> Version | None:
    """A stored version by its id, read once per process (versions never change)."""
    cache = current_app.extensions.setdefault("form_versions_by_id", {})
    fv = cache.get(version_id)
    if fv is None:
        row = db.session.get(FormVersion, version_id)
        if row is None:
            return None
        fv = cache[version_id] = _version(row)
    return fv


def latest_version(form_id: str) -> Version | None:
    """The newest version of a form. Kept per process for FORM_VERSION_CACHE_SECONDS, so
    that a page or a submission does not ask the database each time: a version loaded by
    another process is taken up within that time (this process's loads at once)."""
    cache = current_app.extensions.setdefault("form_versions", {})
    now = monotonic()
    hit = cache.get(form_id)
    if hit is not None and hit[0] > now:
        return hit[1]
    row = _newest_row(form_id)
    fv = _version(row) if row is not None and not is_withdrawn(form_id) else None
    cache[form_id] = (now + current_app.config["FORM_VERSION_CACHE_SECONDS"], fv)
    return fv


def is_withdrawn(form_id: str) -> bool:
    return (
        db.session.scalar(select(FormWithdrawal.id).where(FormWithdrawal.form_id == form_id))
        is not None
    )


def withdraw(form_id: str, by: str) -> None:
    """Take a form off line (committed by the caller); nothing is deleted."""
    if not is_withdrawn(form_id):
        db.session.add(FormWithdrawal(form_id=form_id, withdrawn_by=by))
    current_app.extensions.pop("form_versions", None)


def withdrawn_forms() -> set[str]:
    return set(db.session.scalars(select(FormWithdrawal.form_id)))


def published_forms() -> list[FormVersion]:
    """The newest version of every form on line (not withdrawn), by id."""
    newest = (
        select(FormVersion.form_id, func.max(FormVersion.version).label("v"))
        .group_by(FormVersion.form_id)
        .subquery()
    )
    return list(
        db.session.scalars(
            select(FormVersion)
            .join(
                newest,
                (FormVersion.form_id == newest.c.form_id) & (FormVersion.version == newest.c.v),
            )
            .where(FormVersion.form_id.not_in(select(FormWithdrawal.form_id)))
            .order_by(FormVersion.form_id)
        )
    )


@dataclass
class LoadReport:
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # texts without a declared language
    loaded: list[tuple[str, int, str]] = field(default_factory=list)  # (id, version, new|unchanged)


def form_files(paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        out += sorted(p.glob("*.yaml")) + sorted(p.glob("*.yml")) if p.is_dir() else [p]
    return out


def catalogue_codes() -> set[str] | None:
    """The catalogue's procedure codes; None when the database cannot tell (not migrated,
    not reachable): a form can still be checked, without its procedure code."""
    try:
        return set(db.session.scalars(select(Procedure.code)))
    except SQLAlchemyError:
        db.session.rollback()
        return None


def check_forms(
    paths: Iterable[Path], *, with_catalogue: bool = True, warnings: list[str] | None = None
) -> tuple[list, list[str]]:
    """Parse every file → ([(path, definition, text)], problems as `path:line: message`);
    `warnings`, when given, gets what does not stop a form from loading."""
    codes = catalogue_codes() if with_catalogue else None
    rules = webhook.rules()
    ok, problems = [], []
    seen: dict[str, Path] = {}
    for path in form_files(paths):
        noted: list = []
        defn, found = check_file(path, procedures=codes or None, webhooks=rules, warnings=noted)
        problems += [str(p) for p in found]
        if warnings is not None:
            warnings += [str(w) for w in noted]
        if defn is None:
            continue
        if defn.id in seen:
            problems.append(
                f"{path}:1: 様式ID {defn.id} が {seen[defn.id]} と重複しています / form id {defn.id} is also used by {seen[defn.id]}"
            )
            continue
        seen[defn.id] = path
        ok.append((path, defn, path.read_text(encoding="utf-8")))
    return ok, problems


def load_forms(paths: Iterable[Path]) -> LoadReport:
    """Check, then store new versions; a changed file under a published version is refused."""
    report = LoadReport()
    ok, report.problems = check_forms(paths, warnings=report.warnings)
    return _store(ok, report)


def load_text(text: str, *, name: str) -> LoadReport:
    """`load_forms` for one definition held as text (the form builder publishes through
    it): the same check (`check_forms`'s parser, catalogue codes and webhook rules) and
    the same storing. `name` stands for the file in the problems."""
    report = LoadReport()
    codes = set(db.session.scalars(select(Procedure.code)))
    defn, found = parse(text, path=name, procedures=codes or None, webhooks=webhook.rules())
    report.problems = [str(p) for p in found]
    return _store([(name, defn, text)] if defn is not None else [], report)


def _store(ok: list, report: LoadReport) -> LoadReport:
    new = []
    for path, defn, text in ok:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        existing = db.session.scalar(
            select(FormVersion).where(
                FormVersion.form_id == defn.id, FormVersion.version == defn.version
            )
        )
        if existing is None:
            new.append(
                FormVersion(
                    form_id=defn.id,
                    version=defn.version,
                    procedure_code=defn.procedure,
                    title_ja=defn.title.get("ja"),
                    content_hash=digest,
                    yaml_text=text,
                )
            )
            report.loaded.append((defn.id, defn.version, "new"))
        elif existing.content_hash != digest:
            report.problems.append(
                f"{path}:1: 公開済みの版 {defn.version} と内容が異なります。version を上げてください"
                f" / version {defn.version} is published and this file differs from it: bump the version"
            )
        else:
            report.loaded.append((defn.id, defn.version, "unchanged"))
        newer = _newest_row(defn.id)
        if existing is None and newer is not None and newer.version > defn.version:
            report.problems.append(
                f"{path}:1: 版 {defn.version} は公開済みの版 {newer.version} より古い番号です"
                f" / version {defn.version} is older than the published version {newer.version}"
            )
    if report.problems:
        db.session.rollback()
        return report
    db.session.add_all(new)
    for row in new:  # a new version takes a withdrawn form back on line
        db.session.execute(delete(FormWithdrawal).where(FormWithdrawal.form_id == row.form_id))
    db.session.commit()
    current_app.extensions.pop("form_versions", None)
    return report
