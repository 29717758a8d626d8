"""Recurring jobs: cron schedules in the company's local time, each due occurrence enqueued once.

A schedule is written in its timezone's wall clock (`0 9 * * 1-5` at 09:00 in Asia/Shanghai) and its
next occurrence is stored in UTC. A worker's tick enqueues each schedule that is due with the
idempotency key `schedule:<key>:<occurrence in UTC>`, so two workers ticking at once (or a tick
repeated after a crash) enqueue that occurrence once. Occurrences missed while no worker ran are
coalesced: the latest one is enqueued, then the schedule moves past now.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from croniter import croniter

from jimu.platform.errors import ErrorDetail
from jimu.platform.jobs.errors import ScheduleInvalid
from jimu.platform.jobs.queue import enqueue
from jimu.platform.jobs.tables import schedules

MAX_SCHEDULE_KEY = 150


@dataclass(frozen=True)
class Cron:
    """A checked cron expression (five fields, or @hourly/@daily/...) in a timezone."""

    expression: str
    timezone: str

    @classmethod
    def parse(cls, expression: str, timezone: str) -> Cron:
        text = " ".join(expression.split())
        if not (text.startswith("@") or len(text.split()) == 5) or not croniter.is_valid(text):
            raise ScheduleInvalid("Invalid cron expression.", code="jobs.cron_invalid", cron=expression,
                                  details=[ErrorDetail("cron", "jobs.cron_invalid", {"cron": expression})])
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ScheduleInvalid("Unknown timezone.", code="jobs.timezone_invalid", timezone=timezone,
                                  details=[ErrorDetail("timezone", "jobs.timezone_invalid",
                                                       {"timezone": timezone})]) from None
        return cls(text, timezone)

    def after(self, moment: datetime) -> datetime:
        """The first occurrence strictly after `moment`, in UTC."""
        local = moment.astimezone(ZoneInfo(self.timezone))
        found: datetime = croniter(self.expression, local).get_next(datetime)
        return found.astimezone(UTC)

    def latest(self, moment: datetime) -> datetime:
        """The last occurrence at or before `moment`, in UTC."""
        zone = ZoneInfo(self.timezone)
        found: datetime = croniter(self.expression, (moment + timedelta(seconds=1)).astimezone(zone)).get_prev(datetime)
        if found > moment:
            found = croniter(self.expression, found).get_prev(datetime)
        return found.astimezone(UTC)


def schedule(conn: sa.Connection, key: str, cron: str, kind: str, payload: dict[str, Any], *, now: datetime,
             timezone: str = "UTC", max_attempts: int = 8) -> datetime:
    """Create or change the schedule `key` (in the caller's transaction); returns its next occurrence.

    Changing only the kind, payload or attempts keeps the next occurrence; a new cron or timezone
    starts again from now. ScheduleInvalid for a bad cron expression or timezone.
    """
    if not 0 < len(key) <= MAX_SCHEDULE_KEY:
        raise ValueError(f"A schedule key is 1 to {MAX_SCHEDULE_KEY} characters.")
    checked = Cron.parse(cron, timezone)
    row = conn.execute(sa.select(schedules.c.cron, schedules.c.timezone, schedules.c.next_run_at)
                       .where(schedules.c.key == key)).first()
    values = {"kind": kind, "payload": payload, "max_attempts": max_attempts, "updated_at": now}
    if row is not None and (row.cron, row.timezone) == (checked.expression, checked.timezone):
        conn.execute(sa.update(schedules).where(schedules.c.key == key).values(**values))
        return row.next_run_at  # type: ignore[no-any-return]
    next_run = checked.after(now)
    timing = {"cron": checked.expression, "timezone": checked.timezone, "next_run_at": next_run}
    if row is None:
        conn.execute(sa.insert(schedules).values(key=key, created_at=now, **timing, **values))
    else:
        conn.execute(sa.update(schedules).where(schedules.c.key == key).values(**timing, **values))
    return next_run


def unschedule(conn: sa.Connection, key: str) -> bool:
    """Remove a schedule (jobs it enqueued already stay); whether there was one."""
    return bool(conn.execute(sa.delete(schedules).where(schedules.c.key == key)).rowcount)


def occurrence_key(key: str, occurrence: datetime) -> str:
    return f"schedule:{key}:{occurrence.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}"


def enqueue_due(conn: sa.Connection, *, now: datetime, limit: int = 100) -> list[int]:
    """Enqueue the due occurrence of every due schedule (in the caller's transaction); the job ids."""
    query = (sa.select(schedules).where(schedules.c.next_run_at <= now).order_by(schedules.c.next_run_at)
             .limit(limit))
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    enqueued = []
    for row in conn.execute(query).all():
        cron = Cron(row.cron, row.timezone)
        occurrence = max(cron.latest(now), row.next_run_at)
        enqueued.append(enqueue(conn, row.kind, dict(row.payload), now=now, run_at=occurrence,
                                idempotency_key=occurrence_key(row.key, occurrence), max_attempts=row.max_attempts))
        conn.execute(sa.update(schedules).where(schedules.c.key == row.key).values(
            next_run_at=cron.after(now), last_run_at=occurrence, updated_at=now))
    return enqueued
