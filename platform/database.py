"""Engine creation: SQLite (WAL, foreign keys, Jimu's SQL functions) or PostgreSQL."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jimu.engines.expressions.sqlite_functions import register_sqlite_functions
from jimu.platform import statements

READ_MOSTLY = "jimu_read_mostly"  # execution option: on SQLite, begin a deferred (shared) transaction


def is_sqlite(engine_or_dialect: Any) -> bool:
    name: str = getattr(engine_or_dialect, "dialect", engine_or_dialect).name
    return name == "sqlite"


def create_engine(url: str, *, statement_timeout: float | None = 30.0, **kwargs: Any) -> Engine:
    """Create an engine configured the way every Jimu component expects; each of its statements may
    run `statement_timeout` seconds (None or 0: no limit; see platform/statements.py)."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, **kwargs)
        sa.event.listen(engine, "connect", _configure_sqlite_connection)
        # pysqlite's own transaction handling defers BEGIN; take control so that
        # every Jimu transaction really is one (SAVEPOINTs, DDL in transactions).
        sa.event.listen(engine, "begin", _sqlite_begin)
    else:
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        kwargs.setdefault("pool_pre_ping", True)
        engine = sa.create_engine(url, **kwargs)
    statements.install(engine, statement_timeout)
    return engine


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # autocommit at the driver; BEGIN issued by _sqlite_begin
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
    register_sqlite_functions(dbapi_connection)


def _sqlite_begin(connection: sa.Connection) -> None:
    """Writers take the write lock up front (no deadlocked upgrades); read-mostly work shares the file."""
    deferred = connection.get_execution_options().get(READ_MOSTLY, False)
    connection.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")
