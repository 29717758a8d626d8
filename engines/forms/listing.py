"""Listing records: one SELECT per page with filters, search, access rules, sort and keyset pagination."""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from jimu.engines.forms import cursor as keyset
from jimu.engines.forms.cursor import nulls_sort_high
from jimu.engines.forms.listing_fields import FieldResolver, ResolvedField, filter_sql
from jimu.engines.forms.query import ListQuery, SortKey, parse_sort
from jimu.engines.forms.reading import ReaderGuard, eval_env, unrestricted, watched_env
from jimu.platform.context import Context
from jimu.platform.fields.registry import FIELD_TYPES
from jimu.platform.registry.model import EntityDef

DEFAULT_SORT = (SortKey("id", descending=True),)
SYSTEM_OUTPUT = ("_version", "_created_at", "_created_by", "_updated_at", "_updated_by", "_deleted_at")
_UNSORTABLE = frozenset(t.name for t in FIELD_TYPES if not t.sortable)


@dataclass
class Page:
    """One page of rows (dicts keyed by field name) and the cursor of the next page."""

    rows: list[dict[str, Any]]
    next_cursor: str | None
    has_more: bool


@dataclass(frozen=True)
class Count:
    """A row count; `exact` is False when it reached the cap (then `value` is the cap)."""

    value: int
    exact: bool


@dataclass(frozen=True)
class ListShape:
    """What a query's projection and sort compile to, whatever its filter values: kept per catalog.

    `select` reads `id`, the output columns (`f_n`) and the sort keys not already among them (`k_n`),
    in the sort order; a sort key that is an output column is read (and ordered) once, by its label.
    """

    output: list[ResolvedField]
    keys: list[keyset.KeyColumn]
    select: sa.Select[Any]
    names: tuple[str, ...]  # "id" and the output names: the first columns of a result row
    converters: tuple[tuple[int, Callable[[Any], Any]], ...]  # (column, python_value) where not the identity
    key_columns: tuple[int, ...]  # the result column holding each sort key's value
    width: int  # columns of `select`; extra columns come after them


@dataclass
class ListPlan:
    """A compiled list query: output columns, WHERE conditions and ORDER BY keys of one entity."""

    entity: EntityDef
    table: sa.Table
    resolver: FieldResolver
    shape: ListShape
    where: list[ColumnElement[bool]]
    extra: dict[str, ColumnElement[Any]] = field(default_factory=dict)

    @property
    def output(self) -> list[ResolvedField]:
        return self.shape.output

    @property
    def keys(self) -> list[keyset.KeyColumn]:
        return self.shape.keys

    def statement(self, limit: int, after: list[Any] | None) -> sa.Select[Any]:
        statement = self.shape.select
        if self.extra:
            statement = statement.add_columns(*(sql.label(f"x_{n}") for n, sql in enumerate(self.extra.values())))
        where = list(self.where)
        if after is not None:
            where.append(keyset.after_condition(self.keys, after))
        return statement.where(*where).limit(limit)


def build_plan(ctx: Context, entity_key: str, query: ListQuery, *,
               extra: Mapping[str, ColumnElement[Any]] | None = None) -> ListPlan:
    """Resolve a ListQuery against an entity and the user's access; raises ValidationError on bad input."""
    ctx.access.require(entity_key, "read")
    entity = ctx.catalog.require_entity(entity_key)
    table = ctx.tables[entity_key]
    readable = ctx.access.readable_fields(entity_key)
    env, guard = watched_env(ctx), ReaderGuard(ctx)
    resolver = FieldResolver(ctx.catalog, ctx.tables, entity, env, ctx.dialect, readable, ctx.access.readable_fields,
                             guard)
    shapes = ctx.catalog.caches["list_shapes"]
    cache_key = (entity_key, ctx.dialect, query.fields, query.sort_keys, readable)
    cached = shapes.get(cache_key)
    if cached is not None and unrestricted(ctx, cached[1]):
        shape = cached[0]
    else:
        shape = _shape(resolver, entity, query, nulls_sort_high(ctx.dialect))
        if not env.touched and not guard.restricted:  # nothing in it depends on the user, their rules or the clock
            shape = shapes.put(cache_key, (shape, frozenset(guard.asked)))[0]
    return ListPlan(entity, table, resolver, shape, _conditions(ctx, resolver, table, query), dict(extra or {}))


def _shape(resolver: FieldResolver, entity: EntityDef, query: ListQuery, nulls_high: bool) -> ListShape:
    output = resolver.projection(query.fields, SYSTEM_OUTPUT)
    keys = _sort_keys(resolver, entity, query, nulls_high)
    table = resolver.table
    columns: list[ColumnElement[Any]] = [table.c.id.label("id")]
    columns += [ref.sql.label(f"f_{n}") for n, ref in enumerate(output)]
    position = {"id": 0, **{ref.name: n + 1 for n, ref in enumerate(output)}}
    key_columns, order = [], []
    for n, key in enumerate(keys):
        if key.name in position:
            column = columns[position[key.name]]
            key_columns.append(position[key.name])
        else:
            column = key.sql.label(f"k_{n}")
            key_columns.append(len(columns))
            columns.append(column)
        # A computed key is ordered by its label (computed once); a plain column by itself (index use).
        order.append(key.order_by(None if isinstance(key.sql, sa.Column) else column))
    converters = tuple((n + 1, convert) for n, ref in enumerate(output) if (convert := ref.converter()) is not None)
    select = sa.select(*columns).select_from(table).order_by(*order)
    names = ("id", *(ref.name for ref in output))
    return ListShape(output, keys, select, names, converters, tuple(key_columns), len(columns))


def _where(ctx: Context, entity_key: str, query: ListQuery) -> tuple[sa.Table, list[ColumnElement[bool]]]:
    """The WHERE conditions of a query alone (for counting: no projection, no sort)."""
    ctx.access.require(entity_key, "read")
    entity = ctx.catalog.require_entity(entity_key)
    table = ctx.tables[entity_key]
    resolver = FieldResolver(ctx.catalog, ctx.tables, entity, eval_env(ctx), ctx.dialect,
                             ctx.access.readable_fields(entity_key), ctx.access.readable_fields, ReaderGuard(ctx))
    return table, _conditions(ctx, resolver, table, query)


def _conditions(ctx: Context, resolver: FieldResolver, table: sa.Table, query: ListQuery) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if query.deleted == "exclude":
        where.append(table.c._deleted_at.is_(None))
    elif query.deleted == "only":
        where.append(table.c._deleted_at.is_not(None))
    row_condition = ctx.access.row_condition(resolver.entity.key, table, "read")
    if row_condition is not None:
        where.append(row_condition)
    if query.filter_node is not None:
        where.append(filter_sql(resolver, query.filter_node))
    if query.expression:
        where.append(resolver.expression_sql(query.expression))
    if query.search:
        where.append(resolver.search_sql(query.search))
    return where


def _sort_keys(resolver: FieldResolver, entity: EntityDef, query: ListQuery,
               nulls_high: bool) -> list[keyset.KeyColumn]:
    sort = query.sort_keys
    if sort is None:
        default = entity.raw.get("default_sort")
        sort = parse_sort(default) if default else DEFAULT_SORT
    if not any(key.field == "id" for key in sort):
        sort = (*sort, SortKey("id"))
    keys = []
    for n, key in enumerate(sort):
        ref = resolver.resolve(key.field, "sort", f"sort[{n}]", refuse=_UNSORTABLE)
        keys.append(keyset.KeyColumn(key.field, ref.sql, key.descending, ref.nullable, ref.kind_type.cursor_kind,
                                     nulls_high))
    return keys


# ---- running -------------------------------------------------------------------------------------


def fetch_page(ctx: Context, plan: ListPlan, limit: int, cursor: str | None,
               include_lines: bool = False) -> tuple[Page, list[dict[str, Any]]]:
    """One page of a plan (one SELECT); also returns the extra columns of each row."""
    after = keyset.decode_cursor(cursor, plan.keys) if cursor else None
    result = ctx.conn.execute(plan.statement(limit + 1, after)).all()
    has_more = len(result) > limit
    result = result[:limit]
    shape = plan.shape
    names, converters, first_extra = shape.names, shape.converters, shape.width
    rows, extras = [], []
    for row in result:
        record: dict[str, Any] = dict(zip(names, row))
        for n, convert in converters:
            record[names[n]] = convert(row[n])
        rows.append(record)
        extras.append({name: row[first_extra + n] for n, name in enumerate(plan.extra)})
    next_cursor = None
    if has_more and result:
        last = result[-1]
        next_cursor = keyset.encode_cursor(plan.keys, [last[n] for n in shape.key_columns])
    if include_lines and rows:
        _attach_lines(ctx, plan, rows)
    return Page(rows, next_cursor, has_more), extras


def list_records(ctx: Context, entity_key: str, query: ListQuery) -> Page:
    """A page of records matching `query`, in its sort order; pass `page.next_cursor` to get the next one."""
    plan = build_plan(ctx, entity_key, query)
    page, _ = fetch_page(ctx, plan, query.limit, query.cursor, query.include_lines)
    return page


def iter_pages(ctx: Context, plan: ListPlan, page_size: int,
               cursor: str | None = None) -> Iterator[tuple[Page, list[dict[str, Any]]]]:
    """Every page of a plan, walking the keyset; never holds more than one page."""
    while True:
        page, extras = fetch_page(ctx, plan, page_size, cursor)
        yield page, extras
        if not page.has_more:
            return
        cursor = page.next_cursor


def count_records(ctx: Context, entity_key: str, query: ListQuery, *, cap: int = 10000) -> Count:
    """How many records match (sort, cursor and output columns ignored); stops counting past `cap`."""
    table, where = _where(ctx, entity_key, query)
    matching = sa.select(sa.literal(1).label("one")).select_from(table).where(*where).limit(cap + 1)
    value = int(ctx.conn.execute(sa.select(sa.func.count()).select_from(matching.subquery())).scalar_one())
    return Count(min(value, cap), value <= cap)


def _attach_lines(ctx: Context, plan: ListPlan, rows: list[dict[str, Any]]) -> None:
    """The lines of every child table of the page's records: one SELECT per child table."""
    ids = [row["id"] for row in rows]
    for child_field in plan.resolver.child_tables():
        child_key = child_field.target
        child = FieldResolver(ctx.catalog, ctx.tables, ctx.catalog.require_entity(child_key), plan.resolver.env,
                              ctx.dialect, ctx.access.readable_fields(child_key), ctx.access.readable_fields,
                              ReaderGuard(ctx))
        table = ctx.tables[child_key]
        output = child.projection(None, ())
        system = [table.c[name] for name in ("id", *SYSTEM_OUTPUT, "_parent_id", "_position")]
        statement = (
            sa.select(*system, *[ref.sql.label(f"f_{n}") for n, ref in enumerate(output)])
            .where(table.c._parent_id.in_(ids), table.c._deleted_at.is_(None))
            .order_by(table.c._parent_id, table.c._position, table.c.id)
        )
        lines: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
        for line in ctx.conn.execute(statement):
            values = line._mapping
            item = {column.name: values[column.name] for column in system}
            item.update({ref.name: ref.python_value(values[f"f_{n}"]) for n, ref in enumerate(output)})
            lines[values["_parent_id"]].append(item)
        for row in rows:
            row[child_field.name] = lines[row["id"]]
