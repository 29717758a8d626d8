"""Applying a checked SchemaDiff to live tables inside the caller's transaction.

Order per entity: drop indexes, archive / add / restore / convert columns, fix foreign keys,
give new fields' defaults to existing rows, create indexes; then new tables; finally stored computed
fields are backfilled in SQL.
Columns are never dropped: a removed field's column is archived with its data.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from jimu.engines.expressions.env import EvalEnv
from jimu.platform.context import Definitions
from jimu.platform.registry.model import EntityDef
from jimu.platform.storage.archive import ENTITY_MARK, forget_archived, record_archived
from jimu.platform.storage.data_checks import CheckPlan, ColumnRewrite
from jimu.platform.storage.ddl import ColumnDDL
from jimu.platform.storage.default_fill import fill_defaults
from jimu.platform.storage.diff import ChangeKind, SchemaDiff, column_signature
from jimu.platform.storage.recompute import recompute, stored_computed_fields
from jimu.platform.storage.tables import LEGACY_NAME, EntityTables, build_table, build_tables, field_column

K = ChangeKind
_DROPS = (K.DROP_INDEX, K.DROP_UNIQUE)
_ADDS = (K.ADD_INDEX, K.ADD_UNIQUE)
# Changes after which stored computed values may differ: they are recomputed for every row.
_BACKFILL = (K.COMPUTED_CHANGED, K.CHANGE_TYPE, K.CHANGE_OPTIONS, K.RESTORE_FIELD, K.CHANGE_LINK_TARGET,
             K.ARCHIVE_FIELD)


def apply_diff(conn: sa.Connection, diff: SchemaDiff, plan: CheckPlan, *, revision: int, now: datetime,
               env: EvalEnv) -> EntityTables:
    """Apply every change of `diff`; return the tables of the new catalog."""
    tables = build_tables(diff.new)
    ddl = ColumnDDL(conn)
    created = [c.entity for c in diff.of_kind(K.CREATE_ENTITY)]
    if created:
        tables.metadata.create_all(conn, tables=[tables[key] for key in created], checkfirst=False)
    for entity in diff.new.apps[diff.app].entities:
        if entity.key not in created and diff.for_entity(entity.key):
            _migrate_entity(ddl, diff, plan, entity, tables, revision, now, env)
    for change in diff.of_kind(K.ARCHIVE_ENTITY):
        raw = diff.old.entities[change.entity].raw
        info = {"definition": raw, "type": "entity"}
        record_archived(conn, change.entity, ENTITY_MARK, ENTITY_MARK, info, revision, now)
    if diff.of_kind(*_BACKFILL):
        backfill(conn, Definitions(stamp=0, catalog=diff.new, tables=tables), env)
    return tables


def backfill(conn: sa.Connection, definitions: Definitions, env: EvalEnv) -> None:
    """Recompute every stored formula, rollup and lookup of every record."""
    for key, entity in definitions.catalog.entities.items():
        if stored_computed_fields(definitions, entity):
            recompute(conn, definitions, key, None, env)


def _migrate_entity(ddl: ColumnDDL, diff: SchemaDiff, plan: CheckPlan, entity: EntityDef, tables: EntityTables,
                    revision: int, now: datetime, env: EvalEnv) -> None:
    key, table = entity.key, entity.table_name
    before = diff.old.entities[key]
    replaced = _replaced_columns(diff, key, plan) if ddl.sqlite else set()
    old_indexes = {str(i.name): i for i in build_table(before, diff.old, sa.MetaData()).indexes}
    new_indexes = {str(i.name): i for i in tables[key].indexes}
    drops = {c.details["index"] for c in diff.for_entity(key, *_DROPS)}
    drops |= {n for n, i in old_indexes.items() if {c.name for c in i.columns} & replaced}
    adds = {c.details["index"] for c in diff.for_entity(key, *_ADDS)}
    adds |= {n for n, i in new_indexes.items() if {c.name for c in i.columns} & replaced}
    for name in sorted(drops):
        old = old_indexes.get(name)
        ddl.drop_index(name, table, legacy=old.info.get(LEGACY_NAME) if old is not None else None)
    for change in diff.for_entity(key):
        _apply_column_change(ddl, diff, plan, change.kind, key, change.field_key, table, revision, now)
    fill_defaults(ddl.conn, diff, tables, entity, env)
    for name in sorted(adds):
        ddl.create_index(new_indexes[name])


def _replaced_columns(diff: SchemaDiff, key: str, plan: CheckPlan) -> set[str]:
    """Columns SQLite replaces (type or foreign key changes): their indexes are rebuilt."""
    columns = {c.field_key or "" for c in diff.for_entity(key, K.CHANGE_LINK_TARGET, K.CHANGE_ON_DELETE, K.CHANGE_TYPE,
                                                                  K.ARCHIVE_FIELD, K.RESTORE_FIELD)}
    columns |= {column for (entity, column), rewrite in plan.rewrites.items() if entity == key and rewrite.retype}
    return columns


def _apply_column_change(ddl: ColumnDDL, diff: SchemaDiff, plan: CheckPlan, kind: ChangeKind, key: str,
                         field_key: str | None, table: str, revision: int, now: datetime) -> None:
    if field_key is None:
        return
    new_field = diff.new.entities[key].field_by_key(field_key)
    if kind == K.ARCHIVE_FIELD:
        old_field = diff.old.entities[key].field_by_key(field_key)
        assert old_field is not None
        info = {"definition": old_field.raw, "type": old_field.type,
                "column_type": column_signature(old_field, diff.old),
                "foreign_key": bool(diff.old.field_type(old_field).foreign_key(old_field, diff.old))}
        record_archived(ddl.conn, key, field_key, old_field.column, info, revision, now)
        if info["foreign_key"]:
            column = sa.Column(old_field.column, diff.old.field_type(old_field).sa_type(old_field, diff.old))
            ddl.set_foreign_key(table, column)
        return
    if new_field is None:
        return
    column = field_column(new_field, diff.new)
    rewrite = plan.rewrites.get((key, new_field.column))
    if kind == K.ADD_FIELD:
        ddl.add_column(table, column)
    elif kind == K.RESTORE_FIELD:
        forget_archived(ddl.conn, key, new_field.column)
        if rewrite is not None and rewrite.retype:
            ddl.retype(table, column, keep_values=False)
        elif column.foreign_keys:
            ddl.set_foreign_key(table, column)
        _write(ddl.conn, table, column, rewrite)
    elif kind in (K.CHANGE_TYPE, K.CHANGE_OPTIONS):
        if rewrite is not None and rewrite.retype:
            ddl.retype(table, column, keep_values=False)
        elif kind == K.CHANGE_TYPE and (column.foreign_keys or _had_foreign_key(diff, key, field_key)):
            ddl.set_foreign_key(table, column)
        _write(ddl.conn, table, column, rewrite)
    elif kind in (K.CHANGE_LINK_TARGET, K.CHANGE_ON_DELETE):
        ddl.set_foreign_key(table, column)


def _had_foreign_key(diff: SchemaDiff, key: str, field_key: str) -> bool:
    old_field = diff.old.entities[key].field_by_key(field_key)
    return old_field is not None and diff.old.field_type(old_field).foreign_key(old_field, diff.old) is not None


def _write(conn: sa.Connection, table: str, column: sa.Column[Any], rewrite: ColumnRewrite | None) -> None:
    """Write converted values by record id."""
    if rewrite is None or not rewrite.values:
        return
    target = sa.table(table, sa.column("id"), sa.column(column.name, column.type))
    statement = (sa.update(target).where(target.c.id == sa.bindparam("_id"))
                 .values({column.name: sa.bindparam("_value", type_=column.type)}))
    conn.execute(statement, [{"_id": record_id, "_value": value} for record_id, value in rewrite.values])
