"""Many workers at once: each job is claimed by one of them and its effect happens once."""
from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from jimu.platform.database import create_engine
from jimu.platform.jobs import DONE, JobRun, claim, enqueue
from jimu.platform.jobs.tables import jobs
from jimu.platform.kernel import Kernel

from .conftest import NOW, Clock, effect_handlers, effect_rows, effects, make_worker

JOBS = 120
THREADS = 6


def test_many_threads_run_every_job_exactly_once(kernel: Kernel, clock: Clock, database_url: str) -> None:
    with kernel.engine.begin() as conn:
        ids = [enqueue(conn, "test.effect", {"n": n}, now=NOW) for n in range(JOBS)]
    ran_by: Counter[str] = Counter()
    lock = threading.Lock()

    def counted(run: JobRun) -> None:
        with run.unit_of_work() as ctx:
            ctx.conn.execute(sa.insert(effects).values(job_id=run.job.id, attempt=run.job.attempts))
        with lock:
            ran_by[threading.current_thread().name] += 1

    handlers = effect_handlers()
    handlers._handlers["test.effect"] = counted  # the counting variant of the effect
    # Each thread a worker of its own with its own engine, as separate processes would be.
    kernels = [Kernel(create_engine(database_url), clock=clock) for _ in range(THREADS)]
    threads = [threading.Thread(target=lambda k=k: make_worker(k, clock, handlers).run_once(), name=f"w{i}")
               for i, k in enumerate(kernels)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    finally:
        for k in kernels:
            k.engine.dispose()
    assert sorted(job_id for job_id, _ in effect_rows(kernel)) == ids  # each once
    assert sum(ran_by.values()) == JOBS
    with kernel.engine.connect() as conn:
        assert {tuple(r) for r in conn.execute(sa.select(jobs.c.state, jobs.c.attempts))} == {(DONE, 1)}
    if kernel.engine.dialect.name == "postgresql":
        assert len(ran_by) > 1  # the work was shared


def test_postgresql_claims_skip_the_rows_another_claim_holds(kernel: Kernel) -> None:
    if kernel.engine.dialect.name != "postgresql":
        pytest.skip("SKIP LOCKED is PostgreSQL's; SQLite serialises claimers with BEGIN IMMEDIATE")
    with kernel.engine.begin() as conn:
        for n in range(6):
            enqueue(conn, "test.effect", {"n": n}, now=NOW)
    lease = timedelta(seconds=60)
    with kernel.engine.connect() as first, kernel.engine.connect() as second:
        with first.begin():
            mine = claim(first, kinds=("test.effect",), now=NOW, lease=lease, worker="a", limit=4)
            with second.begin():  # while the first claim is not committed: no wait, other rows
                second.execute(sa.text("SET LOCAL lock_timeout = '2s'"))  # a wait would fail, not hang
                theirs = claim(second, kinds=("test.effect",), now=NOW, lease=lease, worker="b", limit=4)
    assert len(mine) == 4 and len(theirs) == 2
    assert not {c.job.id for c in mine} & {c.job.id for c in theirs}
