"""Browser tests: the app started on a free port, driven by Playwright in the system's Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
ARTEFACTS = ROOT / "e2e" / "artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("Chromium is not installed: run `make e2e`, which installs it from the system's packages")


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The app with the shipped catalogue and forms, on SQLite, on a free port."""
    instance = tmp_path_factory.mktemp("instance")
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{instance / 'e2e.db'}", "FLASK_APP": "app",
           "BASE_URL": f"http://127.0.0.1:{port}", "UPLOAD_DIR": str(instance / "uploads")}
    env.pop("REDIS_URL", None)
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    for args in (["db", "upgrade"], ["demo"]):
        subprocess.run(flask + args, cwd=ROOT, env=env, check=True, capture_output=True)
    log = open(instance / "server.log", "w")  # noqa: SIM115 - closed at the end
    proc = subprocess.Popen(flask + ["run", "--port", str(port)], cwd=ROOT, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if requests.get(base + "/healthz", timeout=1).ok:
                break
        except requests.RequestException:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("the app did not start: " + (instance / "server.log").read_text())
    yield base
    proc.terminate()
    proc.wait(10)
    log.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def phone(browser, server):
    """A fresh phone-sized page (375×667), Japanese."""
    context = browser.new_context(viewport={"width": 375, "height": 667}, locale="ja-JP",
                                  base_url=server)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def shoot(request):
    """Save a full-page screenshot as an artefact: e2e/artifacts/<test>/<n>-<name>.png."""
    folder = ARTEFACTS / request.node.name.replace("/", "_").replace("[", "-").replace("]", "")
    folder.mkdir(parents=True, exist_ok=True)
    counter = iter(range(1, 1000))

    def take(page, name: str):
        page.screenshot(path=str(folder / f"{next(counter):02d}-{name}.png"), full_page=True)

    return take
