"""Inserting many new rows into one table: one executemany per batch, the new ids in row order.

SQLAlchemy's Core executemany builds and processes a parameter dict per row, which costs more than
the database's own insert on SQLite. Here the INSERT is compiled once per set of columns and the
rows go to the DBAPI's executemany as tuples (or dicts), through the same bind processors SQLAlchemy
uses (`type.dialect_impl(dialect).bind_processor(dialect)`), made once; the columns every row shares
(the write stamp) are processed once per batch. PostgreSQL gets the same values through COPY.
"""
from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from jimu.platform.transactions import leave_pipeline

Processor = Callable[[Any], Any]


class TableInserter:
    """executemany INSERTs of new rows into one table, giving the new ids in row order.

    SQLite holds the database's write lock for the whole transaction (BEGIN IMMEDIATE) and gives an
    INTEGER PRIMARY KEY max(id) + 1, so the ids are the next ones after the current maximum.
    PostgreSQL: the ids are drawn from the table's sequence first (its name looked up once) and
    inserted explicitly. Both are much faster than INSERT ... RETURNING for many rows.
    """

    def __init__(self, table: sa.Table) -> None:
        self.table = table
        self.statement = sa.insert(table)
        self.sequence: str | None = None
        self.compiled: dict[tuple[sa.Dialect, tuple[str, ...]], DriverInsert | None] = {}

    def insert(self, conn: sa.Connection, rows: list[dict[str, Any]], shared: Mapping[str, Any]) -> list[int]:
        """Insert `rows` (one set of keys), each with the `shared` column values; their ids in order.

        On PostgreSQL each row gets its "id" set in place.
        """
        if not rows:
            return []
        table = self.table
        if conn.dialect.name == "sqlite":
            before = int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar_one())
            self._execute(conn, rows, shared)
            after = int(conn.execute(sa.select(sa.func.max(table.c.id))).scalar_one())
            if after - before == len(rows):
                return list(range(before + 1, after + 1))
            raise RuntimeError(f"ids of {table.name} are not consecutive after a bulk insert")
        if conn.dialect.name == "postgresql":
            if self.sequence is None:
                serial = sa.select(sa.func.pg_get_serial_sequence(table.name, "id"))
                self.sequence = str(conn.execute(serial).scalar_one())
            sequence = sa.cast(sa.literal(self.sequence), postgresql.REGCLASS())
            drawn = sa.func.array_agg(sa.func.nextval(sequence))  # one array value, not a row per id
            ids = list(conn.execute(sa.select(drawn).select_from(sa.func.generate_series(1, len(rows)))).scalar_one())
            for row, new_id in zip(rows, ids):
                row["id"] = new_id
            self._execute(conn, rows, shared)
            return ids
        statement = self.statement.returning(table.c.id, sort_by_parameter_order=True)
        return [int(i) for i in conn.execute(statement, [{**row, **shared} for row in rows]).scalars()]

    def _execute(self, conn: sa.Connection, rows: list[dict[str, Any]], shared: Mapping[str, Any]) -> None:
        keys = (*rows[0], *shared)
        cache_key = (conn.dialect, keys)
        if cache_key not in self.compiled:
            self.compiled[cache_key] = DriverInsert.compile(self.statement, conn.dialect, keys)
        driver = self.compiled[cache_key]
        if driver is None:
            conn.execute(self.statement, [{**row, **shared} for row in rows])
        elif conn.dialect.driver == "psycopg":
            driver.copy(conn, self.table, keys, rows, shared)
        else:
            conn.exec_driver_sql(driver.sql, driver.parameters(rows, shared))


class DriverInsert:
    """An INSERT compiled for one set of columns, with each column's bind processor."""

    def __init__(self, sql: str, names: tuple[str, ...] | None, processors: dict[str, Processor]) -> None:
        self.sql = sql
        self.names = names  # positional paramstyle: the parameter names in order; None: named (COPY only)
        self.processors = processors

    @classmethod
    def compile(cls, statement: sa.Insert, dialect: sa.Dialect, keys: tuple[str, ...]) -> DriverInsert | None:
        """The statement for `keys`; None when it needs more than plain values (defaults, escaped names)."""
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
        if set(compiled.binds) != set(keys) or compiled.escaped_bind_names:
            return None
        names = compiled.positiontup if dialect.positional else None
        if dialect.positional and (names is None or set(names) != set(keys) or len(names) != len(keys)):
            return None
        if not dialect.positional and dialect.driver != "psycopg":  # named parameters: only through COPY
            return None
        processors: dict[str, Processor] = {}
        for name, bind in compiled.binds.items():
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                processors[name] = processor
        return cls(compiled.string, tuple(names) if names is not None else None, processors)

    def copy(self, conn: sa.Connection, table: sa.Table, keys: tuple[str, ...], rows: list[dict[str, Any]],
             shared: Mapping[str, Any]) -> None:
        """PostgreSQL: the rows through COPY ... FROM STDIN (its bulk path: several times faster than an
        executemany for the server), the values processed as for the INSERT; errors raised as SQLAlchemy's."""
        quote = conn.dialect.identifier_preparer
        sql = (f"COPY {quote.format_table(table)} ({', '.join(quote.quote(key) for key in keys)}) FROM STDIN")
        processors = self.processors
        fixed = tuple(processors[k](v) if k in processors else v for k, v in shared.items())
        names = list(rows[0])
        steps = [(i, processors[name]) for i, name in enumerate(names) if name in processors]
        get = operator.itemgetter(*names)
        single = len(names) == 1
        dbapi = conn.dialect.loaded_dbapi
        leave_pipeline(conn)  # COPY needs the plain protocol
        cursor: Any = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            with cursor, cursor.copy(sql) as copy:
                for row in rows:
                    values = [get(row)] if single else list(get(row))
                    for i, processor in steps:
                        values[i] = processor(values[i])
                    copy.write_row((*values, *fixed))
        except dbapi.Error as error:
            raise sa.exc.DBAPIError.instance(sql, None, error, dbapi.Error, dialect=conn.dialect) from error

    def parameters(self, rows: list[dict[str, Any]], shared: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """The positional DBAPI parameters of each row: processed values, the shared ones processed once."""
        processors = self.processors
        fixed = {k: processors[k](v) if k in processors else v for k, v in shared.items()}
        assert self.names is not None
        template = [fixed.get(name) for name in self.names]
        moving = [(i, name) for i, name in enumerate(self.names) if name not in fixed]
        places = [i for i, _ in moving]
        get = operator.itemgetter(*[name for _, name in moving])
        steps = [(i, processors[name]) for i, name in moving if name in processors]
        single = len(moving) == 1  # itemgetter of one key gives the value, not a tuple
        positional = []
        for row in rows:
            values = template.copy()
            for i, value in zip(places, (get(row),) if single else get(row)):
                values[i] = value
            for i, processor in steps:
                values[i] = processor(values[i])
            positional.append(tuple(values))
        return positional
