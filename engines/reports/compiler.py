"""A report plan and its runtime conditions → ONE SQL statement (SQLAlchemy Core, never SQL text).

    r      = SELECT <dimension values> d_i, <measure values> v_j, <measure conditions> w_j
             FROM <source> WHERE live AND <the reader's record rules> AND <filters, where, parameters>
    groups = SELECT r.d_i, <aggregates over r> FROM r GROUP BY r.d_i LIMIT cap + 1
    SELECT groups.* UNION ALL SELECT NULL..., <aggregates over r>          -- the grand total row

Identifiers come from the definitions only and every value is a bound parameter (expressions compile their
literals to parameters). Link paths are the expression compiler's correlated subqueries on the reader's
guarded bindings (a linked record the reader may not read counts as absent). With `top`, a CTE ranks the
top dimension's values by the `by` measure (ties broken by the value, in byte order on both databases) and
the rest fold into one row flagged `_others`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from jimu.engines.expressions import to_sql, to_sql_predicate
from jimu.engines.expressions.env import EvalEnv
from jimu.engines.expressions.types import ExprType
from jimu.engines.forms.listing_fields import FieldResolver, filter_sql
from jimu.engines.forms.query import parse_filter
from jimu.engines.forms.reading import ReaderGuard, eval_env
from jimu.platform.context import Context

from .plan import AggPlan, DimPlan, ReportPlan

TOTAL, OTHERS = "_total", "_others"


@dataclass(frozen=True)
class Compiled:
    statement: sa.Select[Any] | sa.CompoundSelect[Any]
    dims: tuple[DimPlan, ...]
    aggs: tuple[AggPlan, ...]


class _Builder:
    def __init__(self, ctx: Context, plan: ReportPlan, zone: str) -> None:
        self.ctx, self.plan, self.zone, self.dialect = ctx, plan, zone, ctx.dialect
        self.env: EvalEnv = eval_env(ctx)
        entity = plan.entity
        self.table = ctx.tables[entity.key]
        self.resolver = FieldResolver(ctx.catalog, ctx.tables, entity, self.env, self.dialect,
                                      ctx.access.readable_fields(entity.key), ctx.access.readable_fields,
                                      ReaderGuard(ctx))

    def where(self, conditions: list[str]) -> list[ColumnElement[bool]]:
        ctx, plan, binding = self.ctx, self.plan, self.resolver.binding
        where: list[ColumnElement[bool]] = [self.table.c._deleted_at.is_(None)]
        rule = ctx.access.row_condition(plan.entity.key, self.table, "read")
        if rule is not None:
            where.append(rule)
        if plan.where is not None:
            where.append(to_sql_predicate(plan.where, binding, self.env, self.dialect))
        node = parse_filter(plan.report.filter)
        if node is not None:
            where.append(filter_sql(self.resolver, node))
        for source in conditions:
            checked = ctx.catalog.compile(plan.entity.key, source, ExprType.BOOLEAN)
            where.append(to_sql_predicate(checked, binding, self.env, self.dialect))
        return where

    def rows(self, conditions: list[str]) -> sa.Select[Any]:
        binding = self.resolver.binding
        columns: list[ColumnElement[Any]] = []
        for dim in self.plan.dims:
            value = to_sql(dim.term.checked, binding, self.env, self.dialect)
            if dim.grain is not None:
                value = dim.grain.sql_bucket(value, self.zone, dim.is_datetime, self.dialect)
            columns.append(value.label(dim.label))
        for n, agg in enumerate(self.plan.aggs):
            if agg.term is not None:
                columns.append(to_sql(agg.term.checked, binding, self.env, self.dialect).label(f"v{n}"))
            if agg.condition is not None:
                columns.append(to_sql(agg.condition, binding, self.env, self.dialect).label(f"w{n}"))
        if not columns:
            columns.append(sa.literal(1).label("one"))
        return sa.select(*columns).select_from(self.table).where(*self.where(conditions))

    def aggregates(self, r: sa.FromClause) -> list[ColumnElement[Any]]:
        out: list[ColumnElement[Any]] = []
        for n, agg in enumerate(self.plan.aggs):
            value: ColumnElement[Any] | None = r.c[f"v{n}"] if agg.term is not None else None
            if agg.condition is not None:
                value = sa.case((r.c[f"w{n}"], sa.literal(1) if value is None else value))
            for label, column in zip(agg.labels, agg.aggregate.sql(value, agg.spec, self.dialect)):
                out.append(column.label(label))
        return out


def compile_report(ctx: Context, plan: ReportPlan, conditions: list[str], zone: str, cap: int) -> Compiled:
    builder = _Builder(ctx, plan, zone)
    top = plan.report.top
    rows = builder.rows(conditions)
    r: sa.FromClause = rows.subquery("r") if top is None else rows.cte("r")
    dims: list[ColumnElement[Any]] = [r.c[d.label] for d in plan.dims]
    others: ColumnElement[Any] = sa.literal(0)
    where: list[ColumnElement[bool]] = []
    if top is not None:
        r, dims, others, where = _top(builder, plan, r, dims)
    grouped = (sa.select(*[d.label(p.label) for d, p in zip(dims, plan.dims)], others.label(OTHERS),
                         sa.literal(0).label(TOTAL), *builder.aggregates(_base(r)))
               .select_from(r).where(*where).group_by(*dims, others).limit(cap + 1))
    if not plan.dims:
        statement: sa.Select[Any] | sa.CompoundSelect[Any] = sa.select(
            sa.literal(0).label(OTHERS), sa.literal(1).label(TOTAL), *builder.aggregates(r)).select_from(r)
        return Compiled(statement, (), tuple(plan.aggs))
    groups = grouped.subquery("g")
    totals = sa.select(*[sa.null().label(p.label) for p in plan.dims], sa.literal(0).label(OTHERS),
                       sa.literal(1).label(TOTAL), *builder.aggregates(_base(r)))
    statement = sa.select(*groups.c).union_all(totals)
    return Compiled(statement, tuple(plan.dims), tuple(plan.aggs))


def _base(r: sa.FromClause) -> sa.FromClause:
    """The rows CTE of a top-N join (the join's left side), else the rows themselves."""
    return r.left if isinstance(r, sa.Join) else r


def _top(builder: _Builder, plan: ReportPlan, r: sa.FromClause,
         dims: list[ColumnElement[Any]]) -> tuple[sa.FromClause, list[ColumnElement[Any]], ColumnElement[Any],
                                                   list[ColumnElement[bool]]]:
    top = plan.report.top
    assert top is not None
    index = next(n for n, d in enumerate(plan.dims) if d.dim.key == top.dimension)
    agg = plan.agg(top.by)
    assert agg is not None
    value = dims[index]
    rank_by = _rank_value(builder, agg, r)
    tie = sa.collate(value, "C") if builder.dialect == "postgresql" and plan.dims[index].term.type is ExprType.TEXT \
        else value
    ranked = (sa.select(value.label("v"), sa.func.row_number().over(
        order_by=(rank_by.desc().nulls_last(), tie.asc().nulls_last())).label("rn"))
        .select_from(r).group_by(value).cte("ranked"))
    joined = sa.join(r, ranked, value.is_not_distinct_from(ranked.c.v))
    inside = ranked.c.rn <= top.n
    new_dims = list(dims)
    new_dims[index] = sa.case((inside, value))
    others = sa.case((inside, sa.literal(0)), else_=sa.literal(1))
    where = [] if top.others else [inside]
    return joined, new_dims, others, where


def _rank_value(builder: _Builder, agg: AggPlan, r: sa.FromClause) -> ColumnElement[Any]:
    """The `by` measure as an orderable number on both databases (SQLite's exact sum is text)."""
    n = builder.plan.aggs.index(agg)
    value: ColumnElement[Any] | None = r.c[f"v{n}"] if agg.term is not None else None
    if agg.condition is not None:
        value = sa.case((r.c[f"w{n}"], sa.literal(1) if value is None else value))
    columns = agg.aggregate.sql(value, agg.spec, builder.dialect)
    if builder.dialect == "sqlite":
        columns = [sa.cast(c, sa.Numeric()) if isinstance(c.type, sa.String) else c for c in columns]
    if len(columns) == 2:  # avg: sum / count
        return sa.cast(columns[0], sa.Numeric()) / sa.func.nullif(columns[1], 0)
    return columns[0]
