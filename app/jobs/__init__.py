"""Background work: an outbox of jobs, run by RQ workers when REDIS_URL is set and
inline otherwise — the same job functions either way (docs/jobs.md).

- `outbox.submission_jobs(submission_id, defn, answers)` inside the submission's transaction,
  `outbox.dispatch(ids)` after its commit;
- `outbox.sweep()` hands out again what is pending, abandoned or lost
  (`flask jobs sweep`, and the worker every JOB_SWEEP_SECONDS — without Redis the web
  process, sweeper.py);
- `outbox.failed_jobs()` and `outbox.retry(id)` for the admin pages
  (template partial `jobs/_failed_jobs.html`).
"""

from __future__ import annotations

from .outbox import dispatch, failed_jobs, retry, submission_jobs, sweep

__all__ = ["dispatch", "failed_jobs", "retry", "submission_jobs", "sweep"]
