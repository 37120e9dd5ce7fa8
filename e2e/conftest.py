"""Browser tests: the app started on a free port, driven by Playwright in the system's Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import warnings
from contextlib import ExitStack
from pathlib import Path

import pytest
import requests

from tests import devidp as local_provider

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


def _start_devidp(stack: ExitStack, base: str) -> str | None:
    """The local OpenID Connect provider (devidp/, tests/devidp.py) for the app at `base`,
    stopped with `stack` → its base address; None where Node.js is missing (a failure under
    CI=true, where `make e2e` has installed it)."""
    try:
        return stack.enter_context(local_provider.running(base))
    except local_provider.Unavailable as exc:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{exc}; CI=true requires it", pytrace=False)
        warnings.warn(f"{exc}: the journeys of sign-in are skipped", stacklevel=1)
        return None
    except local_provider.StartFailed as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The app with the shipped catalogue and forms, on SQLite, on a free port, with the
    local OpenID Connect provider (devidp/) as its 開発用 sign-in where Node.js is installed."""
    instance = tmp_path_factory.mktemp("instance")
    port = _free_port()
    with ExitStack() as stack:  # devidp stops when the app has
        idp = _start_devidp(stack, f"http://127.0.0.1:{port}")
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{instance / 'e2e.db'}", "FLASK_APP": "app",
               "BASE_URL": f"http://127.0.0.1:{port}", "UPLOAD_DIR": str(instance / "uploads"),
               # result documents are signed with a development key of the run's own
               "RESULT_SIGNING_P12": str(instance / "signing.p12"),
               "RESULT_SIGNING_PASSWORD": "e2e-development",
               "DOCUMENT_DIR": str(instance / "documents"),
               # a service-performance page shows residents' answers from two on (e2e/test_bureau.py)
               "QUALITY_MIN_ANSWERS": "2"}
        env.pop("REDIS_URL", None)
        for name in [k for k in env if k.startswith("OIDC_")]:
            env.pop(name)  # the providers are devidp's, as `make run` has them, or none
        if idp:
            env["OIDC_DEV_ISSUER"] = idp
            IDP.append(idp)
        from app.documents.signing import make_development_key  # the app's own code, as make run
        make_development_key(instance / "signing.p12", "e2e-development", "Tetsuzuki e2e development")
        flask = [sys.executable, "-m", "flask", "--app", "app"]
        SERVER_ENV.update(env)
        for args in (["db", "upgrade"], ["demo"]):
            subprocess.run(flask + args, cwd=ROOT, env=env, check=True, capture_output=True)
        log = open(instance / "server.log", "w")  # noqa: SIM115 - closed at the end
        proc = subprocess.Popen(flask + ["run", "--port", str(port)], cwd=ROOT, env=env, stdout=log, stderr=log)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90  # a loaded machine starts Flask slowly
        while True:
            try:
                if requests.get(base + "/healthz/live", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                break
            time.sleep(0.2)
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the app did not start: " + (instance / "server.log").read_text())
        yield base
        proc.terminate()
        proc.wait(10)
        log.close()


SERVER_ENV: dict[str, str] = {}
IDP: list[str] = []  # the local provider's base address, once started


@pytest.fixture(scope="session")
def idp(server):
    """The base address of the local OpenID Connect provider the app signs in with (its
    issuers are <base>/mynumber and <base>/gbiz); skips where Node.js is missing."""
    if not IDP:
        pytest.skip("the local OpenID Connect provider (devidp/) needs Node.js")
    return IDP[0]


@pytest.fixture(scope="session")
def flask_cli(server):
    """Run a `flask` command against the test server's database → its output."""
    def run(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT,
                              env=SERVER_ENV, check=True, capture_output=True, text=True)
        return done.stdout

    return run


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def new_context(browser, server):
    """Open browser contexts on the app (phone-sized, Japanese unless told); each one is
    watched for requests that leave the app's origin, and closed at the end."""
    opened = []

    def open_context(width: int = 375, height: int = 667, locale: str = "ja-JP", **options):
        context = browser.new_context(viewport={"width": width, "height": height}, locale=locale,
                                      base_url=server, **options)
        context.add_init_script(script=WATCH_CSP)
        context.add_init_script(script=AXE)  # outside the page's CSP, like an extension
        foreign: list[str] = []
        ours = (server + "/", "data:", *(base + "/" for base in IDP))  # and the sign-in's provider
        context.on("request", lambda r: foreign.append(r.url)
                   if not r.url.startswith(ours) else None)
        context.on("response", _remember_document)
        opened.append((context, foreign))
        return context

    yield open_context
    for context, _ in opened:
        context.close()
    leaks = [url for _, foreign in opened for url in foreign]
    assert not leaks, f"requests to another origin: {leaks}"


@pytest.fixture
def phone(new_context):
    """A fresh phone-sized page (375×667), Japanese."""
    return new_context().new_page()


# the last HTML document each page was served (page → response), as the server sent it:
# `shoot` keeps it beside the screenshots for the Nu HTML Checker (make conformance)
_DOCUMENTS: dict = {}


def _remember_document(response) -> None:
    frame = response.frame
    if response.request.resource_type == "document" and frame.parent_frame is None:
        _DOCUMENTS[frame.page] = response


def _keep_source(page, path: Path) -> None:
    response = _DOCUMENTS.get(page)
    if response is None or response.url != page.url or 300 <= response.status < 400:
        return
    if response.headers.get("content-type", "").startswith("text/html"):
        path.write_bytes(response.body())


@pytest.fixture
def shoot(request):
    """Check and photograph the page the journey has reached, at both widths.

    At 375×667 and 1280×800: axe-core's WCAG 2.2 A/AA rules, no horizontal scrolling, no
    blocked Content-Security-Policy violation, and a full-page screenshot kept as an artefact
    (e2e/artifacts/<test>/<n>-<name>-<width>.png), and the HTML as the server sent it
    (<n>-<name>.html, for the Nu HTML Checker). Then the reflow of 200% and 400% zoom
    (640 and 320 CSS pixels wide). The page is left at the size it had.
    """
    folder = ARTEFACTS / request.node.name.replace("/", "_").replace("[", "-").replace("]", "")
    folder.mkdir(parents=True, exist_ok=True)
    counter = iter(range(1, 1000))

    def take(page, name: str):
        n = next(counter)
        page.wait_for_load_state("load")  # a click waits for the navigation, not the styles
        _keep_source(page, folder / f"{n:02d}-{name}.html")
        original = page.viewport_size
        try:
            for width, height in SCREENS:
                page.set_viewport_size({"width": width, "height": height})
                audit(page, f"{name} at {width}px")
                page.screenshot(path=str(folder / f"{n:02d}-{name}-{width}.png"), full_page=True)
            for width in ZOOMED:
                page.set_viewport_size({"width": width, "height": 600})
                assert_no_horizontal_scroll(page, f"{name} at {width}px (zoomed)")
        finally:
            page.set_viewport_size(original)

    take.folder = folder  # for other artefacts of the test, such as a downloaded PDF
    return take


# --- accessibility checks -------------------------------------------------------------

SCREENS = [(375, 667), (1280, 800)]
ZOOMED = [640, 320]  # 1280 px at 200% zoom; WCAG 1.4.10's 320 CSS px (400%)
AXE = (ROOT / "e2e" / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Records what the page's Content-Security-Policy blocked (an init script runs outside it).
WATCH_CSP = """document.addEventListener('securitypolicyviolation', e => {
  (window.__cspViolations = window.__cspViolations || []).push(
    e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sourceFile || '') + ':' + e.lineNumber);
});"""


def audit(page, where: str) -> None:
    """Fail with the list of WCAG 2.2 A/AA violations axe-core finds on the page.

    axe comes in as an init script of the context (through the DevTools protocol, which the
    page's CSP does not govern), so pages are checked under their real policy, no bypass_csp."""
    result = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                    resultTypes: ['violations']})""", AXE_TAGS)
    problems = [f"{v['id']} ({v['impact']}): {v['help']} — "
                + "; ".join(" ".join(n["target"]) for n in v["nodes"][:5])
                for v in result["violations"]]
    assert not problems, f"{page.url} — {where}:\n  " + "\n  ".join(problems)
    blocked = page.evaluate("() => window.__cspViolations || []")
    assert not blocked, f"{page.url} — {where}: the CSP blocked {blocked}"
    assert_no_horizontal_scroll(page, where)


def assert_no_horizontal_scroll(page, where: str) -> None:
    overflow = page.evaluate("""() => {
      const width = document.documentElement.clientWidth;
      if (document.documentElement.scrollWidth <= width) return null;
      const wide = [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > width + 1 && !e.closest('.table-scroll'))
        .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                          + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : ''));
      return {scroll: document.documentElement.scrollWidth, width, wide};
    }""")
    assert overflow is None, f"{page.url} — {where}: scrolls sideways {overflow}"
