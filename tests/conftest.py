"""Shared fixtures: a fresh database per test on SQLite (default) or PostgreSQL.

Set JIMU_TEST_DATABASE_URL=postgresql+psycopg://... to run on PostgreSQL; each test then gets a
schema of its own in a scratch database created for the run and dropped afterwards.
"""
from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jimu.platform.database import create_engine

TEST_DATABASE_URL = os.environ.get("JIMU_TEST_DATABASE_URL", "")
SAMPLE_APPS = Path(__file__).resolve().parent / "fixtures" / "apps"

# argon2's cheapest cost for every password hashed in a test, set the way a deployment sets it (the
# environment), so this process and any CLI it starts hash cheaply. One test keeps the real cost
# (tests/platform/security/test_passwords.py).
CHEAP_PASSWORD_HASHING = {"JIMU_ARGON2_TIME_COST": "1", "JIMU_ARGON2_MEMORY_KIB": "8", "JIMU_ARGON2_PARALLELISM": "1"}


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in CHEAP_PASSWORD_HASHING.items():
            patch.setenv(name, value)
        yield


@pytest.fixture
def tasks_app() -> dict[str, Any]:
    """The small tasks app of the security and API tests (tests/fixtures/apps/tasks.json), a fresh copy:
    task (title, owner, status, budget, secret, items) with its child task_item (label)."""
    loaded: dict[str, Any] = json.loads((SAMPLE_APPS / "tasks.json").read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="session")
def postgres_scratch() -> Iterator[tuple[str, Engine]]:
    """One scratch PostgreSQL database for the whole run (dropped at the end) and an admin engine on it."""
    admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT", statement_timeout=None)
    name = f"jimu_t_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    scratch = create_engine(url, isolation_level="AUTOCOMMIT", statement_timeout=None)
    try:
        yield url, scratch
    finally:
        scratch.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def database_url(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """URL of an empty scratch database for this test.

    SQLite: a file of its own. PostgreSQL: a schema of its own in the run's scratch database,
    selected through the connection's search_path (creating a database per test is far slower).
    """
    if not TEST_DATABASE_URL.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'jimu_test.db'}"
        return
    base_url, scratch = request.getfixturevalue("postgres_scratch")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with scratch.connect() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = sa.make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with scratch.connect() as conn:
            conn.exec_driver_sql("SET lock_timeout = '10s'")
            try:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
            except sa.exc.OperationalError:
                pass  # still locked by a leaked connection: the run's database is dropped at the end


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on an empty scratch database, configured as Jimu configures it."""
    eng = create_engine(database_url)
    try:
        yield eng
    finally:
        eng.dispose()
