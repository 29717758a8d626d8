"""Statement time limits, lock waits, and stopping a unit of work's statements from another thread.

Every statement runs under a time limit (`Settings.statement_timeout`, 30 s by default, 0 for none):
PostgreSQL enforces `statement_timeout`, given once per connection as a start-up option (no extra
round trip); on SQLite a progress handler stops a statement past its deadline, set when the
statement starts. Schema changes run under limits of their own (`schema_transaction`): a longer statement
limit, and a short wait for locks (`lock_timeout`; SQLite's `busy_timeout`), so an apply queued
behind a runaway query gives up with a clear message instead of waiting — and holding everyone
else's queries behind its own lock request.

A `Cancellation` stops a unit of work's statements from another thread: the running one (psycopg's
`cancel()`, sqlite3's `interrupt()`) and any later one (checked before each statement and by SQLite's
progress handler). The API cancels a request's work when its client goes away.

`translated` turns what the database says in those cases into typed errors (503, never a 500):
`query.timeout`, `query.cancelled` and `database.locked`.
"""
from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jimu.platform.errors import JimuError
from jimu.platform.i18n import translate

STATE = "jimu_statements"  # key of a connection's _State in its (pooled DBAPI connection's) info
_PROGRESS_STEPS = 1_000  # SQLite virtual-machine steps between two looks at the deadline (one step can copy MBs)


class StatementTimeoutError(JimuError):
    """A statement ran past its time limit and was stopped."""

    code = "query.timeout"
    http_status = 503


class StatementCancelledError(JimuError):
    """The unit of work was cancelled (its HTTP client went away) and its statement stopped."""

    code = "query.cancelled"
    http_status = 503


class LockTimeoutError(JimuError):
    """Another operation held a table (or the database file) longer than this one could wait."""

    code = "database.locked"
    http_status = 503


class Cancellation:
    """Set once, from any thread, to stop the statements of the unit of work it is attached to."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cancelled = False
        self._target: tuple[Any, bool] | None = None  # (DBAPI connection, is SQLite) while attached

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def cancel(self) -> None:
        """Stop the running statement, and refuse every later one. Blocks briefly on PostgreSQL
        (the cancel request goes over a connection of its own): call it from a worker thread."""
        with self._lock:  # held while cancelling, so the connection cannot meanwhile go back to the pool
            self._cancelled = True
            if self._target is None:
                return
            dbapi, sqlite = self._target
            if sqlite:
                dbapi.interrupt()
            else:
                dbapi.cancel()

    def _attach(self, dbapi: Any, sqlite: bool) -> None:
        with self._lock:
            self._target = (dbapi, sqlite)

    def _detach(self) -> None:
        with self._lock:
            self._target = None


@dataclass
class _State:
    """Per DBAPI connection: its statement limit, the running statement's deadline (SQLite), its cancellation."""

    timeout: float | None
    deadline: float = math.inf
    cancellation: Cancellation | None = None

    def stop_now(self) -> int:
        """SQLite's progress handler: non-zero interrupts the statement."""
        cancellation = self.cancellation
        return int(time.monotonic() > self.deadline or (cancellation is not None and cancellation.cancelled))


def install(engine: Engine, timeout: float | None) -> None:
    """Give every connection of `engine` the statement limit `timeout` (seconds; None or 0: none)."""
    limit = timeout or None
    sqlite = engine.dialect.name == "sqlite"

    def on_connect(dbapi: Any, record: Any) -> None:
        state = record.info[STATE] = _State(limit)
        if sqlite:
            dbapi.set_progress_handler(state.stop_now, _PROGRESS_STEPS)

    def on_do_connect(dialect: Any, record: Any, cargs: Any, cparams: dict[str, Any]) -> None:
        if limit is not None:
            option = f"-c statement_timeout={math.ceil(limit * 1000)}"
            cparams["options"] = f"{cparams['options']} {option}" if cparams.get("options") else option

    def before_execute(conn: sa.Connection, cursor: Any, statement: str, *_: Any) -> None:
        state: _State | None = conn.info.get(STATE)
        if state is None:
            return
        cancellation = state.cancellation
        if cancellation is not None and cancellation.cancelled and not _undoing(statement):
            raise _cancelled()
        if sqlite:
            state.deadline = math.inf if state.timeout is None else time.monotonic() + state.timeout

    def after_transaction(conn: sa.Connection) -> None:
        if conn.invalidated:  # a lost connection has no info to reset (reading it would raise)
            return
        state: _State | None = conn.info.get(STATE)
        if state is not None:
            state.deadline = math.inf  # COMMIT / ROLLBACK are never cut short by a stale deadline

    sa.event.listen(engine, "connect", on_connect)
    if not sqlite:
        sa.event.listen(engine, "do_connect", on_do_connect)
    sa.event.listen(engine, "before_cursor_execute", before_execute)
    for name in ("commit", "rollback"):
        sa.event.listen(engine, name, after_transaction)


@contextmanager
def translated(conn: sa.Connection, cancellation: Cancellation | None = None) -> Iterator[None]:
    """Attach `cancellation` to the connection for the block, and raise the database's reports of a
    timeout, a cancel or a lock wait as typed errors."""
    state: _State | None = conn.info.get(STATE)
    sqlite = conn.dialect.name == "sqlite"
    if cancellation is not None and state is not None:
        state.cancellation = cancellation
        cancellation._attach(conn.connection.dbapi_connection, sqlite)
    try:
        yield
    except sa.exc.DBAPIError as error:
        typed = _typed(error, state, cancellation)
        if typed is None:
            raise
        raise typed from error
    finally:
        if cancellation is not None and state is not None:
            cancellation._detach()
            state.cancellation = None


@contextmanager
def schema_transaction(conn: sa.Connection, *, statement_timeout: float | None,
                       lock_timeout: float | None) -> Iterator[None]:
    """A transaction for a schema change: its statements may run `statement_timeout` seconds, and it
    waits at most `lock_timeout` seconds for a lock (None or 0: no limit) — on SQLite for the write
    lock BEGIN IMMEDIATE takes (`busy_timeout`), on PostgreSQL for each table's lock (`lock_timeout`)."""
    state: _State | None = conn.info.get(STATE)
    sqlite = conn.dialect.name == "sqlite"
    dbapi: Any = conn.connection.dbapi_connection
    if sqlite:  # a pragma of the connection, outside any transaction: through the driver, not SQLAlchemy
        waited = dbapi.execute("PRAGMA busy_timeout").fetchone()[0]
        dbapi.execute(f"PRAGMA busy_timeout = {_milliseconds(lock_timeout)}")
    previous = state.timeout if state is not None else None
    try:
        with conn.begin():
            if not sqlite:  # SET LOCAL: the transaction's end restores the connection's own limits
                conn.execute(sa.select(sa.func.set_config("statement_timeout", _milliseconds(statement_timeout), True),
                                       sa.func.set_config("lock_timeout", _milliseconds(lock_timeout), True)))
            if state is not None:
                state.timeout = statement_timeout or None
            yield
    finally:
        if state is not None:
            state.timeout = previous
        if sqlite:
            dbapi.execute(f"PRAGMA busy_timeout = {int(waited)}")


def _cancelled() -> StatementCancelledError:
    return StatementCancelledError(translate("query.cancelled", "en"))


def _undoing(statement: str) -> bool:
    """ROLLBACK (TO SAVEPOINT): what a cancelled unit of work still runs on its way out."""
    return statement.lstrip()[:8].upper() == "ROLLBACK"


def _milliseconds(seconds: float | None) -> str:
    return str(math.ceil(seconds * 1000)) if seconds else "0"


def interrupted(error: sa.exc.DBAPIError) -> bool:
    """Whether the database stopped a statement for a time limit, a cancel or a lock wait (which
    `translated` reports as such): callers that turn database errors into their own let these pass."""
    orig = error.orig
    return (getattr(orig, "sqlstate", None) in _STOPPED_STATES
            or getattr(orig, "sqlite_errorname", None) in _STOPPED_SQLITE)


_STOPPED_STATES = frozenset({"57014", "55P03"})  # query_canceled, lock_not_available
_STOPPED_SQLITE = frozenset({"SQLITE_INTERRUPT", "SQLITE_BUSY", "SQLITE_LOCKED"})


def _typed(error: sa.exc.DBAPIError, state: _State | None, cancellation: Cancellation | None) -> JimuError | None:
    """The typed error for a timeout, a cancel or a lock wait; None for any other database error."""
    orig = error.orig
    sqlstate = getattr(orig, "sqlstate", None)
    name = getattr(orig, "sqlite_errorname", None)
    seconds = state.timeout if state is not None and state.timeout is not None else 0
    if cancellation is not None and cancellation.cancelled and (sqlstate == "57014" or name == "SQLITE_INTERRUPT"):
        return _cancelled()
    if sqlstate == "57014" or name == "SQLITE_INTERRUPT":
        return StatementTimeoutError(translate("query.timeout", "en", seconds=f"{seconds:g}"), seconds=f"{seconds:g}")
    if sqlstate == "55P03" or name in ("SQLITE_BUSY", "SQLITE_LOCKED"):
        return LockTimeoutError(translate("database.locked", "en"), retry_after=5)
    return None
