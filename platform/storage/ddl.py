"""Column DDL on live tables, inside the caller's transaction, on SQLite and PostgreSQL.

PostgreSQL gets plain ALTER statements through Alembic's `Operations`. SQLite cannot ALTER a
column's type or foreign key, and rebuilding the table (Alembic's batch mode) drops the old one,
which with foreign keys on fires ON DELETE CASCADE on the child rows. So a SQLite column is
replaced in place instead: ADD COLUMN (new type, new REFERENCES), copy, DROP COLUMN, RENAME COLUMN.
A table-level FOREIGN KEY naming the old column (as CREATE TABLE writes them) would stop DROP COLUMN,
so it is first removed from the stored table definition — SQLite's documented `writable_schema`
procedure for changing constraints that do not affect the stored rows.
"""
from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy.sql.schema import ForeignKey

_TEMP_PREFIX = "_jimu_new_"
_NAME = r'(?:"[^"]+"|\w+)'
_ACTIONS = r"(?:\s+ON\s+(?:DELETE|UPDATE)\s+(?:SET NULL|SET DEFAULT|CASCADE|RESTRICT|NO ACTION))*"


class ColumnDDL:
    """Schema operations on one connection (its transaction holds them all)."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        self.sqlite = conn.dialect.name == "sqlite"
        self.ops = Operations(MigrationContext.configure(conn))
        self._quote = conn.dialect.identifier_preparer.quote

    # ---- indexes --------------------------------------------------------------------
    def drop_index(self, name: str, table: str, *, legacy: str | None = None) -> None:
        """Drop an index by name; also by its `legacy` name when this table has an index of that name (an
        installation made before generated names were made injective)."""
        self.ops.drop_index(name, table_name=table, if_exists=True)
        if legacy and legacy != name and self._has_index(table, legacy):
            self.ops.drop_index(legacy, table_name=table)

    def _has_index(self, table: str, name: str) -> bool:
        if self.sqlite:
            query = sa.text("SELECT 1 FROM sqlite_master WHERE type = 'index' AND tbl_name = :table AND name = :name")
        else:
            query = sa.text("SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND tablename = :table"
                            " AND indexname = :name")
        return self.conn.execute(query, {"table": table, "name": name}).first() is not None

    def create_index(self, index: sa.Index) -> None:
        index.create(self.conn, checkfirst=False)

    # ---- columns ----------------------------------------------------------------------
    def add_column(self, table: str, column: sa.Column[Any]) -> None:
        """Add a nullable column (with its foreign key, if it has one)."""
        if not self.sqlite:
            self.ops.add_column(table, column)
            return
        plain = sa.Column(column.name, column.type, nullable=True)
        spec = sa.schema.CreateColumn(plain).compile(dialect=self.conn.dialect)
        self.conn.exec_driver_sql(f"ALTER TABLE {self._quote(table)} ADD COLUMN {spec}{self._references(column)}")

    def retype(self, table: str, column: sa.Column[Any], *, keep_values: bool) -> None:
        """Give a column a new type and foreign key; without `keep_values` it is left all NULL."""
        if self.sqlite:
            self._replace(table, column, keep_values=keep_values)
            return
        self._drop_foreign_keys(table, column.name)
        self.ops.alter_column(table, column.name, type_=column.type,
                              postgresql_using=None if keep_values else "NULL")
        self._add_foreign_key(table, column)

    def set_foreign_key(self, table: str, column: sa.Column[Any]) -> None:
        """Make the column's foreign key what `column` says (none, another target, another ON DELETE)."""
        if self.sqlite:
            self._replace(table, column, keep_values=True)
            return
        self._drop_foreign_keys(table, column.name)
        self._add_foreign_key(table, column)

    # ---- helpers ------------------------------------------------------------------------
    def _replace(self, table: str, column: sa.Column[Any], *, keep_values: bool) -> None:
        temp = sa.Column(_TEMP_PREFIX + column.name, column.type, *[ForeignKey(fk.target_fullname, ondelete=fk.ondelete,
                                                                     name=fk.name) for fk in column.foreign_keys])
        self._strip_table_foreign_key(table, column.name)
        self.add_column(table, temp)
        q_table, q_old, q_new = self._quote(table), self._quote(column.name), self._quote(temp.name)
        if keep_values:
            self.conn.exec_driver_sql(f"UPDATE {q_table} SET {q_new} = {q_old}")
        self.conn.exec_driver_sql(f"ALTER TABLE {q_table} DROP COLUMN {q_old}")
        self.conn.exec_driver_sql(f"ALTER TABLE {q_table} RENAME COLUMN {q_new} TO {q_old}")

    def _strip_table_foreign_key(self, table: str, column: str) -> None:
        """Remove `FOREIGN KEY(column) REFERENCES ...` from a SQLite table's stored definition."""
        sql = self.conn.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :name"),
                                {"name": table}).scalar_one()
        pattern = (rf',\s*(?:CONSTRAINT\s+{_NAME}\s+)?FOREIGN KEY\s*\(\s*"?{re.escape(column)}"?\s*\)'
                   rf"\s*REFERENCES\s+{_NAME}\s*\([^)]*\){_ACTIONS}")
        stripped = re.sub(pattern, "", sql, flags=re.IGNORECASE)
        if stripped == sql:
            return
        version = int(self.conn.exec_driver_sql("PRAGMA schema_version").scalar_one())
        self.conn.exec_driver_sql("PRAGMA writable_schema=ON")
        try:
            self.conn.execute(sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = :name"),
                              {"sql": stripped, "name": table})
            self.conn.exec_driver_sql(f"PRAGMA schema_version={version + 1}")
        finally:
            self.conn.exec_driver_sql("PRAGMA writable_schema=OFF")

    def _references(self, column: sa.Column[Any]) -> str:
        """SQLite's inline REFERENCES clause of a column (identifiers quoted, ON DELETE from a fixed list)."""
        fk = next(iter(column.foreign_keys), None)
        if fk is None:
            return ""
        target_table, target_column = fk.target_fullname.rsplit(".", 1)
        clause = f" REFERENCES {self._quote(target_table)} ({self._quote(target_column)})"
        if fk.name:
            clause = f" CONSTRAINT {self._quote(str(fk.name))}{clause}"
        if fk.ondelete:
            clause += f" ON DELETE {fk.ondelete}"
        return clause

    def _drop_foreign_keys(self, table: str, column: str) -> None:
        for fk in sa.inspect(self.conn).get_foreign_keys(table):
            if fk["constrained_columns"] == [column] and fk.get("name"):
                self.ops.drop_constraint(str(fk["name"]), table, type_="foreignkey")

    def _add_foreign_key(self, table: str, column: sa.Column[Any]) -> None:
        for fk in column.foreign_keys:
            target_table, target_column = fk.target_fullname.rsplit(".", 1)
            self.ops.create_foreign_key(str(fk.name) if fk.name else None, table, target_table, [column.name],
                                        [target_column], ondelete=fk.ondelete)
