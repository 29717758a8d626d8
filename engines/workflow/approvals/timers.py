"""SLA timers of approval levels: remind the pending approvers after `remind_after`, then escalate after
`escalate_after` (their tasks pass to `escalate_to`). Each happens once per level, measured from when the
level opened, on the clock given (tests inject one; nothing here sleeps).

    due_approval_timers(ctx, now)     # what is due: [DueTimer(approval, level, "remind"|"escalate")]
    fire_due_timers(ctx, now)         # do it: timeline entries, reminders, escalation tasks
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from jimu.engines.forms import records
from jimu.platform.context import Context

from .. import transitions
from . import store, timeline
from .deadlines import next_timer, queue_timer
from .notices import REMINDER, TASK, notify
from .runtime import current_level
from .sources import resolve_all
from .tables import ESCALATED, ESCALATION, PENDING, approvals

REMIND, ESCALATE = "remind", "escalate"
BATCH = 500  # pending approvals looked at per sweep


@dataclass(frozen=True)
class DueTimer:
    approval_id: int
    level: int
    kind: str  # remind | escalate


def due_approval_timers(ctx: Context, now: datetime, *, approval_ids: Sequence[int] | None = None,
                        limit: int = BATCH) -> list[DueTimer]:
    """The reminders and escalations due at `now` among pending approvals (each level's once), oldest first:
    pending approvals whose `next_timer_at` has come (indexed), at most `limit` of them."""
    query = sa.select(approvals).where(store.A.status == PENDING, store.A.next_timer_at <= now) \
        .order_by(store.A.next_timer_at, store.A.id).limit(limit)
    if approval_ids is not None:
        query = query.where(store.A.id.in_(approval_ids))
    due: list[DueTimer] = []
    for row in ctx.conn.execute(query):
        level = current_level(ctx, row)
        started = row.level_started_at
        if level.escalate_after is not None and row.escalated_at is None and now >= started + level.escalate_after:
            due.append(DueTimer(int(row.id), level.index, ESCALATE))
        elif level.remind_after is not None and row.reminded_at is None and now >= started + level.remind_after:
            due.append(DueTimer(int(row.id), level.index, REMIND))
        else:  # the definition changed under it: nothing due now, look again when the next timer is
            store.mark(ctx.conn, int(row.id), next_timer_at=next_timer(
                level, started, reminded=row.reminded_at is not None, escalated=row.escalated_at is not None))
    return due


def fire_due_timers(ctx: Context, now: datetime, *, approval_ids: Sequence[int] | None = None) -> list[DueTimer]:
    """Remind and escalate what is due (each approval under its record's lock, re-checked there)."""
    fired: list[DueTimer] = []
    for timer in due_approval_timers(ctx, now, approval_ids=approval_ids):
        row = store.approval_row(ctx.conn, timer.approval_id)
        assert row is not None
        transitions.lock_record(ctx, ctx.catalog.require_entity(row.entity), row.record_id)
        if timer in due_approval_timers(ctx, now, approval_ids=[timer.approval_id]):
            (_escalate if timer.kind == ESCALATE else _remind)(ctx, timer, now)
            fired.append(timer)
    return fired


def _remind(ctx: Context, timer: DueTimer, now: datetime) -> None:
    row = store.approval_row(ctx.conn, timer.approval_id)
    assert row is not None
    waiting = store.pending_users(ctx.conn, timer.approval_id)
    level = current_level(ctx, row)
    following = next_timer(level, row.level_started_at, reminded=True)
    store.mark(ctx.conn, timer.approval_id, reminded_at=now, next_timer_at=following)
    queue_timer(ctx, timer.approval_id, level, following)
    timeline.note(ctx, row.entity, row.record_id, timer.approval_id, timeline.REMINDED, [], level=row.level_key,
                  users=waiting)
    notify(ctx, row, level, waiting, REMINDER, [])


def _escalate(ctx: Context, timer: DueTimer, now: datetime) -> None:
    """The level's pending tasks pass to the escalation's users (who are not approvers of the level yet);
    a pending approver who is also named keeps their task."""
    row = store.approval_row(ctx.conn, timer.approval_id)
    assert row is not None
    level = current_level(ctx, row)
    record = _record(ctx, row)
    targets = resolve_all(ctx, level.escalate_to, record, row.submitted_by)
    waiting = store.pending_users(ctx.conn, timer.approval_id)
    taken = store.live_users(ctx.conn, timer.approval_id, level.index)
    new = [u for u in targets if u not in taken]
    passed = [u for u in waiting if u not in targets] if new else []
    store.close_pending(ctx.conn, timer.approval_id, ESCALATED, now, level=level.index, users=passed)
    store.add_tasks(ctx.conn, timer.approval_id, level.index, level.key, new, origin=ESCALATION, now=now)
    store.mark(ctx.conn, timer.approval_id, escalated_at=now, reminded_at=row.reminded_at or now, next_timer_at=None)
    timeline.note(ctx, row.entity, row.record_id, timer.approval_id, timeline.ESCALATED, [], level=level.key,
                  users=passed, to=new)
    notify(ctx, row, level, new, TASK, [])


def _record(ctx: Context, row: Any) -> dict[str, Any]:
    return records.get(ctx, row.entity, row.record_id)
