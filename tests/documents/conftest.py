"""PDF tools (poppler) and an app with the shipped catalogue and forms."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from app import create_app
from app.catalogue.services import import_catalogue
from app.extensions import db
from app.submissions import versions
from config import TestConfig
from tests.conftest import ROOT, _unavailable


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        _unavailable(name, "poppler-utils is not installed (`make fonts` installs it)")
    return path


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(
        [_tool("pdftotext"), "-raw", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def squash(text: str) -> str:
    """Without any white space: a wrapped line still contains what was written."""
    return re.sub(r"\s+", "", text)


def pdf_info(data: bytes, tmp_path: Path) -> tuple[str, str, str]:
    """(pdfinfo, its XMP metadata, pdffonts) of a PDF."""
    path = tmp_path / "info.pdf"
    path.write_bytes(data)
    run = lambda *a: subprocess.run(a, capture_output=True, text=True, check=True).stdout  # noqa: E731
    return (
        run(_tool("pdfinfo"), str(path)),
        run(_tool("pdfinfo"), "-meta", str(path)),
        run(_tool("pdffonts"), str(path)),
    )


def assert_tagged_pdf_ua(data: bytes, tmp_path: Path, title: str) -> None:
    info, meta, fonts = pdf_info(data, tmp_path)
    assert re.search(r"^Tagged:\s+yes$", info, re.M), info
    assert title in info
    assert re.search(r"pdfuaid:part[^0-9]*1", meta), meta  # PDF/UA-1 claimed in the XMP
    assert re.search(r"(IPAex|Noto-Sans-CJK-JP|NotoSansCJKjp)", fonts), (
        fonts
    )  # a Japanese font, embedded


@pytest.fixture(scope="module")
def shipped_app(tmp_path_factory):
    """The shipped catalogue (procedures/) and forms (forms/), inline jobs, mail as .eml."""
    tmp = tmp_path_factory.mktemp("shipped")
    app = create_app(
        TestConfig,
        instance_path=str(tmp / "instance"),
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp / 'app.db'}",
        UPLOAD_DIR=str(tmp / "uploads"),
        JOB_PERIODIC=False,
    )
    with app.app_context():
        db.create_all()
        assert import_catalogue(ROOT / "procedures").ok
        report = versions.load_forms([ROOT / "forms"])
        assert not report.problems, report.problems
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


SHIPPED_FORMS = sorted(p.stem for p in (ROOT / "forms").glob("*.yaml"))
