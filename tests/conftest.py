"""Shared fixtures: a fresh database per test on SQLite (default) or PostgreSQL.

Set JIMU_TEST_DATABASE_URL=postgresql+psycopg://... to run on PostgreSQL; each test
then gets a scratch database of its own, dropped afterwards.
"""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jimu.platform.database import create_engine

TEST_DATABASE_URL = os.environ.get("JIMU_TEST_DATABASE_URL", "")


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """URL of an empty scratch database for this test."""
    if TEST_DATABASE_URL.startswith("postgresql"):
        admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
        name = f"jimu_t_{uuid.uuid4().hex[:12]}"
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = sa.make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
        try:
            yield url
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()
    else:
        yield f"sqlite:///{tmp_path / 'jimu_test.db'}"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on an empty scratch database, configured as Jimu configures it."""
    eng = create_engine(database_url)
    try:
        yield eng
    finally:
        eng.dispose()
