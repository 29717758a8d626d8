"""Aggregates over a child collection: SUM, AVG, MIN, MAX, COUNT."""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from ..errors import ErrorCode
from ..sql_support import SqlContext, sql_type, text_order
from ..types import NUMERIC_TYPES, ORDERED_TYPES, ExprType
from ..values import to_decimal
from .registry import AGGREGATES, AggregateDef, SignatureError


def _needs(name: str, allowed: frozenset[ExprType], what: str) -> Callable[[ExprType | None], ExprType]:
    def rule(value: ExprType | None) -> ExprType:
        if value is None or (value not in allowed and value is not ExprType.NULL):
            got = "a collection" if value is None else value.value
            raise SignatureError(
                f"{name} needs {what} of the collection, e.g. {name}(lines.amount); got {got}.",
                ErrorCode.WRONG_ARGUMENT_TYPE, {"function": name, "index": 1, "actual": got}, 0,
            )
        return ExprType.DECIMAL if value is ExprType.NULL else value

    return rule


def _sum(values: list[Any]) -> Any:
    return sum(values, 0)


def _avg(values: list[Any]) -> Decimal | None:
    if not values:
        return None
    return sum((to_decimal(v) for v in values), Decimal(0)) / len(values)


def _zero_if_empty(subquery: ColumnElement[Any], ctx: SqlContext) -> ColumnElement[Any]:
    total = sa.func.coalesce(subquery, 0, type_=sql_type(ctx.result_type))
    return sa.cast(total, sa.BigInteger()) if ctx.result_type is ExprType.INTEGER else total


def _ordered(fn_name: str) -> Callable[[ColumnElement[Any] | None, SqlContext], ColumnElement[Any]]:
    def sql(value: ColumnElement[Any] | None, ctx: SqlContext) -> ColumnElement[Any]:
        assert value is not None
        if ctx.result_type is ExprType.TEXT and not ctx.sqlite:
            value = text_order(value)
        call: ColumnElement[Any] = getattr(sa.func, fn_name)(value, type_=sql_type(ctx.result_type))
        return call

    return sql


for _entry in (
    AggregateDef("SUM", "SUM(c.x, [condition]): total of x over the child rows (0 when none).",
                 _needs("SUM", NUMERIC_TYPES, "a number field"), _sum,
                 lambda value, ctx: sa.func.sum(value), _zero_if_empty),
    AggregateDef("AVG", "AVG(c.x, [condition]): average of x, ignoring nulls (null when none).",
                 lambda t: (_needs("AVG", NUMERIC_TYPES, "a number field")(t), ExprType.DECIMAL)[1], _avg,
                 lambda value, ctx: sa.func.avg(value, type_=sa.Numeric())),
    AggregateDef("MIN", "MIN(c.x, [condition]): smallest x of the child rows (null when none).",
                 _needs("MIN", ORDERED_TYPES, "a field"), lambda values: min(values) if values else None,
                 _ordered("min")),
    AggregateDef("MAX", "MAX(c.x, [condition]): largest x of the child rows (null when none).",
                 _needs("MAX", ORDERED_TYPES, "a field"), lambda values: max(values) if values else None,
                 _ordered("max")),
    AggregateDef("COUNT", "COUNT(c, [condition]): number of child rows (COUNT(c.x) counts non-null x).",
                 lambda t: ExprType.INTEGER, len,
                 lambda value, ctx: sa.func.count() if value is None else sa.func.count(value),
                 _zero_if_empty, counts_rows=True),
):
    AGGREGATES.register(_entry)
