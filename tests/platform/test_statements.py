"""No statement runs unbounded: time limits, cancelling from another thread, and schema changes that
give up waiting for a lock, each a typed 503 error on SQLite and PostgreSQL."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jimu.platform.bootstrap import init_database
from jimu.platform.database import create_engine
from jimu.platform.i18n import translate
from jimu.platform.kernel import Kernel
from jimu.platform.settings import Settings
from jimu.platform.statements import (
    Cancellation,
    LockTimeoutError,
    StatementCancelledError,
    StatementTimeoutError,
)

APP: dict[str, Any] = {"key": "plant", "entities": [{"key": "machine", "fields": [{"name": "name", "type": "text"}]}]}


def _slow(conn: sa.Connection) -> sa.TextClause:
    """A statement that runs for minutes unless stopped."""
    if conn.dialect.name == "sqlite":
        return sa.text("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10000000000) "
                       "SELECT count(*) FROM c")
    return sa.text("SELECT pg_sleep(600)")


@pytest.fixture
def short(database_url: str) -> Iterator[Kernel]:
    """A kernel whose statements may run half a second and whose schema changes wait half a second for locks."""
    engine = create_engine(database_url, statement_timeout=0.5)
    init_database(engine)
    kernel = Kernel(engine, settings=Settings(statement_timeout=0.5, schema_lock_timeout=0.5))
    kernel.apply_app(APP)
    try:
        yield kernel
    finally:
        engine.dispose()


def test_a_statement_past_its_time_limit_is_stopped_with_a_typed_error(short: Kernel) -> None:
    started = time.monotonic()
    with pytest.raises(StatementTimeoutError) as caught, short.unit_of_work() as ctx:
        ctx.conn.execute(_slow(ctx.conn))
    assert time.monotonic() - started < 10
    assert caught.value.code == "query.timeout" and caught.value.http_status == 503
    assert caught.value.params == {"seconds": "0.5"}
    assert "0.5" in translate("query.timeout", "zh-CN", **caught.value.params)
    with short.unit_of_work() as ctx:  # the connection is sound afterwards
        assert ctx.conn.execute(sa.text("SELECT 1")).scalar() == 1


def test_quick_statements_in_a_long_unit_of_work_are_each_within_the_limit(short: Kernel) -> None:
    with short.unit_of_work() as ctx:
        for _ in range(4):
            time.sleep(0.2)
            assert ctx.conn.execute(sa.text("SELECT 1")).scalar() == 1


def test_no_limit_when_the_timeout_is_zero(database_url: str) -> None:
    engine = create_engine(database_url, statement_timeout=0)
    try:
        with engine.connect() as conn:
            statement = (sa.text("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000) "
                                 "SELECT count(*) FROM c") if conn.dialect.name == "sqlite" else sa.text("SELECT pg_sleep(0.7)"))
            assert conn.execute(sa.text("SELECT 1")).scalar() == 1
            conn.execute(statement)  # would pass 0.5 s; no error without a limit
    finally:
        engine.dispose()


def _cancel_later(cancellation: Cancellation, after: float) -> threading.Thread:
    thread = threading.Thread(target=lambda: (time.sleep(after), cancellation.cancel()))
    thread.start()
    return thread


def test_a_cancelled_unit_of_work_stops_its_running_statement(database_url: str) -> None:
    engine = create_engine(database_url, statement_timeout=60)
    init_database(engine)
    kernel = Kernel(engine)
    cancellation = Cancellation()
    started = time.monotonic()
    try:
        with pytest.raises(StatementCancelledError) as caught, kernel.unit_of_work(cancellation=cancellation) as ctx:
            thread = _cancel_later(cancellation, 0.3)
            ctx.conn.execute(_slow(ctx.conn))
        thread.join()
        assert time.monotonic() - started < 10
        assert caught.value.code == "query.cancelled"
        with kernel.unit_of_work() as ctx:  # the pooled connection no longer belongs to the cancelled work
            assert ctx.conn.execute(sa.text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()


def test_a_cancelled_unit_of_work_runs_no_further_statement(short: Kernel) -> None:
    cancellation = Cancellation()
    with pytest.raises(StatementCancelledError), short.unit_of_work(cancellation=cancellation) as ctx:
        ctx.conn.execute(sa.text("SELECT 1"))
        cancellation.cancel()  # between two statements: nothing is running to interrupt
        ctx.conn.execute(sa.text("SELECT 2"))


def test_a_schema_change_gives_up_waiting_behind_a_long_transaction(short: Kernel) -> None:
    changed = {**APP, "entities": [{"key": "machine", "fields": [
        {"name": "name", "type": "text"}, {"name": "serial", "type": "text"}]}]}
    engine: Engine = short.engine
    with engine.connect() as holder, holder.begin():
        if holder.dialect.name == "sqlite":
            holder.execute(sa.text("INSERT INTO t_machine (name, _version, _created_at, _updated_at) "
                                   "VALUES ('a', 1, '2026-01-01', '2026-01-01')"))  # holds the write lock
        else:
            holder.execute(sa.text("SELECT count(*) FROM t_machine"))  # a reader: its lock blocks ALTER TABLE
        started = time.monotonic()
        with pytest.raises(LockTimeoutError) as caught:
            short.apply_app(changed)
        assert time.monotonic() - started < 10
    assert caught.value.code == "database.locked" and caught.value.http_status == 503
    assert caught.value.params["retry_after"] > 0
    assert short.apply_app(changed).applied  # once the other transaction is over, the change goes through


def test_a_schema_change_restores_the_connections_own_limits(short: Kernel) -> None:
    short.apply_app(APP)
    with short.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000
        else:
            assert conn.exec_driver_sql("SHOW lock_timeout").scalar() == "0"
            assert conn.exec_driver_sql("SHOW statement_timeout").scalar() == "500ms"
