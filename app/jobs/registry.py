"""What the job kinds are and who runs them: filled by the features at app creation.

The jobs package knows no feature. Each feature registers its own kinds and handlers
(`register`) and the periodic work it wants written by the sweep (`register_periodic`),
from its `effects.py`, which `create_app` calls. Registering the same kind again replaces
it (every app built in a process registers the same functions).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
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
