"""Settings made in the instance folder."""

from __future__ import annotations

import stat
import threading

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
