"""A worker's claim on jobs: taking due jobs with a lease, then ending the claim (done, failed, dead).

Every change after the claim is conditional on the claim's `lease_token`: once a lease expired and
another worker claimed the job, the first worker's completion matches no row and raises LeaseLost,
so its transaction (the handler's effects with it) is rolled back — each job completes once.

PostgreSQL claims with `FOR UPDATE SKIP LOCKED` (concurrent workers take different jobs without
waiting on each other); SQLite runs the claim in a `BEGIN IMMEDIATE` transaction (the engine's
write transactions), which serialises claimers.
"""
from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from jimu.platform.jobs.backoff import Backoff
from jimu.platform.jobs.errors import LeaseLost
from jimu.platform.jobs.queue import Job
from jimu.platform.jobs.tables import DEAD, DONE, FAILED, RUNNING, jobs

MAX_ERROR = 4000
LEASE_EXPIRED = "The lease expired on the last attempt (the worker stopped or took too long)."


@dataclass(frozen=True)
class Claim:
    """One job claimed by a worker until `lease_until`."""

    job: Job
    token: str
    lease_until: datetime
    max_attempts: int


def _due(now: datetime, conn: sa.Connection, *conditions: sa.ColumnElement[bool], limit: int) -> sa.Select[Any]:
    query = sa.select(jobs.c.id).where(jobs.c.due_at <= now, *conditions).order_by(jobs.c.due_at, jobs.c.id)
    query = query.limit(limit)
    return query.with_for_update(skip_locked=True) if conn.dialect.name == "postgresql" else query


def bury_expired(conn: sa.Connection, *, now: datetime, limit: int = 100) -> int:
    """Jobs whose LAST attempt's lease expired become dead (a crash counts as a failed attempt); claims
    never take them, workers bury them once per poll interval."""
    last = _due(now, conn, jobs.c.state == RUNNING, jobs.c.attempts >= jobs.c.max_attempts, limit=limit)
    result = conn.execute(sa.update(jobs).where(jobs.c.id.in_(last.scalar_subquery())).values(
        state=DEAD, due_at=None, lease_token=None, lease_until=None, last_error=LEASE_EXPIRED, finished_at=now,
        updated_at=now))
    return int(result.rowcount)


def claim(conn: sa.Connection, *, kinds: tuple[str, ...], now: datetime, lease: timedelta, worker: str,
          limit: int = 1) -> list[Claim]:
    """Up to `limit` due jobs of `kinds` (queued, failed past their wait, or running past their lease),
    now running under a new lease; in the caller's transaction, which should be short and commit now."""
    if not kinds:
        return []
    token, until = uuid.uuid4().hex, now + lease
    attempts_left = sa.or_(jobs.c.state != RUNNING, jobs.c.attempts < jobs.c.max_attempts)
    due = _due(now, conn, jobs.c.kind.in_(kinds), attempts_left, limit=limit).scalar_subquery()
    rows = conn.execute(sa.update(jobs).where(jobs.c.id.in_(due)).values(
        state=RUNNING, attempts=jobs.c.attempts + 1, lease_token=token, lease_until=until, due_at=until,
        worker=worker[:100], updated_at=now).returning(
        jobs.c.id, jobs.c.kind, jobs.c.payload, jobs.c.attempts, jobs.c.idempotency_key, jobs.c.run_at,
        jobs.c.max_attempts)).all()
    claims = [Claim(Job(r.id, r.kind, dict(r.payload), r.attempts, r.idempotency_key, r.run_at), token, until,
                    r.max_attempts) for r in rows]
    return sorted(claims, key=lambda c: c.job.id)


def _held(claim: Claim) -> sa.ColumnElement[bool]:
    return sa.and_(jobs.c.id == claim.job.id, jobs.c.lease_token == claim.token, jobs.c.state == RUNNING)


def _changed(conn: sa.Connection, claim: Claim, **values: Any) -> None:
    if conn.execute(sa.update(jobs).where(_held(claim)).values(**values)).rowcount != 1:
        raise LeaseLost(f"Job {claim.job.id}: the claim ended (its lease expired and it was claimed again).")


def finish(conn: sa.Connection, claim: Claim, *, now: datetime, result: dict[str, Any] | None = None) -> None:
    """The job is done (in the caller's transaction, with the handler's effects); LeaseLost when not held."""
    _changed(conn, claim, state=DONE, due_at=None, lease_token=None, lease_until=None, result=result,
             finished_at=now, updated_at=now)


def store_result(conn: sa.Connection, job_id: int, result: dict[str, Any]) -> None:
    """The result a handler returned after its unit of work had completed the job."""
    conn.execute(sa.update(jobs).where(jobs.c.id == job_id, jobs.c.state == DONE).values(result=result))


def fail(conn: sa.Connection, claim: Claim, *, now: datetime, error: str, backoff: Backoff,
         rng: random.Random, final: bool = False, result: dict[str, Any] | None = None) -> str:
    """The attempt failed: the job waits (backoff) for its next attempt, or is dead after its last one
    (or at once when `final`: the handler gave up, storing `result`).
    Returns the new state; LeaseLost when the claim is no longer held."""
    if final or claim.job.attempts >= claim.max_attempts:
        _changed(conn, claim, state=DEAD, due_at=None, lease_token=None, lease_until=None,
                 last_error=error[:MAX_ERROR], finished_at=now, updated_at=now, result=result)
        return DEAD
    _changed(conn, claim, state=FAILED, due_at=now + backoff.delay(claim.job.attempts, rng), lease_token=None,
             lease_until=None, last_error=error[:MAX_ERROR], updated_at=now)
    return FAILED


def extend(conn: sa.Connection, claim: Claim, *, now: datetime, lease: timedelta) -> datetime:
    """The lease runs until `now + lease` (a long handler calls this before it expires)."""
    until = now + lease
    _changed(conn, claim, lease_until=until, due_at=until, updated_at=now)
    return until


def json_result(result: Any) -> dict[str, Any] | None:
    """What a handler returned, checked: None or a JSON object (TypeError otherwise)."""
    if result is None:
        return None
    if not isinstance(result, dict):
        raise TypeError(f"A job handler returns a dict or None, not {type(result).__name__}.")
    json.dumps(result, allow_nan=False)
    return result
