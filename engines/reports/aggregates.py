"""Aggregates: one entry per kind (count, count_distinct, sum, avg, min, max), holding which value types it
takes, the SQL columns it reads per group and how their values become the measure's exact Python value.

Sums of decimals are exact to the value's scale on both databases: PostgreSQL's NUMERIC is exact; SQLite
stores decimals as REAL, so its sum adds whole units of 10**-scale as integers in SQL (sqlite_sums.py: in one
64-bit SUM, or split in two when the target says so, after the one SUM overflowed), with
`jimu_dsum(value, scale)` (sqlite_functions.py) for values too large for that, which reads each value back as
the Decimal it was stored as (rounded to the scale) and adds exactly. An average is its exact
sum divided by its count in Python, rounded half-up to the scale plus AVG_EXTRA_PLACES.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from jimu.engines.expressions.types import ExprType
from jimu.engines.expressions.values import parse_date, parse_datetime

from .sqlite_sums import sqlite_exact_sum

AVG_EXTRA_PLACES = 4
DURATION_SCALE = 2  # a duration in hours or days, unless the measure gives a scale
NUMBERS = frozenset({ExprType.INTEGER, ExprType.DECIMAL})
ORDERED = frozenset({ExprType.INTEGER, ExprType.DECIMAL, ExprType.DATE, ExprType.DATETIME, ExprType.TEXT})
ANY = frozenset({*ORDERED, ExprType.BOOLEAN})


@dataclass(frozen=True)
class SqlTarget:
    """The database a statement is for, and whether SQLite's exact sums are split (see sqlite_sums.py)."""

    dialect: str
    split_sums: bool = False


@dataclass(frozen=True)
class ValueSpec:
    """What an aggregate's value is: its type, a decimal's scale, and, for a duration, its unit in seconds."""

    type: ExprType
    scale: int = 0
    unit_seconds: int | None = None

    @property
    def exact_decimal(self) -> bool:
        return self.type is ExprType.DECIMAL


def quantize(value: Decimal, scale: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)


def to_decimal(value: Any) -> Decimal:
    """A number as read from either database: floats by their shortest repr (what was stored), text exactly."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value))


def _sum_sql(value: ColumnElement[Any], spec: ValueSpec, target: SqlTarget) -> ColumnElement[Any]:
    if spec.exact_decimal and target.dialect == "sqlite":
        return sqlite_exact_sum(value, spec.scale, target.split_sums)
    if spec.exact_decimal:
        return sa.func.sum(value, type_=sa.Numeric(asdecimal=True))
    return sa.func.sum(value, type_=sa.BigInteger())


def _number(value: Any, spec: ValueSpec) -> Any:
    """A sum-like value in the measure's terms: a duration in its unit, a decimal at its scale, an integer."""
    if value is None:
        return None
    if spec.unit_seconds is not None:
        return quantize(to_decimal(value) / spec.unit_seconds, spec.scale)
    if spec.exact_decimal:
        return quantize(to_decimal(value), spec.scale)
    return int(value)


def _sum(values: Sequence[Any], spec: ValueSpec) -> Any:
    total = values[0]
    return _number(0 if total is None else total, spec)


def _avg(values: Sequence[Any], spec: ValueSpec) -> Any:
    total, count = values
    if not count:
        return None
    mean = to_decimal(total) / int(count)
    if spec.unit_seconds is not None:
        return quantize(mean / spec.unit_seconds, spec.scale)
    return quantize(mean, spec.scale + AVG_EXTRA_PLACES)


def _extreme(values: Sequence[Any], spec: ValueSpec) -> Any:
    value = values[0]
    if value is None:
        return None
    if spec.type in NUMBERS:
        return _number(value, spec)
    if spec.type is ExprType.DATE:
        return parse_date(value)
    if spec.type is ExprType.DATETIME:
        return parse_datetime(value)
    return value


def _count(values: Sequence[Any], spec: ValueSpec) -> Any:
    return int(values[0] or 0)


def _sql_sum(value: ColumnElement[Any] | None, spec: ValueSpec, target: SqlTarget) -> list[ColumnElement[Any]]:
    assert value is not None
    return [_sum_sql(value, spec, target)]


def _sql_avg(value: ColumnElement[Any] | None, spec: ValueSpec, target: SqlTarget) -> list[ColumnElement[Any]]:
    assert value is not None
    return [_sum_sql(value, spec, target), sa.func.count(value, type_=sa.BigInteger())]


def _sql_count(value: ColumnElement[Any] | None, spec: ValueSpec, target: SqlTarget) -> list[ColumnElement[Any]]:
    if value is None:
        return [sa.func.count(type_=sa.BigInteger())]
    return [sa.func.count(value, type_=sa.BigInteger())]


def _sql_count_distinct(value: ColumnElement[Any] | None, spec: ValueSpec,
                        target: SqlTarget) -> list[ColumnElement[Any]]:
    assert value is not None
    return [sa.func.count(sa.distinct(value), type_=sa.BigInteger())]


def _sql_extreme(name: str) -> Callable[[ColumnElement[Any] | None, ValueSpec, SqlTarget], list[ColumnElement[Any]]]:
    def sql(value: ColumnElement[Any] | None, spec: ValueSpec, target: SqlTarget) -> list[ColumnElement[Any]]:
        assert value is not None
        return [getattr(sa.func, name)(value, type_=value.type)]
    return sql


@dataclass(frozen=True)
class Aggregate:
    name: str
    takes: frozenset[ExprType]  # value types it aggregates
    value_optional: bool  # count: no value counts rows
    sql: Callable[[ColumnElement[Any] | None, ValueSpec, SqlTarget], list[ColumnElement[Any]]]
    finish: Callable[[Sequence[Any], ValueSpec], Any]
    result: Callable[[ValueSpec], ExprType]  # the measure's type
    merge: tuple[str, ...] | None  # per SQL column, how groups' values combine into a coarser group's
    # ("add", "min", "max"); None: they do not (a distinct count), so coarser groups are aggregated in SQL


def _same(spec: ValueSpec) -> ExprType:
    return ExprType.DECIMAL if spec.unit_seconds is not None else spec.type


AGGREGATES: dict[str, Aggregate] = {a.name: a for a in (
    Aggregate("count", ANY, True, _sql_count, _count, lambda spec: ExprType.INTEGER, ("add",)),
    Aggregate("count_distinct", ANY, False, _sql_count_distinct, _count, lambda spec: ExprType.INTEGER, None),
    Aggregate("sum", NUMBERS, False, _sql_sum, _sum, _same, ("add",)),
    Aggregate("avg", NUMBERS, False, _sql_avg, _avg, lambda spec: ExprType.DECIMAL, ("add", "add")),
    Aggregate("min", ORDERED, False, _sql_extreme("min"), _extreme, _same, ("min",)),
    Aggregate("max", ORDERED, False, _sql_extreme("max"), _extreme, _same, ("max",)),
)}


def merge_values(op: str, values: list[Any]) -> Any:
    """Groups' raw values of one SQL column combined ("add", "min", "max"); NULLs skipped, all NULL: NULL."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    if op == "min":
        return min(present)
    if op == "max":
        return max(present)
    if any(isinstance(v, (str, Decimal, float)) for v in present):
        return sum((to_decimal(v) for v in present), Decimal(0))
    return sum(present)
