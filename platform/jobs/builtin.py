"""The platform's own job kinds and the schedules that run them (installed by every worker at start).

Later engines extend the handlers `builtin_handlers()` returns with their own kinds (workflow timers,
scheduled rules, webhooks, notifications) before the worker starts.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from jimu.platform.jobs.handlers import JobHandlers
from jimu.platform.jobs.run import JobRun
from jimu.platform.jobs.schedules import schedule
from jimu.platform.jobs.tables import DONE, jobs
from jimu.platform.security import prune_attempts, prune_sessions

PRUNE_SESSIONS = "platform.prune_sessions"
PRUNE_ATTEMPTS = "platform.prune_attempts"
PRUNE_JOBS = "platform.prune_jobs"


@dataclass(frozen=True)
class BuiltinSchedule:
    key: str
    cron: str
    kind: str
    payload: dict[str, Any]


# Sessions are kept a day past their end, login attempts a week (lockout looks back minutes), finished
# jobs a month (their idempotency keys with them: a key is only refused while its job is kept).
BUILTIN_SCHEDULES = (
    BuiltinSchedule("platform.prune_sessions", "17 * * * *", PRUNE_SESSIONS, {"keep_days": 1}),
    BuiltinSchedule("platform.prune_attempts", "23 * * * *", PRUNE_ATTEMPTS, {"keep_days": 7}),
    BuiltinSchedule("platform.prune_jobs", "41 3 * * *", PRUNE_JOBS, {"keep_days": 30}),
)


def _before(run: JobRun) -> datetime:
    return run.now() - timedelta(days=float(run.job.payload.get("keep_days", 1)))


def prune_sessions_job(run: JobRun) -> dict[str, Any]:
    with run.unit_of_work() as ctx:
        return {"deleted": prune_sessions(ctx.conn, before=_before(run))}


def prune_attempts_job(run: JobRun) -> dict[str, Any]:
    with run.unit_of_work() as ctx:
        return {"deleted": prune_attempts(ctx.conn, before=_before(run))}


def prune_jobs_job(run: JobRun) -> dict[str, Any]:
    """Delete done jobs finished before the cut-off (dead ones stay until retried or looked at)."""
    with run.unit_of_work() as ctx:
        result = ctx.conn.execute(sa.delete(jobs).where(jobs.c.state == DONE, jobs.c.finished_at < _before(run),
                                                        jobs.c.id != run.job.id))
        return {"deleted": int(result.rowcount)}


def builtin_handlers() -> JobHandlers:
    """The handlers of the platform's own kinds; a caller registers more before starting a worker."""
    handlers = JobHandlers()
    handlers.register(PRUNE_SESSIONS, prune_sessions_job)
    handlers.register(PRUNE_ATTEMPTS, prune_attempts_job)
    handlers.register(PRUNE_JOBS, prune_jobs_job)
    return handlers


def install_builtin_schedules(conn: sa.Connection, *, now: datetime, timezone: str) -> None:
    """Create or keep the platform's schedules (idempotent: an unchanged schedule keeps its next run)."""
    for entry in BUILTIN_SCHEDULES:
        schedule(conn, entry.key, entry.cron, entry.kind, entry.payload, now=now, timezone=timezone)
