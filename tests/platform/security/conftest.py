"""Fixtures of the security tests: a migrated database with the sales app and a small task app."""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jimu.platform.bootstrap import init_database
from jimu.platform.kernel import Kernel

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "apps"
NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)

@pytest.fixture
def db(engine: Engine) -> Engine:
    """The scratch database at the newest platform revision (security tables included)."""
    init_database(engine)
    return engine


@pytest.fixture
def kernel(db: Engine, tasks_app: dict[str, Any]) -> Iterator[Kernel]:
    """A kernel with the sales fixture app and the tasks app (tests/fixtures/apps/tasks.json) installed."""
    kernel = Kernel(db, clock=lambda: NOW)
    kernel.apply_app(json.loads((FIXTURES / "sales.json").read_text(encoding="utf-8")))
    kernel.apply_app(tasks_app)
    yield kernel


def insert_row(conn: sa.Connection, table: sa.Table, **values: Any) -> int:
    """A raw row in an entity table (system columns filled in)."""
    values.setdefault("_created_at", NOW)
    values.setdefault("_updated_at", NOW)
    return int(conn.execute(sa.insert(table).values(**values).returning(table.c.id)).scalar_one())
