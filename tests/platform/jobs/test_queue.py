"""Enqueueing in the caller's transaction, idempotency keys, and retrying by hand."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from jimu.platform.jobs import DEAD, FAILED, QUEUED, JobNotFound, JobNotRetryable, enqueue, retry
from jimu.platform.jobs.tables import jobs
from jimu.platform.kernel import Kernel

from .conftest import NOW, Clock, job_row, make_worker


def _count(kernel: Kernel) -> int:
    with kernel.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(jobs)).scalar_one())


def test_a_job_enqueued_in_a_rolled_back_transaction_leaves_nothing(kernel: Kernel) -> None:
    with pytest.raises(RuntimeError), kernel.unit_of_work() as ctx:
        enqueue(ctx.conn, "test.effect", {"n": 1}, now=NOW)
        enqueue(ctx.conn, "test.effect", {"n": 2}, now=NOW, idempotency_key="k-1")
        raise RuntimeError("the change that caused them failed")
    assert _count(kernel) == 0
    with kernel.unit_of_work() as ctx:  # the key is free again: its job never existed
        enqueue(ctx.conn, "test.effect", {"n": 2}, now=NOW, idempotency_key="k-1")
    assert _count(kernel) == 1


def test_a_committed_job_is_queued_at_its_run_time(kernel: Kernel) -> None:
    later = NOW + timedelta(hours=2)
    with kernel.unit_of_work() as ctx:
        job_id = enqueue(ctx.conn, "test.effect", {"amount": "12.50", "名": "客户"}, now=NOW, run_at=later,
                         max_attempts=3)
    row = job_row(kernel, job_id)
    assert (row.state, row.kind, row.payload, row.attempts, row.max_attempts) == (
        QUEUED, "test.effect", {"amount": "12.50", "名": "客户"}, 0, 3)
    assert row.run_at == later and row.due_at == later and row.created_at == NOW


def test_an_idempotency_key_already_present_gives_the_existing_job(kernel: Kernel, clock: Clock) -> None:
    with kernel.unit_of_work() as ctx:
        first = enqueue(ctx.conn, "test.effect", {"n": 1}, now=NOW, idempotency_key="invoice:7:sent")
        again = enqueue(ctx.conn, "test.effect", {"n": 2}, now=NOW, idempotency_key="invoice:7:sent")
    assert again == first
    make_worker(kernel, clock).run_once()
    with kernel.unit_of_work() as ctx:  # done jobs keep their key: the effect is not done twice
        assert enqueue(ctx.conn, "test.effect", {"n": 3}, now=NOW, idempotency_key="invoice:7:sent") == first
    assert _count(kernel) == 1
    assert job_row(kernel, first).payload == {"n": 1}


@pytest.mark.parametrize(("kind", "payload", "key", "attempts", "error"), [
    ("", {}, None, 8, ValueError),
    ("x" * 101, {}, None, 8, ValueError),
    ("test.effect", [1], None, 8, TypeError),
    ("test.effect", {"when": object()}, None, 8, TypeError),
    ("test.effect", {"n": float("nan")}, None, 8, ValueError),
    ("test.effect", {}, "", 8, ValueError),
    ("test.effect", {}, "k" * 201, 8, ValueError),
    ("test.effect", {}, None, 0, ValueError),
])
def test_a_malformed_job_is_refused_before_anything_is_written(kernel: Kernel, kind: str, payload: object,
                                                              key: str | None, attempts: int,
                                                              error: type[Exception]) -> None:
    with pytest.raises(error), kernel.unit_of_work() as ctx:
        enqueue(ctx.conn, kind, payload, now=NOW, idempotency_key=key, max_attempts=attempts)  # type: ignore[arg-type]
    assert _count(kernel) == 0


def test_retry_queues_a_failed_or_dead_job_again_and_refuses_the_others(kernel: Kernel, clock: Clock) -> None:
    with kernel.unit_of_work() as ctx:
        dead = enqueue(ctx.conn, "test.fail", {}, now=NOW, max_attempts=1)
        failed = enqueue(ctx.conn, "test.fail", {}, now=NOW, max_attempts=5)
        queued = enqueue(ctx.conn, "test.effect", {}, now=NOW + timedelta(days=1))
    make_worker(kernel, clock).run_once()
    assert (job_row(kernel, dead).state, job_row(kernel, failed).state) == (DEAD, FAILED)
    clock.advance(5)
    with kernel.engine.begin() as conn:
        retry(conn, dead, now=clock())
        retry(conn, failed, now=clock())
    for job_id in (dead, failed):
        row = job_row(kernel, job_id)
        assert (row.state, row.attempts, row.due_at, row.finished_at) == (QUEUED, 0, clock(), None)
        assert row.last_error.startswith("RuntimeError: boom on attempt 1")  # kept for the record
    with pytest.raises(JobNotRetryable) as refused, kernel.engine.begin() as conn:
        retry(conn, queued, now=clock())
    assert refused.value.params == {"id": queued, "state": QUEUED}
    with pytest.raises(JobNotFound), kernel.engine.begin() as conn:
        retry(conn, 999_999, now=clock())
