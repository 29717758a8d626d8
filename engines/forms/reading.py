"""Reading records back: one SELECT for the headers (virtual fields computed inline), one per child table.

The SELECTs of each entity are built once per catalog and dialect (`read_plan`, kept in the catalog's
bounded `read_plans` cache) and reused as the same statement objects, so a read compiles nothing:
SQLAlchemy finds the compiled SQL by the statement's memoized key.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from jimu.engines.expressions.env import EvalEnv
from jimu.engines.expressions.limits import integer_in_range
from jimu.platform.context import Context
from jimu.platform.fields.registry import FIELD_TYPES
from jimu.platform.registry.catalog import Catalog
from jimu.platform.registry.model import CHILD_COLUMNS, SYSTEM_COLUMNS, EntityDef, FieldDef
from jimu.platform.storage.bindings import EntityBinding
from jimu.platform.transactions import one_snapshot

from .record_queries import query_runner

Record = dict[str, Any]
_HIDDEN_NEVER = frozenset(SYSTEM_COLUMNS) | frozenset(CHILD_COLUMNS)


def eval_env(ctx: Context) -> EvalEnv:
    """Who and when, and the runner of aggregates over other records for Python evaluation (record_queries)."""
    return EvalEnv(current_user=ctx.user_id, now=ctx.now(), query_aggregate=query_runner(ctx))


class WatchedEnv(EvalEnv):
    """An EvalEnv that notes whether anything read the user or the clock.

    SQL built with an untouched WatchedEnv does not depend on who asks or when, so it can be kept
    and reused (a formula with TODAY() or CURRENT_USER() binds those values: it is built per call).
    """

    def __init__(self, current_user: int | None, now: datetime) -> None:
        super().__init__(current_user, now)
        object.__setattr__(self, "_reads", [])

    def __getattribute__(self, name: str) -> Any:
        if name in ("current_user", "now"):
            object.__getattribute__(self, "_reads").append(name)
        return object.__getattribute__(self, name)

    @property
    def touched(self) -> bool:
        return bool(object.__getattribute__(self, "_reads"))


def watched_env(ctx: Context) -> WatchedEnv:
    return WatchedEnv(ctx.user_id, ctx.now())


class ReaderGuard:
    """The reader's record rules on linked records, as an EntityBinding `guard`.

    Notes the entities it was asked about and whether any rule applied: SQL built while none applied
    holds no rule, so it may be reused for any reader who may read all of `asked` (`unrestricted`).
    """

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.asked: set[str] = set()
        self.restricted = False

    def __call__(self, entity_key: str, table: sa.FromClause) -> ColumnElement[bool] | None:
        self.asked.add(entity_key)
        condition = self.ctx.access.row_condition(entity_key, table, "read")
        self.restricted = self.restricted or condition is not None
        return condition


def unrestricted(ctx: Context, entity_keys: frozenset[str]) -> bool:
    """Whether the reader may read every row of these entities (no record rule limits them)."""
    return all(ctx.access.row_condition(key, ctx.tables[key], "read") is None for key in entity_keys)


def value_fields(ctx: Context, entity: EntityDef) -> list[FieldDef]:
    """Fields with a value in a record: stored fields and virtual formulas/lookups (not child tables)."""
    return [f for f in entity.fields if not FIELD_TYPES[f.type].owns_rows]


def child_fields(entity: EntityDef) -> list[FieldDef]:
    return [f for f in entity.fields if FIELD_TYPES[f.type].owns_rows]


@dataclass(frozen=True)
class ReadPlan:
    """An entity's record SELECT (system columns, field values labelled by name) and its ready statements
    (the guarded UPDATE of a header too, RETURNING the record's columns)."""

    entity: EntityDef
    table: sa.Table
    select: sa.Select[Any]
    names: tuple[str, ...]  # result columns, in order
    by_id: sa.Select[Any]  # one live record: bind `record_id`
    by_id_any: sa.Select[Any]  # one record, deleted or not: bind `record_id`
    lines_of: sa.Select[Any] | None  # child entities: the lines of one parent by position, bind `parent_id`
    children: dict[str, EntityDef]  # child table field name → child entity
    by_id_locked: sa.Select[Any]  # one record, deleted or not, its row locked (PostgreSQL FOR UPDATE): `record_id`
    # the select's columns when each is a column of the table (no virtual field): an UPDATE can RETURN them
    returning: tuple[ColumnElement[Any], ...] | None
    # the header's UPDATE guarded by its version (bind `jimu_id`, `jimu_version` and the columns set), and the
    # same RETURNING the record's columns (when `returning`)
    guarded: sa.Update
    guarded_returning: sa.Update | None

    def fetch(self, ctx: Context, statement: sa.Select[Any], params: dict[str, Any] | None = None) -> list[Record]:
        names = self.names
        ready = None if ctx.ready is None else ctx.ready.take(statement, params)  # read along the token check
        rows = ctx.conn.execute(statement, params) if ready is None else ready
        return [dict(zip(names, row)) for row in rows]


def read_plan(ctx: Context, entity: EntityDef) -> ReadPlan:
    """The entity's ReadPlan: built once per catalog and dialect, per call when a virtual field uses now/user
    or reads through a link into records the reader's record rules limit."""
    plans = ctx.catalog.caches["read_plans"]
    key = (entity.key, ctx.dialect)
    cached = plans.get(key)
    if cached is not None and unrestricted(ctx, cached[1]):
        plan: ReadPlan = cached[0]
        return plan
    env, guard = watched_env(ctx), ReaderGuard(ctx)
    plan = _build_plan(ctx, entity, env, guard)
    if not env.touched and not guard.restricted:
        plan = plans.put(key, (plan, frozenset(guard.asked)))[0]
    return plan


def _build_plan(ctx: Context, entity: EntityDef, env: EvalEnv, guard: ReaderGuard) -> ReadPlan:
    table = ctx.tables[entity.key]
    binding = EntityBinding(ctx.catalog, ctx.tables, entity, env, ctx.dialect, table, guard=guard)
    system = SYSTEM_COLUMNS + (CHILD_COLUMNS if entity.is_child else ())
    columns: list[ColumnElement[Any]] = [table.c[name] for name in system]
    fields = value_fields(ctx, entity)
    values = [binding.column(f.name) for f in fields]
    plain = all(isinstance(value, sa.Column) and value.table is table for value in values)
    columns += [value.label(f.name) for f, value in zip(fields, values)]
    select = sa.select(*columns)
    one = table.c.id == sa.bindparam("record_id")
    lines_of = None
    if entity.is_child:
        lines_of = select.where(table.c._parent_id == sa.bindparam("parent_id")).order_by(table.c._position, table.c.id)
    children = {f.name: ctx.catalog.require_related(f) for f in child_fields(entity)}
    by_id = select.where(one, table.c._deleted_at.is_(None))
    guarded = sa.update(table).where(table.c.id == sa.bindparam("jimu_id"),
                                     table.c._version == sa.bindparam("jimu_version"))
    return ReadPlan(entity, table, select, (*system, *(f.name for f in fields)), by_id, select.where(one),
                    lines_of, children, select.where(one).with_for_update(of=table),
                    tuple(columns) if plain else None, guarded, guarded.returning(*columns) if plain else None)


def ready_by_id(catalog: Catalog, dialect: str, entity_key: str) -> sa.Select[Any] | None:
    """The ready statement of one live record of an entity without lines (bind `record_id`), if its plan is
    built already: a request may read it ahead (platform/read_ahead.py). `fetch_records` runs that very
    statement only for a reader no record rule limits, so the rows read ahead serve no one else."""
    cached = catalog.caches["read_plans"].get((entity_key, dialect))
    if cached is None or cached[0].children:
        return None
    statement: sa.Select[Any] = cached[0].by_id
    return statement


def record_select(ctx: Context, entity: EntityDef) -> tuple[sa.Select[Any], sa.Table]:
    """SELECT of an entity's system columns and field values, labelled by field name."""
    plan = read_plan(ctx, entity)
    return plan.select, plan.table


def fetch_records(ctx: Context, entity: EntityDef, ids: Sequence[int], *, include_deleted: bool = False,
                  condition: ColumnElement[bool] | None = None, with_lines: bool = True,
                  lock: bool = False) -> dict[int, Record]:
    """Records by id (missing ids absent), with their lines ordered by position; with `lock`, the headers'
    rows locked for a read-modify-write (PostgreSQL FOR UPDATE: lines are locked through their record)."""
    ids = [i for i in ids if integer_in_range(i)]  # no row has an id outside 64 bits: not sent to the database
    if not ids:
        return {}
    plan = read_plan(ctx, entity)
    table = plan.table
    params = None
    if len(ids) == 1 and condition is None and (include_deleted or not lock):  # the hot path: a ready statement
        ready = plan.by_id_locked if lock else plan.by_id_any if include_deleted else plan.by_id
        statement, params = ready, {"record_id": ids[0]}
    else:
        statement = plan.select.where(table.c.id.in_(list(ids)))
        if not include_deleted:
            statement = statement.where(table.c._deleted_at.is_(None))
        if condition is not None:
            statement = statement.where(condition)
        if lock:
            statement = statement.with_for_update(of=table)
    if not (with_lines and plan.children):
        return {record["id"]: record for record in plan.fetch(ctx, statement, params)}
    with one_snapshot(ctx.conn):  # the header and its lines as of one moment
        records = {record["id"]: record for record in plan.fetch(ctx, statement, params)}
        for name, child in plan.children.items() if records else ():
            by_parent = fetch_lines(ctx, child, list(records))
            for record_id, record in records.items():
                record[name] = by_parent.get(record_id, [])
    return records


def fetch_lines(ctx: Context, child: EntityDef, parent_ids: Sequence[int]) -> dict[int, list[Record]]:
    """Lines of a child entity for several parents, ordered by position."""
    plan = read_plan(ctx, child)
    if len(parent_ids) == 1 and plan.lines_of is not None:
        return {parent_ids[0]: plan.fetch(ctx, plan.lines_of, {"parent_id": parent_ids[0]})}
    table = plan.table
    statement = plan.select.where(table.c._parent_id.in_(list(parent_ids))).order_by(
        table.c._parent_id, table.c._position, table.c.id)
    by_parent: dict[int, list[Record]] = {}
    for line in plan.fetch(ctx, statement):
        by_parent.setdefault(line["_parent_id"], []).append(line)
    return by_parent


def fetch_record(ctx: Context, entity: EntityDef, record_id: int, *, include_deleted: bool = False,
                 condition: ColumnElement[bool] | None = None, lock: bool = False) -> Record | None:
    return fetch_records(ctx, entity, [record_id], include_deleted=include_deleted, condition=condition,
                         lock=lock).get(record_id)


def visible(ctx: Context, entity: EntityDef, record: Record) -> Record:
    """A record limited to the fields the user may read (lines limited by their own entity's fields)."""
    readable = ctx.access.readable_fields(entity.key)
    children = read_plan(ctx, entity).children
    shown: Record = {}
    for key, value in record.items():
        if readable is not None and key not in readable and key not in _HIDDEN_NEVER:
            continue
        child = children.get(key)
        if child is not None:
            value = [visible(ctx, child, line) for line in value]
        shown[key] = value
    return shown
