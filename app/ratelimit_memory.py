"""Rate-limit counters in the process's memory, for a site without Redis (one machine,
`make run`, the in-process benchmarks): `limits`' own MemoryStorage, except that it clears
expired counters at most once a second from the request that counts, instead of starting
a thread to do it after every hit that follows a quiet 10 ms. Those threads cost more CPU
than the rest of a small request's limits (bench/run.py, docs/operations.md). An expired
counter is never counted either way: `get` drops it when it is read."""

from __future__ import annotations

import time

from limits.storage import MemoryStorage

SCHEME = "swept-memory"


class SweptMemoryStorage(MemoryStorage):
    """`swept-memory://`: registered with `limits` by being defined (its STORAGE_SCHEME)."""

    STORAGE_SCHEME = [SCHEME]
    SWEEP_SECONDS = 1.0

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._next_sweep = 0.0

    # MemoryStorage calls its private `__schedule_expiry` on every hit: this is that name
    def _MemoryStorage__schedule_expiry(self) -> None:
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + self.SWEEP_SECONDS
            self._MemoryStorage__expire_events()
