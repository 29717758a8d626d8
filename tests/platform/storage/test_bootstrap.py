"""init_database: Alembic creates exactly the platform tables, idempotently, on both databases."""
from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine

from jimu.platform.bootstrap import (
    VERSION_TABLE,
    current_revision,
    head_revision,
    init_database,
    load_platform_metadata,
)

platform_metadata = load_platform_metadata()


def test_init_creates_platform_tables_and_is_idempotent(engine: Engine) -> None:
    init_database(engine)
    init_database(engine)
    names = set(sa.inspect(engine).get_table_names())
    assert set(platform_metadata.tables) | {VERSION_TABLE} == names
    with engine.connect() as conn:
        assert current_revision(conn) == head_revision()


def test_head_matches_platform_metadata(engine: Engine) -> None:
    init_database(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "version_table": VERSION_TABLE})
        diff = compare_metadata(context, platform_metadata)
    assert diff == []
