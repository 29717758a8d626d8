"""The worker: claims due jobs of the kinds it knows and runs them, in N threads, until stopped.

`jimu worker` runs one in the foreground (several processes may run at once); `jimu serve` runs one
in a background thread of each web process when the database is SQLite (the embedded default).
Every `poll` seconds without work a thread looks again; the first thread also enqueues the due
occurrences of the cron schedules. A database error is logged and the thread carries on after `poll`.
"""
from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from jimu.platform.jobs import claims
from jimu.platform.jobs.backoff import Backoff
from jimu.platform.jobs.builtin import install_builtin_schedules
from jimu.platform.jobs.handlers import JobHandlers
from jimu.platform.jobs.run import Attempt, JobRun, execute
from jimu.platform.jobs.schedules import enqueue_due, schedule
from jimu.platform.kernel import Kernel

log = logging.getLogger("jimu.jobs")


def default_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class WorkerOptions:
    concurrency: int = 1  # threads claiming and running jobs
    poll: float = 1.0  # seconds between looks when there was nothing to do
    lease: float = 60.0  # seconds a claim holds before another worker may take the job again
    batch: int = 1  # jobs claimed at once by a thread (fewer claim transactions; later ones wait their turn)
    name: str = field(default_factory=default_name)
    backoff: Backoff = Backoff()
    builtin_schedules: bool = True  # install the platform's schedules at start


class Worker:
    """Runs the jobs `handlers` know; `clock` and `rng` are injectable (tests pass their own)."""

    def __init__(self, kernel: Kernel, handlers: JobHandlers, options: WorkerOptions | None = None, *,
                 clock: Callable[[], datetime] | None = None, rng: random.Random | None = None) -> None:
        self.kernel = kernel
        self.handlers = handlers
        self.options = options or WorkerOptions()
        self.clock = clock or kernel.clock
        self.rng = rng or random.Random()
        self._started = False

    def prepare(self) -> None:
        """Install the built-in schedules once (idempotent)."""
        if self._started:
            return
        self._started = True
        if self.options.builtin_schedules:
            with self.kernel.engine.begin() as conn:
                install_builtin_schedules(conn, now=self.clock(), timezone=self.kernel.settings.timezone)
                for key, cron, kind, payload in self.handlers.schedules:
                    schedule(conn, key, cron, kind, payload, now=self.clock())

    def tick_schedules(self) -> list[int]:
        """Enqueue every due schedule occurrence and bury the jobs whose last attempt's lease expired
        (one short transaction); the ids of the jobs enqueued."""
        with self.kernel.engine.begin() as conn:
            claims.bury_expired(conn, now=self.clock())
            return enqueue_due(conn, now=self.clock())

    def step(self) -> list[Attempt]:
        """Claim up to `batch` due jobs and run them one after the other; [] when none is due.

        A claimed job whose lease ran out while the ones before it ran is left alone (another worker
        may have it by now; otherwise it is claimable again)."""
        lease = timedelta(seconds=self.options.lease)
        with self.kernel.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # The claim need not wait for its WAL flush: lost in a server crash, the job is simply not
                # claimed; the handler's (synchronous) commit flushes it first, so no completion outlives it.
                conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
            claimed = claims.claim(conn, kinds=self.handlers.kinds(), now=self.clock(), lease=lease,
                                   worker=self.options.name, limit=self.options.batch)
        attempts = []
        for claim in claimed:
            if claim.lease_until <= self.clock():
                continue
            handler = self.handlers.get(claim.job.kind)
            assert handler is not None  # only known kinds are claimed
            run = JobRun(claim, self.kernel, self.clock, lease)
            attempts.append(execute(run, handler, backoff=self.options.backoff, rng=self.rng))
        return attempts

    def run_once(self) -> list[Attempt]:
        """Tick the schedules, then run due jobs until none is left (`jimu worker --once`, tests)."""
        self.prepare()
        self.tick_schedules()
        attempts = []
        while batch := self.step():
            attempts.extend(batch)
        return attempts

    def run(self, stop: threading.Event) -> None:
        """Run until `stop` is set; a job in progress is finished first."""
        try:
            self.prepare()
        except Exception:  # noqa: BLE001 -- the schedules are installed at the next start
            log.exception("job worker %s: could not install the built-in schedules", self.options.name)
        threads = [threading.Thread(target=self._loop, args=(stop, i == 0), name=f"jimu-job-{i}", daemon=True)
                   for i in range(self.options.concurrency)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def _loop(self, stop: threading.Event, ticks: bool) -> None:
        next_tick = 0.0
        while not stop.is_set():
            try:
                if ticks and time.monotonic() >= next_tick:  # schedules: once per poll interval
                    next_tick = time.monotonic() + self.options.poll
                    self.tick_schedules()
                busy = bool(self.step())
            except Exception:  # noqa: BLE001 -- the database went away, say: log and look again later
                log.exception("job worker %s: could not claim or finish a job", self.options.name)
                busy = False
            if not busy:
                stop.wait(self.options.poll)


class BackgroundWorker:
    """A worker in a daemon thread of this process (`jimu serve`'s embedded runner)."""

    def __init__(self, worker: Worker) -> None:
        self.worker = worker
        self._stop = threading.Event()
        self._thread = threading.Thread(target=worker.run, args=(self._stop,), name="jimu-jobs", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float | None = 30.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
