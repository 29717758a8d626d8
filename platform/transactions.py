"""How a unit of work holds its connection, and what it sends PostgreSQL to do so.

* **Write work** is one transaction. On PostgreSQL it runs in psycopg's pipeline mode with BEGIN and
  COMMIT sent as statements (the driver in autocommit, so it adds none of its own): a statement's
  results are awaited right after it is sent (`_await_results`), except where nobody reads them —
  BEGIN and SAVEPOINT travel with the statement after them, RELEASE SAVEPOINT and statements marked
  `RESULT_UNUSED` (audit rows) with the next awaited one or the COMMIT, which leaving the pipeline
  awaits. A create is then four round trips. Work that needs the plain protocol (COPY) calls `leave_pipeline` first.
* **Read-only work** (HTTP GETs) has no transaction on PostgreSQL (driver autocommit): each statement
  is consistent by itself; reads that must agree take `one_snapshot`, a REPEATABLE READ READ ONLY
  transaction whose BEGIN travels with its first statement. Core writes are refused (`ReadOnlyWorkError`).
  On SQLite read-only work is a deferred transaction, which already is one snapshot.
* `begin_retrying` runs the work's first statement and, when the connection proves dead on it (nothing
  done yet), starts again once on a fresh connection.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any, TypeVar

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import Engine

READ_MOSTLY = "jimu_read_mostly"  # execution option: on SQLite, begin a deferred (shared) transaction
READ_ONLY = "jimu_read_only"  # execution option: Core INSERT/UPDATE/DELETE/DDL refused
NO_TRANSACTION = "jimu_no_transaction"  # execution option: PostgreSQL read-only work, statement by statement
PIPELINE = "jimu_pipeline"  # execution option: the work's active `_Pipeline`, if any
RESULT_UNUSED = "jimu_result_unused"  # statement option: nobody reads its result; it need not be awaited
_NOT_AWAITED = ("BEGIN", "SAVEPOINT ", "RELEASE SAVEPOINT ", "COMMIT")  # COMMIT: awaited by leaving the pipeline
_IDLE = psycopg.pq.TransactionStatus.IDLE

T = TypeVar("T")


class ReadOnlyWorkError(RuntimeError):
    """A write was attempted in read-only work (a programming error: such work has no transaction to undo it)."""


@dataclass(frozen=True)
class Work:
    """How a unit of work begins: its execution options and whether it is a pipelined PostgreSQL transaction."""

    options: dict[str, Any] = field(default_factory=dict)
    pipelined: bool = False
    read_only: bool = False


def work_mode(dialect: Any, *, read_only: bool = False, read_mostly: bool = False) -> Work:
    """Read-only work (HTTP GETs), read-mostly work (exports: a plain transaction, deferred on SQLite) or writes."""
    postgres = dialect.name == "postgresql"
    if read_only:
        options = {"isolation_level": "AUTOCOMMIT", NO_TRANSACTION: True} if postgres else {READ_MOSTLY: True}
        return Work(options, read_only=True)
    if postgres and not read_mostly:
        return Work({"isolation_level": "AUTOCOMMIT"}, pipelined=True)
    return Work({READ_MOSTLY: read_mostly})


@contextmanager
def begin_retrying(engine: Engine, work: Work, first: Callable[[sa.Connection], T],
                   around: Callable[[sa.Connection], AbstractContextManager[Any]] = nullcontext) -> Iterator[
        tuple[sa.Connection, T]]:
    """A connection whose work has begun and run `first`, and its result (see the module doc).

    `around(conn)` is entered right after the connection is taken, before the work begins (e.g. the
    translation of the database's timeout and cancel reports into typed errors)."""
    with ExitStack() as stack:
        try:
            with ExitStack() as attempt:  # a failure leaves it rolled back and closed
                conn, value = _begin_with(attempt, engine, work, first, around)
                stack.enter_context(attempt.pop_all())
        except sa.exc.DBAPIError as error:
            if not error.connection_invalidated:
                raise
            conn, value = _begin_with(stack, engine, work, first, around)
        if work.read_only:
            conn.execution_options(**{READ_ONLY: True})  # after `first`: a token lookup may touch its row
        yield conn, value


def _begin_with(stack: ExitStack, engine: Engine, work: Work, first: Callable[[sa.Connection], T],
                around: Callable[[sa.Connection], AbstractContextManager[Any]]) -> tuple[sa.Connection, T]:
    conn = stack.enter_context(engine.connect())
    stack.enter_context(around(conn))
    conn.execution_options(**work.options)
    stack.enter_context(_pipelined_transaction(conn, "BEGIN") if work.pipelined else conn.begin())
    return conn, first(conn)


@contextmanager
def one_snapshot(conn: sa.Connection) -> Iterator[None]:
    """The block's statements see one snapshot of the database.

    Inside a transaction already (SQLite's, PostgreSQL's write work) there is nothing to do. In PostgreSQL
    read-only work the block is a REPEATABLE READ READ ONLY transaction, its BEGIN sent with the block's
    first statement and its COMMIT awaited at the end.
    """
    if not conn.get_execution_options().get(NO_TRANSACTION) or _in_pipeline(conn):
        yield
        return
    with _pipelined_transaction(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"):
        yield


def savepoint(conn: sa.Connection) -> AbstractContextManager[Any]:
    """A SAVEPOINT around ONE write that may fail without failing the work (a bookkeeping touch).

    In PostgreSQL read-only work there is no transaction to keep: the statement is atomic by itself.
    """
    if conn.get_execution_options().get(NO_TRANSACTION) and not _in_pipeline(conn):
        return nullcontext()
    return conn.begin_nested()


def _in_pipeline(conn: sa.Connection) -> bool:
    pipeline = conn.get_execution_options().get(PIPELINE)
    return pipeline is not None and bool(pipeline.active)


def leave_pipeline(conn: sa.Connection) -> None:
    """The rest of the work on the plain protocol (COPY cannot run in a pipeline); the transaction goes on."""
    pipeline = conn.get_execution_options().get(PIPELINE)
    if pipeline is not None:
        pipeline.leave()


class _Pipeline:
    """psycopg's pipeline on one connection, left once (at the end of the work, or early by `leave_pipeline`)."""

    def __init__(self, driver: Any) -> None:
        self._context = driver.pipeline()
        self._pipeline = self._context.__enter__()
        self.active = True

    def sync(self) -> None:
        self._pipeline.sync()

    def leave(self, *, quietly: bool = False) -> None:
        if not self.active:
            return
        self.active = False
        try:
            self._context.__exit__(None, None, None)
        except psycopg.Error:
            if not quietly:
                raise


@contextmanager
def _pipelined_transaction(conn: sa.Connection, begin: str) -> Iterator[None]:
    """A transaction on an autocommit psycopg connection in pipeline mode: `begin` and COMMIT sent by us."""
    driver = conn.connection.driver_connection
    assert driver is not None
    pipeline = _Pipeline(driver)
    conn.execution_options(**{PIPELINE: pipeline})
    try:
        conn.exec_driver_sql(begin)  # not awaited: it travels with the first statement
        yield
        conn.exec_driver_sql("COMMIT")
        try:
            pipeline.leave()  # awaits the COMMIT with whatever is still queued (RELEASE, audit rows)
        except psycopg.Error as error:
            raise sa.exc.DBAPIError.instance("COMMIT", None, error, psycopg.Error) from error
    except BaseException:
        pipeline.leave(quietly=True)
        if not (driver.closed or driver.broken) and driver.info.transaction_status != _IDLE:
            driver.rollback()
        raise
    finally:
        pipeline.leave()  # the option stays, inactive (an invalidated connection takes no new options)


def await_results(conn: sa.Connection, _cursor: Any, statement: str, _parameters: Any, context: Any,
                  _executemany: bool) -> None:
    """after_cursor_execute: in a pipeline, wait for this statement's results unless nobody reads them."""
    pipeline = conn.get_execution_options().get(PIPELINE)
    if pipeline is None or not pipeline.active or statement.startswith(_NOT_AWAITED):
        return
    if context is not None and context.execution_options.get(RESULT_UNUSED) and not _returns_rows(context):
        return
    pipeline.sync()


def _returns_rows(context: Any) -> bool:
    return context.compiled is not None and bool(getattr(context.compiled, "effective_returning", None))


def refuse_writes(conn: sa.Connection, _cursor: Any, statement: str, _parameters: Any, context: Any,
                  _executemany: bool) -> None:
    """before_cursor_execute: read-only work may not write."""
    if context is None or not conn.get_execution_options().get(READ_ONLY):
        return
    if context.isinsert or context.isupdate or context.isdelete or context.isddl:
        raise ReadOnlyWorkError(f"Read-only work may not write: {statement[:80]}")
