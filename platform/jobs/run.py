"""Running one claimed job: what its handler gets (`JobRun`) and how the attempt ends.

A handler that changes the database does it in `run.unit_of_work()`: that transaction also marks the
job done, so its effects and the job's completion commit together, once. A handler whose effect is
outside the database (a webhook) runs without it and the job is marked done afterwards: such an effect
happens at least once (pass the job's `idempotency_key` or id on to the receiver).
"""
from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from jimu.platform.context import Context
from jimu.platform.jobs import claims
from jimu.platform.jobs.backoff import Backoff
from jimu.platform.jobs.claims import Claim
from jimu.platform.jobs.errors import GiveUp, LeaseLost
from jimu.platform.jobs.handlers import JobHandler
from jimu.platform.jobs.queue import Job
from jimu.platform.jobs.tables import DONE

if TYPE_CHECKING:
    from jimu.platform.kernel import Kernel

log = logging.getLogger("jimu.jobs")
LOST = "lost"  # outcome of an attempt whose claim ended before it did


class JobRun:
    """What a handler gets: the job, the kernel, the worker's clock, its transaction and its lease."""

    def __init__(self, claim: Claim, kernel: Kernel, clock: Callable[[], datetime], lease: timedelta) -> None:
        self.job: Job = claim.job
        self.kernel = kernel
        self.claim = claim
        self.completed = False  # the job's unit of work committed (the job is done)
        self._clock = clock
        self._lease = lease
        self._used = False

    def now(self) -> datetime:
        return self._clock()

    @contextmanager
    def unit_of_work(self, **kw: Any) -> Iterator[Context]:
        """`kernel.unit_of_work(**kw)` whose transaction also marks this job done (once per run)."""
        if kw.get("read_only"):
            raise TypeError("A job's unit of work writes (it marks the job done); it cannot be read-only.")
        if self._used:
            raise RuntimeError("A job run has one unit of work.")
        self._used = True
        with self.kernel.unit_of_work(**kw) as ctx:
            yield ctx
            claims.finish(ctx.conn, self.claim, now=self.now())
        self.completed = True

    def extend_lease(self, seconds: float | None = None) -> datetime:
        """Keep the claim `seconds` (default: the worker's lease) from now; call it OUTSIDE `unit_of_work`
        (on SQLite a second writer would wait for the handler's own transaction). LeaseLost when lost."""
        lease = self._lease if seconds is None else timedelta(seconds=seconds)
        with self.kernel.engine.begin() as conn:
            return claims.extend(conn, self.claim, now=self.now(), lease=lease)


@dataclass(frozen=True)
class Attempt:
    """How one attempt ended: done, failed (will retry), dead (its last attempt failed, or its handler gave
    up), or lost (another worker has the job now)."""

    job_id: int
    outcome: str
    error: str | None = None


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}".strip()


def execute(run: JobRun, handler: JobHandler, *, backoff: Backoff, rng: random.Random) -> Attempt:
    """Run the handler and end the attempt: done with its result, or failed/dead with its error."""
    job = run.job
    try:
        result = claims.json_result(handler(run))
    except LeaseLost:
        log.warning("job %s (%s): lease lost, its effects rolled back", job.id, job.kind)
        return Attempt(job.id, LOST)
    except GiveUp as given_up:
        if run.completed:
            log.error("job %s (%s) gave up after its unit of work committed: %s", job.id, job.kind, given_up)
            return Attempt(job.id, DONE, given_up.reason)
        return _failed(run, given_up.reason, backoff, rng, final=True, result=claims.json_result(given_up.result))
    except Exception as error:  # noqa: BLE001 -- a handler's failure is the job's, recorded and retried
        if run.completed:
            log.exception("job %s (%s) failed after its unit of work committed", job.id, job.kind)
            return Attempt(job.id, DONE, describe(error))
        return _failed(run, describe(error), backoff, rng)
    if run.completed and result is None:
        return Attempt(job.id, DONE)
    try:
        with run.kernel.engine.begin() as conn:
            if not run.completed:
                claims.finish(conn, run.claim, now=run.now(), result=result)
            elif result is not None:
                claims.store_result(conn, job.id, result)
    except LeaseLost:
        log.warning("job %s (%s): lease lost before it was marked done", job.id, job.kind)
        return Attempt(job.id, LOST)
    return Attempt(job.id, DONE)


def _failed(run: JobRun, error: str, backoff: Backoff, rng: random.Random, *, final: bool = False,
            result: dict[str, Any] | None = None) -> Attempt:
    job = run.job
    try:
        with run.kernel.engine.begin() as conn:
            state = claims.fail(conn, run.claim, now=run.now(), error=error, backoff=backoff, rng=rng, final=final,
                                result=result)
    except LeaseLost:
        return Attempt(job.id, LOST, error)
    log.warning("job %s (%s) attempt %s failed (%s): %s", job.id, job.kind, job.attempts, state, error)
    return Attempt(job.id, state, error)
