"""Background work, as infrastructure: an outbox of jobs written in the transaction of
what caused them, run by RQ workers when REDIS_URL is set and inline otherwise — the same
job functions either way (docs/jobs.md). It knows no feature:

- a feature registers its job kinds and handlers (`register`) and its periodic work
  (`register_periodic`) from its `effects.py`, which `create_app` calls;
- `outbox.add(kind, key, …)` or the feature's own statements write jobs in its
  transaction, `outbox.dispatch(ids)` hands them out after the commit;
- `outbox.sweep()` hands out again what is pending, abandoned or lost, and writes the
  periodic jobs (`flask jobs sweep`, the worker every JOB_SWEEP_SECONDS, and the serving
  process itself when jobs run inline);
- `outbox.failed_jobs()` and `outbox.retry(id)` for the admin pages
  (template partial `jobs/_failed_jobs.html`).
"""

from __future__ import annotations

from .registry import register, register_periodic

__all__ = ["register", "register_periodic"]
