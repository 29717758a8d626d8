"""`jimu serve`'s embedded job runner: started and stopped with the app (on SQLite by default)."""
from __future__ import annotations

import time
import warnings

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jimu.platform.bootstrap import init_database
from jimu.platform.context import utcnow
from jimu.platform.jobs import enqueue
from jimu.platform.jobs.builtin import BUILTIN_SCHEDULES, PRUNE_ATTEMPTS
from jimu.platform.jobs.tables import jobs, schedules
from jimu.platform.settings import Settings
from jimu.web.api.asgi import create
from jimu.web.assembly import job_handlers

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


@pytest.mark.parametrize(("url", "setting", "runs"), [
    ("sqlite:///jimu.db", "auto", True), ("postgresql+psycopg://db/jimu", "auto", False),
    ("postgresql+psycopg://db/jimu", "on", True), ("sqlite:///jimu.db", "off", False),
])
def test_the_embedded_runner_is_on_for_sqlite_unless_told(url: str, setting: str, runs: bool) -> None:
    assert Settings(database_url=url, embedded_worker=setting).runs_embedded_worker() is runs


def test_settings_refuse_a_bad_worker_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in (("JIMU_EMBEDDED_WORKER", "sometimes"), ("JIMU_JOB_LEASE", "0"), ("JIMU_JOB_POLL", "x")):
        with monkeypatch.context() as patch:
            patch.setenv(name, value)
            with pytest.raises(ValueError, match=name):
                Settings.from_env()


def test_the_served_app_runs_due_jobs_in_process(engine: Engine, database_url: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    init_database(engine)
    with engine.begin() as conn:
        job_id = enqueue(conn, PRUNE_ATTEMPTS, {"keep_days": 7}, now=utcnow())
    monkeypatch.setenv("JIMU_DATABASE_URL", database_url)
    monkeypatch.setenv("JIMU_EMBEDDED_WORKER", "on")
    monkeypatch.setenv("JIMU_JOB_POLL", "0.05")
    with TestClient(create()) as client:
        assert client.get("/healthz").status_code == 200
        for _ in range(400):
            with engine.connect() as conn:
                state = conn.execute(sa.select(jobs.c.state).where(jobs.c.id == job_id)).scalar_one()
            if state == "done":
                break
            time.sleep(0.05)
    assert state == "done"
    with engine.connect() as conn:  # the built-in schedules and the engines' were installed at start
        installed = set(conn.execute(sa.select(schedules.c.key)).scalars())
    assert installed == {entry.key for entry in BUILTIN_SCHEDULES} | {entry[0] for entry in job_handlers().schedules}
