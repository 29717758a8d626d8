"""Fixtures of the jobs tests: a migrated database, a clock the test moves, a table handlers write to."""
from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jimu.platform.bootstrap import init_database
from jimu.platform.jobs import JobHandlers, JobRun, Worker, WorkerOptions
from jimu.platform.kernel import Kernel

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)

# What the test handlers do: one row per effect (job id, attempt); a job's effect is its rows.
effects_metadata = sa.MetaData()
effects = sa.Table("test_job_effect", effects_metadata,
                   sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                   sa.Column("job_id", sa.Integer, nullable=False),
                   sa.Column("attempt", sa.Integer, nullable=False))


class Clock:
    """The time every component reads; tests move it instead of sleeping."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def kernel(engine: Engine, clock: Clock) -> Iterator[Kernel]:
    init_database(engine)
    effects_metadata.create_all(engine)
    yield Kernel(engine, clock=clock)


def record_effect(run: JobRun) -> dict[str, int]:
    """A transactional handler: one effect row, committed with the job's completion."""
    with run.unit_of_work() as ctx:
        ctx.conn.execute(sa.insert(effects).values(job_id=run.job.id, attempt=run.job.attempts))
    return {"attempt": run.job.attempts}


def failing(run: JobRun) -> None:
    with run.unit_of_work() as ctx:
        ctx.conn.execute(sa.insert(effects).values(job_id=run.job.id, attempt=run.job.attempts))
        raise RuntimeError(f"boom on attempt {run.job.attempts}")


def effect_handlers() -> JobHandlers:
    handlers = JobHandlers()
    handlers.register("test.effect", record_effect)
    handlers.register("test.fail", failing)
    return handlers


def make_worker(kernel: Kernel, clock: Clock, handlers: JobHandlers | None = None, **options: object) -> Worker:
    settings = WorkerOptions(builtin_schedules=False, name="test-worker", **options)  # type: ignore[arg-type]
    return Worker(kernel, handlers or effect_handlers(), settings, clock=clock, rng=random.Random(7))


def effect_rows(kernel: Kernel) -> list[tuple[int, int]]:
    with kernel.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(effects.c.job_id, effects.c.attempt).order_by(effects.c.id))]


def job_row(kernel: Kernel, job_id: int) -> sa.Row[Any]:
    from jimu.platform.jobs.tables import jobs

    with kernel.engine.connect() as conn:
        return conn.execute(sa.select(jobs).where(jobs.c.id == job_id)).one()
