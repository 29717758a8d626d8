"""The job of an approval's SLA timer (kind `workflow.approval_timer`, queued when a level opens and after
a reminder): at its moment it fires what is due for that approval, in the job's own transaction (so the
reminder, the escalation and the job's completion commit together, once), and queues the next timer if
the level still has one (a definition changed under it may have moved it)."""
from __future__ import annotations

from typing import Any

from jimu.platform.jobs import JobHandlers, JobRun

from . import store
from .deadlines import TIMER_JOB, queue_timer
from .runtime import current_level
from .tables import PENDING
from .timers import fire_due_timers


def fire_approval_timer(run: JobRun) -> dict[str, Any]:
    approval_id = int(run.job.payload["approval"])
    with run.unit_of_work() as ctx:
        now = run.now()
        fired = fire_due_timers(ctx, now, approval_ids=[approval_id])
        row = store.approval_row(ctx.conn, approval_id)
        if row is not None and row.status == PENDING and row.next_timer_at is not None and row.next_timer_at > now:
            queue_timer(ctx, approval_id, current_level(ctx, row), row.next_timer_at)
    return {"approval": approval_id, "fired": [t.kind for t in fired]}


def register_approval_jobs(handlers: JobHandlers) -> JobHandlers:
    """Teach a worker the approval timer's job kind."""
    handlers.register(TIMER_JOB, fire_approval_timer)
    return handlers
