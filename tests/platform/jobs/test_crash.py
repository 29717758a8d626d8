"""A worker killed with SIGKILL in the middle of a job: the job completes exactly once after its lease expires.

Real processes on a file SQLite database (or PostgreSQL with JIMU_TEST_DATABASE_URL): the first worker's
handler writes its effect and blocks inside its transaction; it is killed; a second worker finds the job
still leased, and after the lease (its clock set ahead instead of sleeping) runs it to the end.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from jimu.platform.context import utcnow
from jimu.platform.jobs import DONE, RUNNING, enqueue
from jimu.platform.kernel import Kernel

from .conftest import effect_rows, job_row

SCRIPT = Path(__file__).with_name("blocking_worker.py")
LEASE = 30


def _worker(database_url: str, started: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, str(SCRIPT), database_url, str(started), "--lease", str(LEASE),
                             *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(path: Path, process: subprocess.Popen[str], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if process.poll() is not None:
            raise AssertionError(f"the worker exited ({process.returncode}): {process.communicate()[1]}")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError("the worker never started the job")
        time.sleep(0.05)


def _run_once(database_url: str, started: Path, *extra: str) -> None:
    finished = _worker(database_url, started, "--once", *extra)
    _, stderr = finished.communicate(timeout=120)
    assert finished.returncode == 0, stderr


def test_a_job_whose_worker_was_killed_completes_exactly_once_after_its_lease(
        kernel: Kernel, database_url: str, tmp_path: Path) -> None:
    with kernel.engine.begin() as conn:
        job_id = enqueue(conn, "test.blocking", {"invoice": 7}, now=utcnow())
    started = tmp_path / "started"
    first = _worker(database_url, started)
    try:
        _wait_for(started, first)
        assert int(started.read_text()) == job_id
        os.kill(first.pid, signal.SIGKILL)
        first.communicate(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == -signal.SIGKILL
    row = job_row(kernel, job_id)
    assert (row.state, row.attempts, row.worker) == (RUNNING, 1, "crash-test")
    assert effect_rows(kernel) == []  # its transaction died with it

    _run_once(database_url, started)  # the lease still holds: nobody takes the job
    assert job_row(kernel, job_id).state == RUNNING and effect_rows(kernel) == []

    _run_once(database_url, started, "--clock-offset", str(LEASE + 1))
    row = job_row(kernel, job_id)
    assert (row.state, row.attempts, row.result) == (DONE, 2, {"attempt": 2})
    assert effect_rows(kernel) == [(job_id, 2)]  # exactly once
    with kernel.engine.connect() as conn:  # and nothing else was left behind
        assert conn.execute(sa.text("SELECT count(*) FROM test_job_effect")).scalar_one() == 1
