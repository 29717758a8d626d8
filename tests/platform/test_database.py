"""Connections on PostgreSQL: no liveness round trip on checkout, yet a connection the server ended is survived."""
from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from jimu.platform import meta
from jimu.platform.bootstrap import init_database
from jimu.platform.database import POSTGRES_RECYCLE_SECONDS, create_engine
from jimu.platform.kernel import Kernel
from jimu.platform.registry.repository import definitions_stamp
from jimu.platform.transactions import ReadOnlyWorkError, one_snapshot


def backend_pid(conn: sa.Connection) -> int:
    return int(conn.connection.driver_connection.info.backend_pid)  # type: ignore[union-attr]


def terminate(database_url: str, pid: int) -> None:
    """End one server process (as an administrator or a server restart would) and wait until it is gone."""
    admin = create_engine(database_url, poolclass=NullPool)
    try:
        with admin.connect() as conn:
            assert conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one() is True
            deadline = time.monotonic() + 10
            query = sa.text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid")
            while conn.execute(query, {"pid": pid}).scalar_one() and time.monotonic() < deadline:
                time.sleep(0.02)
    finally:
        admin.dispose()


@pytest.fixture
def postgres(engine: Engine) -> Engine:
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL connection handling")
    return engine


def test_checkout_sends_no_liveness_statement_and_recycles(postgres: Engine) -> None:
    assert postgres.pool._pre_ping is False  # type: ignore[attr-defined]
    assert postgres.pool._recycle == POSTGRES_RECYCLE_SECONDS  # type: ignore[attr-defined]
    seen: list[str] = []
    sa.event.listen(postgres, "before_cursor_execute", lambda *args: seen.append(args[2]))
    with postgres.connect() as conn:
        conn.execute(sa.text("SELECT 1")).scalar_one()
    with postgres.connect() as conn:  # the pooled connection again: no ';' before the statement
        conn.execute(sa.text("SELECT 2")).scalar_one()
    assert seen == ["SELECT 1", "SELECT 2"]


def test_a_pooled_connection_ended_by_the_server_is_replaced_on_checkout(postgres: Engine, database_url: str) -> None:
    with postgres.connect() as conn:
        first_pid = backend_pid(conn)
    terminate(database_url, first_pid)
    with postgres.connect() as conn:
        assert conn.execute(sa.text("SELECT 1")).scalar_one() == 1
        assert backend_pid(conn) != first_pid


def test_a_connection_dying_before_the_first_statement_is_retried_once(postgres: Engine, database_url: str) -> None:
    init_database(postgres)
    kernel = Kernel(postgres)
    pids: list[int] = []

    def first(conn: sa.Connection) -> int:
        pids.append(backend_pid(conn))
        if len(pids) == 1:
            terminate(database_url, pids[0])  # after checkout: only the statement itself can notice
        return definitions_stamp(conn)

    with kernel.unit_of_work(first=first) as ctx:
        assert ctx.conn.execute(sa.text("SELECT 1")).scalar_one() == 1
    assert len(pids) == 2 and pids[0] != pids[1]


def test_a_connection_dying_later_in_the_work_is_not_retried(postgres: Engine, database_url: str) -> None:
    init_database(postgres)
    kernel = Kernel(postgres)
    with pytest.raises(sa.exc.OperationalError) as raised:  # noqa: PT012 - the failure is in the block's body
        with kernel.unit_of_work() as ctx:
            terminate(database_url, backend_pid(ctx.conn))
            ctx.conn.execute(sa.text("SELECT 1"))
    assert raised.value.connection_invalidated
    with kernel.unit_of_work() as ctx:  # and the next unit of work is fine
        assert ctx.conn.execute(sa.text("SELECT 1")).scalar_one() == 1


def test_read_only_work_refuses_writes_and_a_snapshot_in_a_transaction_adds_nothing(engine: Engine) -> None:
    init_database(engine)
    kernel = Kernel(engine)
    with pytest.raises(ReadOnlyWorkError):  # noqa: PT012 - the write is the block's last statement
        with kernel.unit_of_work(read_only=True) as ctx:
            assert ctx.conn.execute(sa.select(sa.func.count()).select_from(meta.users)).scalar_one() == 0
            ctx.conn.execute(sa.delete(meta.users))
    seen: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    with kernel.unit_of_work() as ctx, one_snapshot(ctx.conn):
        ctx.conn.execute(sa.text("SELECT 1"))
    assert "SELECT 1" in seen and not any(s.startswith(("BEGIN ISOLATION", "SAVEPOINT")) for s in seen)
