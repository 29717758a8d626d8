"""Reading records back: one SELECT for the headers (virtual fields computed inline), one per child table."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from jimu.engines.expressions.env import EvalEnv
from jimu.platform.context import Context
from jimu.platform.registry.model import CHILD_COLUMNS, SYSTEM_COLUMNS, EntityDef, FieldDef
from jimu.platform.storage.bindings import EntityBinding

Record = dict[str, Any]


def eval_env(ctx: Context) -> EvalEnv:
    return EvalEnv(current_user=ctx.user_id, now=ctx.now())


def value_fields(ctx: Context, entity: EntityDef) -> list[FieldDef]:
    """Fields with a value in a record: stored fields and virtual formulas/lookups (not child tables)."""
    return [f for f in entity.fields if f.type != "child_table"]


def child_fields(entity: EntityDef) -> list[FieldDef]:
    return [f for f in entity.fields if f.type == "child_table"]


def record_select(ctx: Context, entity: EntityDef) -> tuple[sa.Select[Any], sa.Table]:
    """SELECT of an entity's system columns and field values, labelled by field name."""
    table = ctx.tables[entity.key]
    binding = EntityBinding(ctx.catalog, ctx.tables, entity, eval_env(ctx), ctx.dialect, table)
    system = SYSTEM_COLUMNS + (CHILD_COLUMNS if entity.is_child else ())
    columns: list[ColumnElement[Any]] = [table.c[name] for name in system]
    columns += [binding.column(f.name).label(f.name) for f in value_fields(ctx, entity)]
    return sa.select(*columns), table


def fetch_records(ctx: Context, entity: EntityDef, ids: Sequence[int], *, include_deleted: bool = False,
                  condition: ColumnElement[bool] | None = None, with_lines: bool = True) -> dict[int, Record]:
    """Records by id (missing ids absent), with their lines ordered by position."""
    if not ids:
        return {}
    statement, table = record_select(ctx, entity)
    statement = statement.where(table.c.id.in_(list(ids)))
    if not include_deleted:
        statement = statement.where(table.c._deleted_at.is_(None))
    if condition is not None:
        statement = statement.where(condition)
    records = {row.id: dict(row._mapping) for row in ctx.conn.execute(statement)}
    if with_lines and records:
        for field in child_fields(entity):
            child = ctx.catalog.require_entity(field.get("entity"))
            by_parent = fetch_lines(ctx, child, list(records))
            for record_id, record in records.items():
                record[field.name] = by_parent.get(record_id, [])
    return records


def fetch_lines(ctx: Context, child: EntityDef, parent_ids: Sequence[int]) -> dict[int, list[Record]]:
    """Lines of a child entity for several parents, ordered by position."""
    statement, table = record_select(ctx, child)
    statement = statement.where(table.c._parent_id.in_(list(parent_ids))).order_by(
        table.c._parent_id, table.c._position, table.c.id)
    by_parent: dict[int, list[Record]] = {}
    for row in ctx.conn.execute(statement):
        by_parent.setdefault(row._parent_id, []).append(dict(row._mapping))
    return by_parent


def fetch_record(ctx: Context, entity: EntityDef, record_id: int, *, include_deleted: bool = False,
                 condition: ColumnElement[bool] | None = None) -> Record | None:
    return fetch_records(ctx, entity, [record_id], include_deleted=include_deleted, condition=condition).get(record_id)


def visible(ctx: Context, entity: EntityDef, record: Record) -> Record:
    """A record limited to the fields the user may read (lines limited by their own entity's fields)."""
    readable = ctx.access.readable_fields(entity.key)
    system = set(SYSTEM_COLUMNS) | set(CHILD_COLUMNS)
    shown: Record = {}
    for key, value in record.items():
        if key not in system and readable is not None and key not in readable:
            continue
        field = entity.field(key)
        if field is not None and field.type == "child_table":
            child = ctx.catalog.require_entity(field.get("entity"))
            value = [visible(ctx, child, line) for line in value]
        shown[key] = value
    return shown
