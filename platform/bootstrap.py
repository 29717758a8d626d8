"""Database initialisation: bring the platform tables (jimu_*) to the newest Alembic revision."""
from __future__ import annotations

import importlib
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

import jimu.migrations
from jimu.migrations.tables import TABLE_MODULES
from jimu.platform.meta import platform_metadata

VERSION_TABLE = "jimu_alembic_version"


def load_platform_metadata() -> sa.MetaData:
    """`platform_metadata` with every table module the migrations manage imported (what Alembic compares
    against; the list is the migrations' own, migrations/tables.py)."""
    for name in TABLE_MODULES:
        importlib.import_module(name)
    return platform_metadata


def migrations_dir() -> Path:
    """The folder of the installed `jimu.migrations` package (env.py, versions/)."""
    return Path(next(iter(jimu.migrations.__path__)))


def alembic_config(connection: sa.Connection | None = None) -> Config:
    """An Alembic Config on the migrations folder; `connection` is handed to env.py."""
    folder = migrations_dir()
    config = Config(str(folder / "alembic.ini"))
    config.set_main_option("script_location", str(folder))
    config.set_main_option("version_locations", str(folder / "versions"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def init_database(engine: Engine) -> None:
    """Create or upgrade the platform tables (idempotent: a database at head is left alone)."""
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")


def current_revision(conn: sa.Connection) -> str | None:
    """The Alembic revision the database is at (None before `init_database`)."""
    context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
    return context.get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
