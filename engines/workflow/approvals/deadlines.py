"""When a level's next SLA timer is due (its reminder, then its escalation, counted from when it opened), and
the durable job (platform/jobs) that fires it then."""
from __future__ import annotations

from datetime import datetime

from jimu.platform.context import Context
from jimu.platform.jobs import enqueue

from .model import LevelDef


def next_timer(level: LevelDef, started: datetime, *, reminded: bool, escalated: bool = False) -> datetime | None:
    """The moment of the level's next timer not yet fired (None: nothing more to do)."""
    if escalated:
        return None
    if not reminded and level.remind_after is not None:
        return started + level.remind_after
    return started + level.escalate_after if level.escalate_after is not None else None


TIMER_JOB = "workflow.approval_timer"  # the job kind that fires an approval's due timers


def queue_timer(ctx: Context, approval_id: int, level: LevelDef, at: datetime | None) -> None:
    """A durable job (platform/jobs) at the level's next timer, in the caller's transaction: a dry run or a
    rollback takes it back; its idempotency key makes it once per approval, level and moment."""
    if at is None:
        return
    enqueue(ctx.conn, TIMER_JOB, {"approval": approval_id}, now=ctx.now(), run_at=at,
            idempotency_key=f"approval-timer:{approval_id}:{level.index}:{at.isoformat()}")
