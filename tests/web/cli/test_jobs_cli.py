"""`jimu jobs list|show|retry` and `jimu worker`: the dead letters from the command line, a worker's life."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from jimu.platform.context import utcnow
from jimu.platform.database import create_engine
from jimu.platform.jobs import enqueue
from jimu.platform.jobs.builtin import PRUNE_ATTEMPTS
from jimu.web.cli.main import main

JIMU = Path(sys.executable).with_name("jimu")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return status, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    status, out, err = run(capsys, "--json", *argv)
    assert status == 0, err
    return json.loads(out)


@pytest.fixture
def ready(database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
    monkeypatch.setenv("JIMU_DATABASE_URL", database_url)
    monkeypatch.delenv("JIMU_LOCALE", raising=False)
    assert run(capsys, "db", "init")[0] == 0
    return database_url


def _enqueue(url: str, kind: str, **options: Any) -> int:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            return enqueue(conn, kind, {"keep_days": 1}, now=utcnow(), **options)
    finally:
        engine.dispose()


def test_a_dead_letter_is_listed_shown_and_retried(ready: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "jobs", "list")[1] == "No jobs.\n"
    job_id = _enqueue(ready, PRUNE_ATTEMPTS, max_attempts=1)
    unknown = _enqueue(ready, "nobody.knows")
    # A built-in kind that fails: its payload's keep_days is not a number.
    engine = create_engine(ready)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE jimu_job SET payload = '{{\"keep_days\": \"x\"}}' WHERE id = {job_id}")
    engine.dispose()
    ran = run_json(capsys, "worker", "--once")
    assert ran == {"ran": 1, "outcomes": {"dead": 1}}
    dead = run_json(capsys, "jobs", "list", "--state", "dead")
    assert [(j["id"], j["kind"], j["attempts"]) for j in dead["data"]] == [(job_id, PRUNE_ATTEMPTS, 1)]
    assert dead["data"][0]["last_error"].startswith("ValueError")
    status, out, _ = run(capsys, "jobs", "list")
    assert status == 0 and f"#{unknown} nobody.knows — queued, attempt 0 of 8" in out
    assert f"#{job_id} {PRUNE_ATTEMPTS} — dead, attempt 1 of 1, due - — ValueError" in out
    assert run_json(capsys, "jobs", "show", str(job_id))["payload"] == {"keep_days": "x"}
    status, out, _ = run(capsys, "jobs", "retry", str(job_id))
    assert (status, out) == (0, f"Job {job_id} is queued again.\n")
    assert run_json(capsys, "jobs", "show", str(job_id))["state"] == "queued"


def test_bad_input_is_one_sentence_and_exit_2(ready: str, capsys: pytest.CaptureFixture[str]) -> None:
    queued = _enqueue(ready, "nobody.knows")
    status, _, err = run(capsys, "jobs", "retry", str(queued))
    assert (status, err) == (2, f"Job {queued} is queued: only a failed or dead job can be retried.\n")
    status, _, err = run(capsys, "jobs", "show", "424242")
    assert (status, err) == (2, "There is no job 424242.\n")
    assert run(capsys, "jobs", "list", "--cursor", "abc")[0] == 2
    for argv in (("jobs", "list", "--state", "sleeping"), ("jobs", "list", "--limit", "0"),
                 ("jobs", "retry", "x"), ("worker", "--concurrency", "0"), ("worker", "--poll", "-1"),
                 ("worker", "--lease", "soon")):
        status, _, err = run(capsys, *argv)
        assert status == 2, argv
    assert "'0' is not a whole number of at least 1." in run(capsys, "worker", "--concurrency", "0")[2]


def test_a_worker_on_an_uninitialised_database_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("JIMU_DATABASE_URL", f"sqlite:///{tmp_path / 'none.db'}")
    status, _, err = run(capsys, "worker", "--once")
    assert status == 2 and "is not initialised" in err
    assert not (tmp_path / "none.db").exists()


def test_a_worker_stops_gracefully_on_sigterm(ready: str, tmp_path: Path) -> None:
    job_id = _enqueue(ready, PRUNE_ATTEMPTS)
    env = {**os.environ, "JIMU_DATABASE_URL": ready}
    process = subprocess.Popen([str(JIMU), "worker", "--concurrency", "2", "--poll", "0.1"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        assert "Stop with Ctrl+C or SIGTERM." in process.stderr.readline()
        engine = create_engine(ready)
        try:
            for _ in range(600):  # the worker runs the due job
                with engine.connect() as conn:
                    state = conn.exec_driver_sql(f"SELECT state FROM jimu_job WHERE id = {job_id}").scalar()
                if state == "done":
                    break
                time.sleep(0.05)
        finally:
            engine.dispose()
        assert state == "done"
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert out.startswith("Job worker ") and out.endswith(" stopped.\n")
