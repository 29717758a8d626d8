"""The kernel: one object per process holding the engine and a cache of the installed definitions."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jimu.platform.context import AccessPolicy, AllowAll, Context, Definitions, utcnow
from jimu.platform.database import create_engine
from jimu.platform.errors import ErrorDetail, ValueRefusedError
from jimu.platform.hooks import Hooks
from jimu.platform.i18n import translate
from jimu.platform.registry.apply import ApplyResult, apply_app
from jimu.platform.registry.catalog import Catalog
from jimu.platform.registry.repository import STAMP_QUERY, definitions_stamp, load_apps
from jimu.platform.registry.sections import DefinitionSection
from jimu.platform.settings import Settings
from jimu.platform.statements import Cancellation, schema_transaction, translated
from jimu.platform.storage.tables import build_tables
from jimu.platform.storage.value_range import failed_function
from jimu.platform.transactions import begin_retrying, work_mode


@contextmanager
def refused_values(locale: str) -> Iterator[None]:
    """A value the database or driver refuses becomes a ValueRefusedError.

    DataError: out of range, NUL in text; OverflowError: a number SQLite cannot bind, a date moved out of
    range by a SQLite helper. The unit of work is rolled back like after any other error.
    """
    try:
        yield
    except (sa.exc.DataError, sa.exc.OperationalError, OverflowError) as error:
        if isinstance(error, sa.exc.OperationalError) and not failed_function(error):
            raise
        code = ValueRefusedError.code
        raise ValueRefusedError(translate(code, locale), details=[
            ErrorDetail(path="", code=code, message=translate(code, locale))]) from error


def definitions_stamp_column() -> sa.ScalarSelect[Any]:
    """The definitions stamp as a scalar subquery, for a caller that reads it along its own first statement."""
    return STAMP_QUERY.scalar_subquery()


class Kernel:
    """Entry point of the platform for the engines, the web layer and the CLI.

    The definitions cache is checked against the database stamp at the start of every unit of
    work, so a definition applied by another worker or machine is seen on the next request.
    """

    def __init__(self, engine: Engine, *, settings: Settings | None = None, hooks: Hooks | None = None,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.engine = engine
        # The engines' parts of app definitions (processes, automations...), by section key: an engine
        # installing itself adds its check here (see registry/sections.py); `installed` names those engines.
        self.sections: dict[str, DefinitionSection] = {}
        self.installed: set[str] = set()
        self.settings = settings or Settings()
        self.hooks = hooks or Hooks()
        self.clock = clock
        self._definitions: Definitions | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> Kernel:
        engine = create_engine(settings.database_url, statement_timeout=settings.statement_timeout)
        return cls(engine, settings=settings)

    def definitions(self, conn: sa.Connection) -> Definitions:
        """The installed definitions, rebuilt only when the stamp moved."""
        return self.definitions_for_stamp(conn, definitions_stamp(conn))

    def definitions_for_stamp(self, conn: sa.Connection, stamp: int) -> Definitions:
        """The installed definitions at a stamp already read in this transaction."""
        cached = self._definitions
        if cached is not None and cached.stamp == stamp:
            return cached
        catalog = Catalog(load_apps(conn))
        fresh = Definitions(stamp=stamp, catalog=catalog, tables=build_tables(catalog))
        with self._lock:
            self._definitions = fresh
        return fresh

    def cached_definitions(self) -> Definitions | None:
        """The definitions last loaded (at the stamp last seen), without asking the database; None before any."""
        return self._definitions

    def invalidate(self) -> None:
        with self._lock:
            self._definitions = None

    @contextmanager
    def unit_of_work(self, *, user_id: int | None = None, locale: str = "en", access: AccessPolicy | None = None,
                     request_id: str | None = None, read_mostly: bool = False, read_only: bool = False,
                     first: Callable[[sa.Connection], int] | None = None,
                     cancellation: Cancellation | None = None) -> Iterator[Context]:
        """One transaction: committed when the block ends, rolled back whole on any exception.

        `read_mostly` work (HTTP GETs, exports) starts a deferred transaction on SQLite, so readers
        run side by side instead of queueing for the write lock; writes still work in it.
        `read_only` work (HTTP GETs) may not write; on PostgreSQL it sends no BEGIN/COMMIT, each statement
        being consistent by itself (reads that must agree take `transactions.one_snapshot`); on SQLite it is
        read-mostly work.
        `first` runs first in the transaction and returns the definitions stamp it read (with
        `definitions_stamp_column()`), saving the stamp query — e.g. the API's token lookup. When the
        connection proves dead on that first statement, it runs again once on a fresh connection.
        `cancellation`, when set from another thread, stops the work's statements (platform/statements.py);
        a statement past its time limit, cancelled or left waiting for a lock raises a typed 503 error.
        """
        work = work_mode(self.engine.dialect, read_only=read_only, read_mostly=read_mostly)
        with begin_retrying(self.engine, work, first or definitions_stamp,
                            around=lambda conn: translated(conn, cancellation)) as (conn, stamp):
            definitions = self.definitions_for_stamp(conn, stamp)
            with refused_values(locale):
                yield Context(conn=conn, definitions=definitions, user_id=user_id, locale=locale,
                              clock=self.clock, access=access or AllowAll(), hooks=self.hooks, request_id=request_id)

    def apply_app(self, raw: Any, *, dry_run: bool = False, user_id: int | None = None,
                  locale: str = "en") -> ApplyResult:
        """Apply (or check, on `dry_run`) an app definition in a transaction of its own."""
        settings = self.settings
        with self.engine.connect() as conn, translated(conn), \
                schema_transaction(conn, statement_timeout=settings.schema_statement_timeout,
                                   lock_timeout=settings.schema_lock_timeout):
            result = apply_app(conn, raw, dry_run=dry_run, user_id=user_id, locale=locale, now=self.clock(),
                               sections=self.sections)
        if result.applied:
            self.invalidate()
        return result
