"""SQLAlchemy building blocks shared by the SQL compiler and the function registry."""
from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement, Grouping
from sqlalchemy.types import TypeEngine

from .env import EvalEnv
from .types import ExprType


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """Date-times come back aware and in UTC on every dialect (SQLite stores them naive)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


_SQL_TYPES: dict[ExprType, TypeEngine[Any]] = {
    ExprType.TEXT: sa.Text(),
    ExprType.INTEGER: sa.BigInteger(),
    ExprType.DECIMAL: sa.Numeric(asdecimal=True),
    ExprType.BOOLEAN: sa.Boolean(create_constraint=False),
    ExprType.DATE: sa.Date(),
    ExprType.DATETIME: UtcDateTime(),
    ExprType.LIST: sa.JSON(),
    ExprType.NULL: sa.types.NullType(),
}


def sql_type(t: ExprType) -> TypeEngine[Any]:
    return _SQL_TYPES.get(t, sa.types.NullType())


@dataclass(frozen=True)
class SqlArg:
    expr: ColumnElement[Any]
    type: ExprType
    plain: bool = False  # a stored column or literal, not a computed value
    value: Any = None  # the Python value when the argument is a literal


@dataclass(frozen=True)
class SqlContext:
    dialect: str
    env: EvalEnv
    result_type: ExprType

    @property
    def sqlite(self) -> bool:
        return self.dialect == "sqlite"


def typed(expr: ColumnElement[Any], t: ExprType) -> ColumnElement[Any]:
    return sa.type_coerce(expr, sql_type(t))


def binop(left: ColumnElement[Any], symbol: str, right: ColumnElement[Any], t: ExprType) -> ColumnElement[Any]:
    """An infix operator rendered exactly as given (no SQLAlchemy operator rewriting)."""
    return left.op(symbol, return_type=sql_type(t))(right)


_CHAIN_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add, "*": operator.mul, "||": lambda a, b: a.concat(b),
}


_CHAIN_RUN = 250
"""Longest run of one operator rendered flat: SQLite parses `a + b + c ...` into a tree of depth n
and refuses trees deeper than 1000, so longer chains are regrouped into runs of this size."""


def chain(parts: Sequence[ColumnElement[Any]], symbol: str, t: ExprType) -> ColumnElement[Any]:
    """`p1 op p2 op ...` for an associative operator (+, *, ||, and, or), rendered flat and parenthesised.

    SQLAlchemy flattens runs of its own associative operators, so a long chain compiles without
    deep recursion; the explicit grouping keeps it one operand inside any surrounding operator.
    Chains longer than _CHAIN_RUN are summed run by run (exact for integers, numerics, text and
    three-valued logic; SQLite's REAL decimals may differ in the last bits, below the 10 places kept).
    """
    if len(parts) == 1:
        return parts[0]
    if len(parts) > _CHAIN_RUN:
        runs = [chain(parts[i: i + _CHAIN_RUN], symbol, t) for i in range(0, len(parts), _CHAIN_RUN)]
        return chain(runs, symbol, t)
    if symbol in ("and", "or"):
        return typed(Grouping((sa.and_ if symbol == "and" else sa.or_)(*parts)), t)  # typed: and_ would merge runs
    fn = _CHAIN_OPS[symbol]
    result = typed(parts[0], t)
    for part in parts[1:]:
        result = fn(result, typed(part, t))
    return typed(Grouping(result), t)


def date_as_datetime(expr: ColumnElement[Any], ctx: SqlContext) -> ColumnElement[Any]:
    """A date as the date-time of its midnight in UTC (SQLite: its stored text form)."""
    if ctx.sqlite:
        return typed(sa.type_coerce(expr, sa.Text()).concat(" 00:00:00.000000"), ExprType.DATETIME)
    return sa.func.timezone("UTC", sa.cast(expr, sa.DateTime()), type_=sql_type(ExprType.DATETIME))


def compare(left: SqlArg, symbol: str, right: SqlArg, ctx: SqlContext) -> ColumnElement[Any]:
    """A comparison with SQL null semantics (never turned into IS NULL); a date against a date-time
    compares as its midnight in UTC."""
    a, b = left.expr, right.expr
    kinds = {left.type, right.type}
    if kinds == {ExprType.DATE, ExprType.DATETIME}:
        a = date_as_datetime(a, ctx) if left.type is ExprType.DATE else a
        b = date_as_datetime(b, ctx) if right.type is ExprType.DATE else b
    if ctx.sqlite and ExprType.DECIMAL in kinds and not (left.plain and right.plain):
        # SQLite computes decimals in floating point: compare at 10 places like the results.
        a, b = sa.func.round(a, 10), sa.func.round(b, 10)
    if not ctx.sqlite and ExprType.TEXT in kinds and symbol not in ("=", "<>"):
        a, b = text_order(a), text_order(b)
    return a.op(symbol, is_comparison=True, return_type=sa.Boolean(create_constraint=False))(b)


def text_order(expr: ColumnElement[Any]) -> ColumnElement[Any]:
    """PostgreSQL: order text by code point like Python (and SQLite's BINARY) do."""
    return sa.collate(expr, "C")


def as_numeric(arg: SqlArg, ctx: SqlContext) -> ColumnElement[Any]:
    if ctx.sqlite:
        return arg.expr
    return sa.cast(arg.expr, sa.Numeric())


def is_null(expr: ColumnElement[Any]) -> ColumnElement[Any]:
    """`expr IS NULL` with the operand in parentheses: SQLite and PostgreSQL bind IS tighter than NOT, so an
    unparenthesised `NOT a IS NULL` would mean `NOT (a IS NULL)`."""
    return Grouping(expr).is_(None)


def as_text(arg: SqlArg, ctx: SqlContext) -> ColumnElement[Any]:
    """The value as text the way the interpreter writes it (null stays null)."""
    expr, t = arg.expr, arg.type
    if t in (ExprType.TEXT, ExprType.NULL):
        return sa.cast(expr, sa.Text()) if t is ExprType.NULL else expr
    if t is ExprType.INTEGER:
        return sa.cast(expr, sa.Text())
    if t is ExprType.DECIMAL:
        if ctx.sqlite:
            return sa.func.jimu_decimal_text(expr, type_=sa.Text())
        return sa.cast(sa.func.trim_scale(sa.cast(expr, sa.Numeric())), sa.Text())
    if t is ExprType.BOOLEAN:
        return sa.case((is_null(expr), sa.null()), (expr, "true"), else_="false")
    if t is ExprType.DATE:
        if ctx.sqlite:
            return expr
        return sa.func.to_char(expr, "YYYY-MM-DD", type_=sa.Text())
    raise TypeError(t)  # the checker only lets the types above through


def literal(value: Any, t: ExprType, ctx: SqlContext) -> ColumnElement[Any]:
    if value is None:  # a typed one is a current-record value bound into a query (query.py)
        return sa.null() if ctx.sqlite or t is ExprType.NULL else sa.cast(sa.null(), sql_type(t))
    if t is ExprType.BOOLEAN:
        return sa.true() if value else sa.false()
    param = sa.literal(value, sql_type(t))
    if not ctx.sqlite and t in (ExprType.TEXT, ExprType.INTEGER, ExprType.DECIMAL):
        return sa.cast(param, sql_type(t))  # give PostgreSQL the parameter's type
    return param
