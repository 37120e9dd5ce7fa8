"""One version, shown everywhere an operator or a resident may look for it, and a
changelog entry with upgrade notes for it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from app import __version__

ROOT = Path(__file__).resolve().parent.parent


def test_the_footer_shows_the_version(client):
    for url in ("/", "/dashboard", "/no-such-page"):
        html = client.get(url).get_data(as_text=True)
        assert f'<p class="version">Tetsuzuki {__version__}</p>' in html, url


def test_openapi_info_and_health_carry_it(client):
    info = client.get("/api/openapi.json").get_json()["info"]
    assert info["version"] == __version__
    assert info["x-api-version"] == "1.0.0"
    assert client.get("/healthz/live").get_json()["version"] == __version__


def test_the_version_command(runner):
    out = runner.invoke(args=["version"]).output
    assert out.startswith(f"Tetsuzuki {__version__}\nPython ")


def test_the_changelog_has_upgrade_notes_for_this_release():
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    sections = re.split(r"^## ", text, flags=re.M)
    (this,) = [s for s in sections if s.startswith(version + " ")]
    assert "Upgrade notes" in this
    # every migration of the release is named with whether it can run while old code serves
    for path in sorted((ROOT / "migrations" / "versions").glob("0*.py")):
        revision = re.search(r"^revision = [\"']([^\"']+)[\"']", path.read_text(), re.M).group(1)
        assert revision in text, revision
