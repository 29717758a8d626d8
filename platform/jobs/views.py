"""What administrators read about jobs: pages of jobs (newest first) and one job whole."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from jimu.platform.errors import ErrorDetail, ValidationError
from jimu.platform.jobs.errors import JobNotFound
from jimu.platform.jobs.tables import STATES, jobs

DEFAULT_LIMIT, MAX_LIMIT = 50, 200
_SUMMARY = (jobs.c.id, jobs.c.kind, jobs.c.state, jobs.c.attempts, jobs.c.max_attempts, jobs.c.run_at,
            jobs.c.due_at, jobs.c.idempotency_key, jobs.c.worker, jobs.c.last_error, jobs.c.created_at,
            jobs.c.updated_at, jobs.c.finished_at)


@dataclass(frozen=True)
class JobPage:
    data: list[dict[str, Any]]
    next_cursor: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"data": self.data, "next_cursor": self.next_cursor, "has_more": self.next_cursor is not None}


def _view(row: Any) -> dict[str, Any]:
    shown = dict(row._mapping)
    for name in ("run_at", "due_at", "created_at", "updated_at", "finished_at", "lease_until"):
        if shown.get(name) is not None:
            shown[name] = shown[name].isoformat()
    return shown


def _refused(path: str, code: str, message: str, **params: Any) -> ValidationError:
    return ValidationError(message, code=code, details=[ErrorDetail(path, code, params)], **params)


def list_jobs(conn: sa.Connection, *, state: str | None = None, kind: str | None = None, cursor: str | None = None,
              limit: int = DEFAULT_LIMIT) -> JobPage:
    """A page of jobs, newest first; `cursor` is the previous page's `next_cursor`."""
    if state is not None and state not in STATES:
        raise _refused("state", "jobs.state_invalid", "Unknown job state.", state=state, states=list(STATES))
    if not 1 <= limit <= MAX_LIMIT:
        raise _refused("limit", "admin.limit_invalid", "Invalid page size.", max=MAX_LIMIT)
    if cursor is not None and not (cursor.isascii() and cursor.isdigit() and len(cursor) <= 18):
        raise _refused("cursor", "admin.cursor_invalid", "Invalid cursor.")
    query = sa.select(*_SUMMARY).order_by(jobs.c.id.desc()).limit(limit + 1)
    if state is not None:
        query = query.where(jobs.c.state == state)
    if kind is not None:
        query = query.where(jobs.c.kind == kind)
    if cursor is not None:
        query = query.where(jobs.c.id < int(cursor))
    rows = conn.execute(query).all()
    shown = rows[:limit]
    more = len(rows) > limit and bool(shown)
    return JobPage([_view(r) for r in shown], str(shown[-1].id) if more else None)


def job_view(conn: sa.Connection, job_id: int) -> dict[str, Any]:
    """One job with its payload, result and lease; JobNotFound."""
    row = conn.execute(sa.select(jobs).where(jobs.c.id == job_id)).first()
    if row is None:
        raise JobNotFound(f"There is no job {job_id}.", id=job_id)
    shown = _view(row)
    shown.pop("lease_token", None)  # the claim's secret stays with its worker
    return shown


def counts_by_state(conn: sa.Connection) -> dict[str, int]:
    """How many jobs are in each state (every state present, 0 when none)."""
    found: dict[str, int] = {}
    for state, count in conn.execute(sa.select(jobs.c.state, sa.func.count()).group_by(jobs.c.state)):
        found[state] = int(count)
    return {state: int(found.get(state, 0)) for state in STATES}
