"""Cron schedules: written in local time, stored in UTC, each due occurrence enqueued once."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from jimu.platform.jobs import (
    BUILTIN_SCHEDULES,
    DONE,
    Cron,
    ScheduleInvalid,
    builtin_handlers,
    enqueue,
    enqueue_due,
    install_builtin_schedules,
    schedule,
    unschedule,
)
from jimu.platform.jobs.tables import jobs, schedules
from jimu.platform.kernel import Kernel
from jimu.platform.security import create_user
from jimu.platform.security.tables import login_attempts, sessions

from .conftest import NOW, Clock, effect_handlers, job_row, make_worker


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_a_cron_in_the_companys_timezone_is_computed_in_utc() -> None:
    weekdays_at_nine = Cron.parse("0 9 * * 1-5", "Asia/Shanghai")
    # NOW is Monday 2026-03-02 09:00 in Shanghai (01:00 UTC): the next one is Tuesday's.
    assert weekdays_at_nine.after(NOW) == _utc(2026, 3, 3, 1, 0)
    assert weekdays_at_nine.latest(NOW) == NOW  # an occurrence exactly now is due now
    assert weekdays_at_nine.after(_utc(2026, 3, 6, 2, 0)) == _utc(2026, 3, 9, 1, 0)  # Friday → Monday
    # New York moves to summer time on 2026-03-08: 02:30 does not exist that day, then it is UTC-4.
    half_past_two = Cron.parse("30  2 * * *", "America/New_York")
    assert half_past_two.expression == "30 2 * * *"
    assert half_past_two.after(_utc(2026, 3, 7, 8, 0)) == _utc(2026, 3, 8, 7, 0)
    assert half_past_two.after(_utc(2026, 3, 8, 8, 0)) == _utc(2026, 3, 9, 6, 30)
    assert Cron.parse("@hourly", "UTC").after(NOW) == NOW + timedelta(hours=1)


@pytest.mark.parametrize(("cron", "timezone", "code"), [
    ("61 * * * *", "UTC", "jobs.cron_invalid"),
    ("* * * *", "UTC", "jobs.cron_invalid"),
    ("0 0 * * * 5", "UTC", "jobs.cron_invalid"),  # seconds fields are not ours
    ("every day", "UTC", "jobs.cron_invalid"),
    ("0 9 * * *", "Mars/Olympus", "jobs.timezone_invalid"),
    ("0 9 * * *", "../etc/passwd", "jobs.timezone_invalid"),
])
def test_a_bad_cron_or_timezone_is_refused_with_its_field(cron: str, timezone: str, code: str) -> None:
    with pytest.raises(ScheduleInvalid) as refused:
        Cron.parse(cron, timezone)
    assert refused.value.code == code
    assert [d.path for d in refused.value.details] == [code.split(".")[1].removesuffix("_invalid")]


def _scheduled_jobs(kernel: Kernel) -> list[tuple[str, datetime]]:
    with kernel.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(jobs.c.idempotency_key, jobs.c.run_at).order_by(jobs.c.id))]


def test_each_occurrence_is_enqueued_once(kernel: Kernel, clock: Clock) -> None:
    with kernel.engine.begin() as conn:
        first = schedule(conn, "sales.digest", "0 9 * * *", "test.effect", {"report": "daily"}, now=NOW,
                         timezone="Asia/Shanghai")
    assert first == _utc(2026, 3, 3, 1, 0)
    worker = make_worker(kernel, clock)
    assert worker.run_once() == []  # not due yet
    clock.now = first
    assert [a.outcome for a in worker.run_once()] == [DONE]
    assert worker.run_once() == []  # the same occurrence is not enqueued twice
    clock.advance(86400)
    worker.run_once()
    assert _scheduled_jobs(kernel) == [("schedule:sales.digest:2026-03-03T01:00:00Z", first),
                                       ("schedule:sales.digest:2026-03-04T01:00:00Z", first + timedelta(days=1))]


def test_two_ticks_of_the_same_occurrence_make_one_job(kernel: Kernel, clock: Clock) -> None:
    with kernel.engine.begin() as conn:
        occurrence = schedule(conn, "k", "*/15 * * * *", "test.effect", {}, now=NOW)
    clock.now = occurrence
    with kernel.engine.begin() as conn:
        first = enqueue_due(conn, now=clock())
        # a second worker that read the schedule before the first moved it on:
        conn.execute(sa.update(schedules).values(next_run_at=occurrence))
        second = enqueue_due(conn, now=clock())
    assert first == second and len(first) == 1


def test_missed_occurrences_are_coalesced_into_the_latest(kernel: Kernel, clock: Clock) -> None:
    with kernel.engine.begin() as conn:
        schedule(conn, "hourly", "0 * * * *", "test.effect", {}, now=NOW)
    clock.advance(5 * 3600 + 600)  # no worker ran for five hours
    make_worker(kernel, clock).run_once()
    assert _scheduled_jobs(kernel) == [("schedule:hourly:2026-03-02T06:00:00Z", _utc(2026, 3, 2, 6, 0))]
    with kernel.engine.connect() as conn:
        assert conn.execute(sa.select(schedules.c.next_run_at)).scalar_one() == _utc(2026, 3, 2, 7, 0)


def test_changing_a_schedule(kernel: Kernel) -> None:
    with kernel.engine.begin() as conn:
        first = schedule(conn, "k", "0 * * * *", "test.effect", {"v": 1}, now=NOW)
        kept = schedule(conn, "k", "0 * * * *", "test.fail", {"v": 2}, now=NOW + timedelta(minutes=90))
        moved = schedule(conn, "k", "30 * * * *", "test.fail", {"v": 2}, now=NOW)
        row = conn.execute(sa.select(schedules)).one()
        assert unschedule(conn, "k") and not unschedule(conn, "k")
    assert kept == first == NOW + timedelta(hours=1)  # only the work changed: the occurrence stays
    assert moved == NOW + timedelta(minutes=30)
    assert (row.kind, row.payload, row.cron) == ("test.fail", {"v": 2}, "30 * * * *")


def test_the_platform_prunes_sessions_login_attempts_and_old_jobs_on_its_own_schedules(kernel: Kernel,
                                                                                       clock: Clock) -> None:
    handlers = builtin_handlers()
    for kind in effect_handlers().kinds():
        handlers.register(kind, effect_handlers().get(kind))  # type: ignore[arg-type]
    with kernel.engine.begin() as conn:
        install_builtin_schedules(conn, now=NOW, timezone="Asia/Shanghai")
        install_builtin_schedules(conn, now=NOW + timedelta(minutes=5), timezone="Asia/Shanghai")  # idempotent
        assert conn.execute(sa.select(sa.func.count()).select_from(schedules)).scalar_one() == len(BUILTIN_SCHEDULES)
        user = create_user(conn, "pruned", now=NOW)
        for name, expires in (("old", NOW - timedelta(days=2)), ("live", NOW + timedelta(days=2))):
            conn.execute(sa.insert(sessions).values(id=name, user_id=user, kind="api", created_at=NOW,
                                                    last_seen_at=NOW, expires_at=expires))
        for days in (30, 1):
            conn.execute(sa.insert(login_attempts).values(username="pruned", at=NOW - timedelta(days=days),
                                                          success=False))
        old_job = enqueue(conn, "test.effect", {}, now=NOW - timedelta(days=40))
    worker = make_worker(kernel, clock, handlers)
    clock.now = NOW - timedelta(days=40)
    worker.run_once()  # the old job, done 40 days ago
    clock.now = NOW + timedelta(days=1)  # every schedule came due (hourly and daily ones)
    outcomes = {job_row(kernel, a.job_id).kind: (a.outcome, job_row(kernel, a.job_id).result)
                for a in worker.run_once()}
    assert outcomes == {"platform.prune_sessions": (DONE, {"deleted": 1}),
                        "platform.prune_attempts": (DONE, {"deleted": 1}),
                        "platform.prune_jobs": (DONE, {"deleted": 1})}
    with kernel.engine.connect() as conn:
        assert list(conn.execute(sa.select(sessions.c.id)).scalars()) == ["live"]
        assert conn.execute(sa.select(jobs.c.id).where(jobs.c.id == old_job)).first() is None
