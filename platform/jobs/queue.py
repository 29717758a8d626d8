"""Putting jobs in the queue (in the caller's transaction) and taking them back out by hand (retry)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from jimu.platform.jobs.errors import JobNotFound, JobNotRetryable
from jimu.platform.jobs.tables import DEAD, FAILED, QUEUED, jobs

MAX_KIND = 100
MAX_KEY = 200


@dataclass(frozen=True)
class Job:
    """A job as its handler sees it (`attempts` counts this one: 1 on the first run)."""

    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    idempotency_key: str | None
    run_at: datetime


def _check(kind: str, payload: dict[str, Any], idempotency_key: str | None, max_attempts: int) -> None:
    """A caller's programming error is refused before anything is written."""
    if not kind or len(kind) > MAX_KIND:
        raise ValueError(f"A job kind is 1 to {MAX_KIND} characters, not {kind!r}.")
    if not isinstance(payload, dict):
        raise TypeError("A job's payload is a JSON object (a dict).")
    json.dumps(payload, allow_nan=False)  # TypeError/ValueError: not JSON
    if idempotency_key is not None and not 0 < len(idempotency_key) <= MAX_KEY:
        raise ValueError(f"An idempotency key is 1 to {MAX_KEY} characters.")
    if not 1 <= max_attempts <= 1000:
        raise ValueError("max_attempts is between 1 and 1000.")


def enqueue(conn: sa.Connection, kind: str, payload: dict[str, Any], *, now: datetime,
            run_at: datetime | None = None, idempotency_key: str | None = None, max_attempts: int = 8) -> int:
    """Insert a job in the CALLER's transaction (it runs only if that commits); returns its id.

    With an idempotency key already present (whatever the job's state), no second job is made: the
    existing job's id is returned. Two transactions enqueueing the same key at once: the second waits
    for the first (PostgreSQL; SQLite writers are serialised anyway) and gets its id if it committed.
    """
    _check(kind, payload, idempotency_key, max_attempts)
    when = run_at or now
    values = {"kind": kind, "payload": payload, "state": QUEUED, "run_at": when, "due_at": when, "attempts": 0,
              "max_attempts": max_attempts, "idempotency_key": idempotency_key, "created_at": now,
              "updated_at": now}
    if idempotency_key is None:
        return int(conn.execute(sa.insert(jobs).values(**values).returning(jobs.c.id)).scalar_one())
    insert = (postgresql.insert(jobs) if conn.dialect.name == "postgresql" else sqlite.insert(jobs)).values(**values)
    inserted = conn.execute(insert.on_conflict_do_nothing(index_elements=[jobs.c.idempotency_key])
                            .returning(jobs.c.id)).scalar()
    if inserted is not None:
        return int(inserted)
    return int(conn.execute(sa.select(jobs.c.id).where(jobs.c.idempotency_key == idempotency_key)).scalar_one())


def retry(conn: sa.Connection, job_id: int, *, now: datetime) -> None:
    """A failed or dead job queued again now, with a fresh count of attempts (its last error is kept)."""
    state = conn.execute(sa.select(jobs.c.state).where(jobs.c.id == job_id)).scalar()
    if state is None:
        raise JobNotFound(f"There is no job {job_id}.", id=job_id)
    updated = conn.execute(sa.update(jobs).where(jobs.c.id == job_id, jobs.c.state.in_((FAILED, DEAD))).values(
        state=QUEUED, due_at=now, attempts=0, lease_token=None, lease_until=None, finished_at=None, updated_at=now))
    if updated.rowcount != 1:
        raise JobNotRetryable(f"Job {job_id} is {state}: only a failed or dead job can be retried.", id=job_id,
                              state=state)
