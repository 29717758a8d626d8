"""Alembic environment of the platform tables; the connection comes from `config.attributes`."""
from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from jimu.platform.bootstrap import load_platform_metadata

VERSION_TABLE = "jimu_alembic_version"


def _configure_and_run(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=load_platform_metadata(),
        version_table=VERSION_TABLE,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Use the caller's connection (bootstrap) or open one from `-x url=...` (command line)."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    from jimu.platform.database import create_engine

    url = context.get_x_argument(as_dictionary=True).get("url") or context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("pass the database with -x url=... or run jimu.platform.bootstrap.init_database")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            _configure_and_run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) mode is not supported for Jimu's platform tables")
run_migrations_online()
