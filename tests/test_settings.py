"""Settings made in the instance folder."""

from __future__ import annotations

import stat
import subprocess
import sys
import threading
from pathlib import Path

from app.settings import _instance_secret_key


def _start_together(key_file, n: int = 8) -> list[str]:
    """n callers reading (and making) the key at the same moment, as gunicorn's workers do."""
    barrier = threading.Barrier(n)
    keys: list[str] = []

    def start():
        barrier.wait()
        keys.append(_instance_secret_key(key_file))

    threads = [threading.Thread(target=start) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return keys


def test_secret_key_made_once_when_processes_start_together(tmp_path):
    for attempt in range(20):
        key_file = tmp_path / f"{attempt}" / "secret_key"
        key_file.parent.mkdir()
        keys = _start_together(key_file)
        assert len(set(keys)) == 1 and len(keys[0]) == 64, keys
        assert key_file.read_text().strip() == keys[0]
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert [p.name for p in key_file.parent.iterdir()] == ["secret_key"]


def test_secret_key_kept(tmp_path):
    key_file = tmp_path / "secret_key"
    first = _instance_secret_key(key_file)
    assert _instance_secret_key(key_file) == first


DEFAULT_LIMITS = """
import sys
from app import create_app
from app.extensions import db
from config import TestConfig
app = create_app(TestConfig, instance_path=sys.argv[1], RATELIMIT_DEFAULT="2 per minute")
with app.app_context():
    db.create_all()
client = app.test_client()
print([client.get("/healthz/live").status_code for _ in range(3)])
"""


def test_a_deployment_with_default_rate_limits_keeps_them(tmp_path):
    """Limits are declared on their routes; one who sets RATELIMIT_DEFAULT still gets it on
    every page. (A process of its own: the limiter keeps default limits process-wide.)"""
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, "-c", DEFAULT_LIMITS, str(tmp_path)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert out.stdout.strip().splitlines()[-1] == "[200, 200, 429]"


def test_without_default_limits_a_page_is_not_limited(make_app):
    client = make_app().test_client()
    assert {client.get("/healthz/live").status_code for _ in range(30)} == {200}


def test_every_rate_limit_is_listed_for_the_benchmarks():
    """bench/ raises each limit in config.RATE_LIMITS for its one-address runs: a limit
    missing there would turn the load test's requests into 429s."""
    from config import RATE_LIMITS, Config, TestConfig

    declared = {name for name in dir(Config) if name.endswith("_RATE_LIMIT")}
    assert declared == set(RATE_LIMITS)
    assert all(getattr(TestConfig, name) == "1000 per minute" for name in RATE_LIMITS)
