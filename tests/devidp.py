"""The local OpenID Connect provider (devidp/: the `oidc-provider` package on Node.js),
started for a test run on a free port and stopped at the end. One place for the unit tests
(tests/identity/conftest.py, with a signing key of their own) and the browser journeys
(e2e/conftest.py, beside the app's server): neither depends on pytest's fixtures here."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

DEVIDP = Path(__file__).resolve().parent.parent / "devidp"
START_SECONDS = 30


class Unavailable(Exception):
    """Node.js or npm is missing: the caller skips (or fails under CI)."""

    def __init__(self, what: str, why: str):
        super().__init__(f"{what} is not reachable ({why})")
        self.what, self.why = what, why


class StartFailed(Exception):
    """devidp was started and stopped or said nothing within START_SECONDS."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def install() -> None:
    """devidp/node_modules as `make devidp-install` leaves it (npm ci), made if missing;
    Unavailable where Node.js or npm is not installed."""
    if shutil.which("node") is None:
        raise Unavailable("Node.js (the local OpenID Connect provider)", "node not found")
    if (DEVIDP / "node_modules" / "oidc-provider").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise Unavailable("npm (to install the local OpenID Connect provider)", "npm not found")
    subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=DEVIDP, check=True, timeout=300
    )


@contextmanager
def running(app_urls: str, settings: Mapping[str, str] | None = None) -> Iterator[str]:
    """devidp on a free port of 127.0.0.1, allowing the callbacks of `app_urls` (the app's
    base addresses, comma-separated), with `settings` (DEVIDP_JWKS, DEVIDP_CLIENT_SECRET, …:
    devidp/server.js) → its base address (the issuers are <base>/mynumber and <base>/gbiz).
    Stopped when the block ends."""
    install()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DEVIDP_PORT": str(port),
        "DEVIDP_ISSUER": base,
        "DEVIDP_APP_URLS": app_urls,
        **(settings or {}),
    }
    proc = subprocess.Popen(
        ["node", "server.js"],
        cwd=DEVIDP,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    drain = None
    try:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if "listening" in line:
                break
            if proc.poll() is not None:
                raise StartFailed(f"devidp stopped: {line}{proc.stdout.read()}")
        else:
            raise StartFailed(f"devidp did not start within {START_SECONDS} s")
        # what it says later (oidc-provider's warnings) is read, so that a full pipe never
        # stops it in a long run
        drain = threading.Thread(target=proc.stdout.read, daemon=True)
        drain.start()
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if drain is not None:
            drain.join(timeout=5)
        proc.stdout.close()
