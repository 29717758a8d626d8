"""Engine creation: SQLite (WAL, foreign keys, Jimu's SQL functions) or PostgreSQL (no liveness round trip).

PostgreSQL connections are not pinged on checkout (`pool_pre_ping` costs a round trip per unit of work).
Instead a pooled connection whose server went away is noticed without a round trip — the server's
goodbye (FATAL message or end of stream) waits unread on its socket, so the checkout polls the socket
and replaces such a connection — and connections are recycled after `POSTGRES_RECYCLE_SECONDS`. What
still slips through (a connection dying between checkout and its first statement) is retried once by
`Kernel.unit_of_work` (`transactions.begin_retrying`). How units of work use their connections
(transactions, pipelines, read-only work): `platform/transactions.py`.
"""
from __future__ import annotations

import select
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jimu.engines.expressions.sqlite_functions import register_sqlite_functions
from jimu.platform import statements
from jimu.platform.transactions import READ_MOSTLY, await_results, refuse_writes

__all__ = ["POSTGRES_RECYCLE_SECONDS", "READ_MOSTLY", "create_engine", "is_sqlite"]

POSTGRES_RECYCLE_SECONDS = 1800  # a pooled PostgreSQL connection is replaced after half an hour


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
        sa.event.listen(engine, "before_cursor_execute", refuse_writes)
    else:
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        engine = _create_postgres_engine(url, **kwargs)
    statements.install(engine, statement_timeout)
    return engine


def _create_postgres_engine(url: str, **kwargs: Any) -> Engine:
    """PostgreSQL: the pool policy and the listeners of the request path (session settings: statements.py)."""
    kwargs.setdefault("pool_pre_ping", False)
    kwargs.setdefault("pool_recycle", POSTGRES_RECYCLE_SECONDS)
    engine = sa.create_engine(url, **kwargs)
    sa.event.listen(engine, "checkout", _refuse_closed_connection)
    sa.event.listen(engine, "before_cursor_execute", refuse_writes)
    sa.event.listen(engine, "after_cursor_execute", await_results)
    return engine


def _refuse_closed_connection(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Replace a pooled connection the server has closed: an idle connection has nothing to read, a closed
    one has the server's goodbye or end of stream waiting. A local poll, not a round trip."""
    driver = getattr(dbapi_connection, "driver_connection", dbapi_connection)
    if driver.closed or driver.broken:
        raise sa.exc.DisconnectionError("The connection is closed.")
    readable, _, _ = select.select([driver.fileno()], [], [], 0)
    if readable:
        raise sa.exc.DisconnectionError("The server closed the connection.")


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
