"""Running jobs: completion with the handler's effects, backoff, dead letters, leases and their expiry."""
from __future__ import annotations

import random
from datetime import timedelta

import pytest
import sqlalchemy as sa

from jimu.platform.jobs import (
    DEAD,
    DONE,
    FAILED,
    QUEUED,
    RUNNING,
    Backoff,
    GiveUp,
    JobHandlers,
    JobRun,
    LeaseLost,
    claim,
    enqueue,
    retry,
)
from jimu.platform.jobs.claims import LEASE_EXPIRED
from jimu.platform.jobs.run import LOST, execute
from jimu.platform.kernel import Kernel

from .conftest import NOW, Clock, effect_handlers, effect_rows, effects, job_row, make_worker, record_effect

LEASE = timedelta(seconds=60)


def _enqueue(kernel: Kernel, kind: str = "test.effect", **options: object) -> int:
    with kernel.unit_of_work() as ctx:
        return enqueue(ctx.conn, kind, {}, now=ctx.now(), **options)  # type: ignore[arg-type]


def _claim(kernel: Kernel, clock: Clock, worker: str = "w1") -> list[object]:
    with kernel.engine.begin() as conn:
        return list(claim(conn, kinds=("test.effect", "test.fail"), now=clock(), lease=LEASE, worker=worker))


def test_a_job_runs_once_and_its_effect_commits_with_its_completion(kernel: Kernel, clock: Clock) -> None:
    job_id = _enqueue(kernel)
    attempts = make_worker(kernel, clock).run_once()
    assert [(a.job_id, a.outcome) for a in attempts] == [(job_id, DONE)]
    row = job_row(kernel, job_id)
    assert (row.state, row.attempts, row.result, row.due_at, row.lease_token, row.finished_at) == (
        DONE, 1, {"attempt": 1}, None, None, NOW)
    assert row.worker == "test-worker"
    assert effect_rows(kernel) == [(job_id, 1)]
    assert make_worker(kernel, clock).run_once() == []  # nothing left to do
    assert effect_rows(kernel) == [(job_id, 1)]


def test_a_job_waits_for_its_run_time(kernel: Kernel, clock: Clock) -> None:
    job_id = _enqueue(kernel, run_at=NOW + timedelta(minutes=10))
    worker = make_worker(kernel, clock)
    assert worker.run_once() == []
    clock.advance(600)
    assert [a.job_id for a in worker.run_once()] == [job_id]


def test_a_failing_job_backs_off_then_ends_dead_with_its_last_error(kernel: Kernel, clock: Clock) -> None:
    job_id = _enqueue(kernel, "test.fail", max_attempts=3)
    worker = make_worker(kernel, clock, backoff=Backoff(base=10, cap=15, jitter=0.5))
    waits = []
    for attempt in (1, 2):
        assert [a.outcome for a in worker.run_once()] == [FAILED]
        row = job_row(kernel, job_id)
        assert (row.state, row.attempts, row.last_error) == (FAILED, attempt, f"RuntimeError: boom on attempt {attempt}")
        waits.append((row.due_at - clock()).total_seconds())
        assert worker.run_once() == []  # still waiting
        clock.now = row.due_at
    assert 5 <= waits[0] <= 10 and 7.5 <= waits[1] <= 15  # 10 s then 20 s capped at 15, less up to half
    assert [a.outcome for a in worker.run_once()] == [DEAD]
    row = job_row(kernel, job_id)
    assert (row.state, row.attempts, row.due_at, row.finished_at) == (DEAD, 3, None, clock())
    assert effect_rows(kernel) == []  # every attempt's effects were rolled back with it
    assert worker.run_once() == []


def test_backoff_grows_exponentially_up_to_its_cap_with_jitter() -> None:
    backoff, rng = Backoff(base=10, cap=3600, jitter=0.5), random.Random(3)
    for attempts, full in [(1, 10), (2, 20), (3, 40), (8, 1280), (9, 2560), (10, 3600), (500, 3600)]:
        delays = {backoff.delay(attempts, rng).total_seconds() for _ in range(20)}
        assert all(full / 2 <= d <= full for d in delays), (attempts, delays)
        assert len(delays) > 1  # jittered: workers failing together do not retry together
    assert Backoff(jitter=0).delay(1, rng) == timedelta(seconds=10)


def test_a_crashed_workers_job_is_claimed_again_after_its_lease_and_completes_once(kernel: Kernel,
                                                                                   clock: Clock) -> None:
    job_id = _enqueue(kernel)
    crashed = _claim(kernel, clock, "crashed")  # claimed, then the worker died: nothing ran to its end
    assert len(crashed) == 1 and job_row(kernel, job_id).state == RUNNING
    worker = make_worker(kernel, clock)
    clock.advance(59)
    assert worker.run_once() == []  # the lease still holds
    clock.advance(1)
    assert [(a.job_id, a.outcome) for a in worker.run_once()] == [(job_id, DONE)]
    assert job_row(kernel, job_id).attempts == 2  # the crashed attempt counts
    assert effect_rows(kernel) == [(job_id, 2)]


def test_a_worker_whose_lease_was_taken_over_has_its_effects_rolled_back(kernel: Kernel, clock: Clock) -> None:
    job_id = _enqueue(kernel)
    (slow,) = _claim(kernel, clock, "slow")
    clock.advance(61)
    (fast,) = _claim(kernel, clock, "fast")
    first = execute(JobRun(fast, kernel, clock, LEASE), record_effect, backoff=Backoff(), rng=random.Random())
    late = execute(JobRun(slow, kernel, clock, LEASE), record_effect, backoff=Backoff(), rng=random.Random())
    assert (first.outcome, late.outcome) == (DONE, LOST)
    assert effect_rows(kernel) == [(job_id, 2)]  # once: the slow worker's row was rolled back
    assert job_row(kernel, job_id).result == {"attempt": 2}


def test_a_long_handler_extends_its_lease(kernel: Kernel, clock: Clock) -> None:
    def long_running(run: JobRun) -> None:
        clock.advance(50)
        run.extend_lease(120)
        clock.advance(100)  # past the first lease: still ours
        with run.unit_of_work() as ctx:
            ctx.conn.execute(sa.insert(effects).values(job_id=run.job.id, attempt=run.job.attempts))

    handlers = JobHandlers()
    handlers.register("test.effect", long_running)
    job_id = _enqueue(kernel)
    assert [a.outcome for a in make_worker(kernel, clock, handlers).run_once()] == [DONE]
    assert effect_rows(kernel) == [(job_id, 1)]


def test_an_expired_lease_cannot_be_extended(kernel: Kernel, clock: Clock) -> None:
    _enqueue(kernel)
    (first,) = _claim(kernel, clock, "first")
    clock.advance(61)
    _claim(kernel, clock, "second")
    with pytest.raises(LeaseLost):
        JobRun(first, kernel, clock, LEASE).extend_lease()


def test_a_crash_on_the_last_attempt_makes_the_job_dead(kernel: Kernel, clock: Clock) -> None:
    job_id = _enqueue(kernel, max_attempts=1)
    _claim(kernel, clock, "crashed")
    clock.advance(61)
    assert make_worker(kernel, clock).run_once() == []
    row = job_row(kernel, job_id)
    assert (row.state, row.attempts, row.last_error) == (DEAD, 1, LEASE_EXPIRED)


def test_a_worker_claims_only_the_kinds_it_knows(kernel: Kernel, clock: Clock) -> None:
    unknown = _enqueue(kernel, "other.kind")
    known = _enqueue(kernel)
    assert [a.job_id for a in make_worker(kernel, clock).run_once()] == [known]
    assert job_row(kernel, unknown).state == QUEUED  # waits for a worker that knows it


def test_a_handler_without_a_unit_of_work_is_marked_done_with_its_result(kernel: Kernel, clock: Clock) -> None:
    handlers = JobHandlers()
    handlers.register("test.effect", lambda run: {"sent_to": "https://example.test", "job": run.job.id})
    job_id = _enqueue(kernel)
    assert [a.outcome for a in make_worker(kernel, clock, handlers).run_once()] == [DONE]
    assert job_row(kernel, job_id).result == {"sent_to": "https://example.test", "job": job_id}


def test_a_handler_that_gives_up_ends_the_job_dead_at_once_and_rolls_its_effects_back(kernel: Kernel,
                                                                                      clock: Clock) -> None:
    def refused(run: JobRun) -> None:
        with run.unit_of_work() as ctx:
            ctx.conn.execute(sa.insert(effects).values(job_id=run.job.id, attempt=run.job.attempts))
            raise GiveUp("destination refused", result={"delivered": False})

    handlers = JobHandlers()
    handlers.register("test.effect", refused)
    job_id = _enqueue(kernel, max_attempts=5)
    worker = make_worker(kernel, clock, handlers)
    assert [a.outcome for a in worker.run_once()] == [DEAD]
    row = job_row(kernel, job_id)
    assert (row.state, row.attempts, row.last_error, row.result, row.due_at, row.finished_at) == (
        DEAD, 1, "destination refused", {"delivered": False}, None, NOW)
    assert effect_rows(kernel) == []
    clock.advance(3600)
    assert worker.run_once() == []  # never attempted again by itself
    with kernel.engine.begin() as conn:
        retry(conn, job_id, now=clock())
    assert job_row(kernel, job_id).state == QUEUED  # an admin can queue it again once the cause is fixed


def test_a_handler_returning_something_else_than_a_dict_fails_the_attempt(kernel: Kernel, clock: Clock) -> None:
    handlers = JobHandlers()
    handlers.register("test.effect", lambda run: [1, 2])  # type: ignore[arg-type,return-value]
    job_id = _enqueue(kernel)
    assert [a.outcome for a in make_worker(kernel, clock, handlers).run_once()] == [FAILED]
    assert "returns a dict or None" in job_row(kernel, job_id).last_error


def test_a_jobs_unit_of_work_is_one_writing_transaction(kernel: Kernel, clock: Clock) -> None:
    seen: list[str] = []

    def twice(run: JobRun) -> None:
        with pytest.raises(TypeError):
            with run.unit_of_work(read_only=True):
                pass
        with run.unit_of_work():
            pass
        try:
            with run.unit_of_work():
                pass
        except RuntimeError as error:
            seen.append(str(error))

    handlers = JobHandlers()
    handlers.register("test.effect", twice)
    _enqueue(kernel)
    assert [a.outcome for a in make_worker(kernel, clock, handlers).run_once()] == [DONE]
    assert seen == ["A job run has one unit of work."]


def test_handlers_are_registered_once_per_kind() -> None:
    handlers = effect_handlers()
    with pytest.raises(ValueError, match="test.effect"):
        handlers.register("test.effect", record_effect)
    assert handlers.kinds() == ("test.effect", "test.fail") and "test.fail" in handlers


def test_a_batch_leaves_alone_the_jobs_whose_lease_ran_out_while_it_ran(kernel: Kernel, clock: Clock) -> None:
    def slow(run: JobRun) -> None:
        clock.advance(40)
        record_effect(run)

    handlers = JobHandlers()
    handlers.register("test.effect", slow)
    ids = [_enqueue(kernel) for _ in range(3)]
    worker = make_worker(kernel, clock, handlers, batch=3)
    first = worker.step()
    assert [(a.job_id, a.outcome) for a in first] == [(ids[0], DONE), (ids[1], DONE)]  # the third's lease is over
    assert job_row(kernel, ids[2]).state == RUNNING
    assert [(a.job_id, a.outcome) for a in worker.step()] == [(ids[2], DONE)]  # claimable again at once
    assert effect_rows(kernel) == [(ids[0], 1), (ids[1], 1), (ids[2], 2)]
