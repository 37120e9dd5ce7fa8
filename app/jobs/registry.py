"""What the job kinds are and who runs them: filled by the features at app creation.

The jobs package knows no feature. Each feature registers its own kinds and handlers
(`register`) and the periodic work it wants written by the sweep (`register_periodic`),
from its `effects.py`, which `create_app` calls. Registering the same kind again replaces
it (every app built in a process registers the same functions).

What the rest of the house wants to know of the jobs is registered the same way, by name
(app/wiring.py): how a new job's payload is stamped (logs: the request's id), what wraps
each run (logs: the job's lines carry its id), who hears of each run's outcome (metrics),
and what a worker does as it starts (logs, the production checks).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

# kind → handler(job) → a short result for the outbox row
HANDLERS: dict[str, Callable[[Any], str | None]] = {}
# name → factory(now in Japan time) → (kind, key, payload) of the periodic jobs due then;
# each key is written once (see outbox.schedule_periodic)
PERIODIC: dict[str, Callable[[datetime], Iterable[tuple[str, str, dict]]]] = {}


def register(kind: str, handler: Callable[[Any], str | None]) -> None:
    """`handler(job)` runs each outbox job of this kind (by an RQ worker or inline)."""
    HANDLERS[kind] = handler


def register_periodic(
    name: str, factory: Callable[[datetime], Iterable[tuple[str, str, dict]]]
) -> None:
    """`factory(now)` names the periodic jobs due at `now` (Japan time): e.g. one per day."""
    PERIODIC[name] = factory


# name → payload → the payload a new job is written with (e.g. with the request's id)
STAMPS: dict[str, Callable[[dict], dict]] = {}
# name → job → a context the job runs in (e.g. its log lines carry its id)
AROUND_RUN: dict[str, Callable[[Any], AbstractContextManager]] = {}
# name → (kind, outcome, seconds) after each run; outcome: done, pending, failed, skipped
AFTER_RUN: dict[str, Callable[[str, str, float], None]] = {}
# name → app, as `flask worker` starts
WORKER_START: dict[str, Callable[[Any], None]] = {}


def stamp(payload: dict | None) -> dict:
    """A new job's payload as every registered stamp leaves it."""
    out = dict(payload or {})
    for add in STAMPS.values():
        out = add(out)
    return out
