"""Date functions: TODAY, NOW, DATE, DATETIME, DATEADD, DATEDIFF, YEAR, MONTH, DAY, HOUR, MINUTE.

DATEADD, DATEDIFF and DATE also take date-times (aware UTC in Python; SQLite text in UTC through
the jimu_datetime_* helpers; PostgreSQL timestamptz, computed on its UTC wall time).
"""
from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from ..errors import ErrorCode
from ..sql_support import SqlArg, SqlContext, binop, date_as_datetime, literal, sql_type
from ..types import ExprType
from ..values import DATE_UNITS, DATETIME_UNITS, as_utc, date_add, date_diff, datetime_add, datetime_diff
from .registry import FUNCTIONS, Arg, FunctionDef, SignatureError
from .rules import DATES, DATETIME, INTEGER, common, expect, literal_text, strict

_UNIT_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86_400, "week": 604_800}


def _date_type(args: Sequence[Arg]) -> ExprType:
    if args[0].type is ExprType.DATETIME:
        return ExprType.DATE
    text = literal_text("DATE", args, 0)
    try:
        date.fromisoformat(text)
    except ValueError:
        raise SignatureError(
            f"DATE needs a date written as 'YYYY-MM-DD' or a date-time, got {text!r}.",
            ErrorCode.INVALID_DATE, {"function": "DATE", "value": text}, 0,
        ) from None
    return ExprType.DATE


def _datetime_literal(args: Sequence[Arg]) -> datetime:
    """The date-time a DATETIME('...') literal names, in UTC (no offset: UTC)."""
    from ..ast import Literal  # local, as in literal_text

    node = args[0].node
    if not isinstance(node, Literal) or not isinstance(node.value, str):
        literal_text("DATETIME", args, 0)  # refuses: a text literal is needed
    text = str(node.value)  # type: ignore[union-attr]
    try:
        if len(text) < 16:  # a time of day is required: 'YYYY-MM-DDTHH:MM' at least
            raise ValueError(text)
        return as_utc(datetime.fromisoformat(text))
    except (ValueError, OverflowError):
        raise SignatureError(
            f"DATETIME needs a date-time written as 'YYYY-MM-DDTHH:MM[:SS][+HH:MM]' or a date, got {text!r}.",
            ErrorCode.INVALID_DATETIME, {"function": "DATETIME", "value": str(text)}, 0,
        ) from None


def _datetime_type(args: Sequence[Arg]) -> ExprType:
    if args[0].type not in (ExprType.DATE, ExprType.NULL):
        _datetime_literal(args)
    return ExprType.DATETIME


def _py_datetime(value: str | date) -> datetime:
    if isinstance(value, str):
        return as_utc(datetime.fromisoformat(value))
    return datetime.combine(value, time(), UTC)


def _sql_datetime(args: Sequence[SqlArg], ctx: SqlContext) -> ColumnElement[Any]:
    if args[0].type is ExprType.DATE:
        return date_as_datetime(args[0].expr, ctx)
    if args[0].type is ExprType.NULL:
        return sa.null()
    return literal(as_utc(datetime.fromisoformat(str(args[0].value))), ExprType.DATETIME, ctx)


def _py_date(value: str | datetime) -> date:
    if isinstance(value, datetime):
        return as_utc(value).date()
    return date.fromisoformat(value)


def _sql_date(args: Sequence[SqlArg], ctx: SqlContext) -> ColumnElement[Any]:
    if args[0].type is not ExprType.DATETIME:
        return literal(date.fromisoformat(str(args[0].value)), ExprType.DATE, ctx)
    if ctx.sqlite:
        return sa.func.date(args[0].expr, type_=sa.Date())
    return sa.cast(_pg_utc(args[0].expr), sa.Date())


def _units(t: ExprType) -> Collection[str]:
    return DATETIME_UNITS if t is ExprType.DATETIME else DATE_UNITS


def _dateadd_type(args: Sequence[Arg]) -> ExprType:
    t = expect("DATEADD", args, 0, DATES)
    expect("DATEADD", args, 1, INTEGER)
    result = ExprType.DATE if t is ExprType.NULL else t
    literal_text("DATEADD", args, 2, _units(result))
    return result


def _datediff_type(args: Sequence[Arg]) -> ExprType:
    expect("DATEDIFF", args, 0, DATES)
    expect("DATEDIFF", args, 1, DATES)
    joined = common("DATEDIFF", args, [0, 1])
    literal_text("DATEDIFF", args, 2, _units(joined))
    return ExprType.INTEGER


def _unit(arg: SqlArg) -> str:
    return str(arg.value).lower()


def _pg_utc(dt: ColumnElement[Any]) -> ColumnElement[Any]:
    """timestamptz → its UTC wall time (a plain timestamp), so no session time zone takes part."""
    return sa.func.timezone("UTC", dt, type_=sa.DateTime())


def _pg_interval(n: ColumnElement[Any], unit: str) -> ColumnElement[Any]:
    """n units as an interval: make_interval(years, months, weeks, days, hours, mins, secs)."""
    position = {"year": 0, "month": 1, "week": 2, "day": 3, "hour": 4, "minute": 5, "second": 6}[unit]
    parts: list[Any] = [0] * position + [sa.cast(n, sa.Integer())]
    return sa.func.make_interval(*parts, type_=sa.Interval())


def _pg_months(d: ColumnElement[Any], months: ColumnElement[Any]) -> ColumnElement[Any]:
    shifted = d + sa.cast(months, sa.Integer()) * sa.text("interval '1 month'")
    return sa.cast(shifted, sa.Date())


def _sql_dateadd(args: Sequence[SqlArg], ctx: SqlContext) -> ColumnElement[Any]:
    d, n, unit = args[0].expr, args[1].expr, _unit(args[2])
    if ctx.result_type is ExprType.DATETIME:
        if ctx.sqlite:
            return sa.func.jimu_datetime_add(d, n, unit, type_=sql_type(ExprType.DATETIME))
        moved = binop(_pg_utc(d), "+", _pg_interval(n, unit), ExprType.NULL)
        return sa.func.timezone("UTC", moved, type_=sql_type(ExprType.DATETIME))
    if ctx.sqlite:
        return sa.func.jimu_dateadd(d, n, unit, type_=sa.Date())
    if unit in ("day", "week"):
        days = sa.cast(n, sa.Integer()) * (7 if unit == "week" else 1)
        return binop(d, "+", days, ExprType.DATE)
    return _pg_months(d, n if unit == "month" else n * 12)


def _pg_month_diff(a: ColumnElement[Any], b: ColumnElement[Any], landed_type: Any) -> ColumnElement[Any]:
    def part(field: str, d: ColumnElement[Any]) -> ColumnElement[Any]:
        return sa.cast(sa.extract(field, d), sa.Integer())

    raw = (part("year", b) - part("year", a)) * 12 + part("month", b) - part("month", a)
    landed = sa.cast(a + sa.cast(raw, sa.Integer()) * sa.text("interval '1 month'"), landed_type)
    return sa.case((sa.and_(raw > 0, landed > b), raw - 1), (sa.and_(raw < 0, landed < b), raw + 1), else_=raw)


def _pg_datetime_diff(a: ColumnElement[Any], b: ColumnElement[Any], unit: str) -> ColumnElement[Any]:
    a, b = _pg_utc(a), _pg_utc(b)
    if unit in ("month", "year"):
        months = _pg_month_diff(a, b, sa.DateTime())
        return months if unit == "month" else binop(months, "/", sa.literal(12, sa.Integer()), ExprType.INTEGER)
    elapsed = binop(b, "-", a, ExprType.NULL)
    micros = sa.cast(sa.extract("epoch", elapsed) * 1_000_000, sa.BigInteger())
    per_unit = sa.literal(_UNIT_SECONDS[unit] * 1_000_000, sa.BigInteger())
    return binop(micros, "/", per_unit, ExprType.INTEGER)  # bigint division truncates toward zero


def _sql_datediff(args: Sequence[SqlArg], ctx: SqlContext) -> ColumnElement[Any]:
    a, b, unit = args[0].expr, args[1].expr, _unit(args[2])
    if ExprType.DATETIME in (args[0].type, args[1].type):
        if ctx.sqlite:
            return sa.func.jimu_datetime_diff(a, b, unit, type_=sa.BigInteger())
        return _pg_datetime_diff(a, b, unit)
    if ctx.sqlite:
        return sa.func.jimu_datediff(a, b, unit, type_=sa.BigInteger())
    if unit in ("day", "week"):
        days = binop(b, "-", a, ExprType.INTEGER)
        return days if unit == "day" else binop(days, "/", sa.literal(7, sa.Integer()), ExprType.INTEGER)
    months = _pg_month_diff(a, b, sa.Date())
    return months if unit == "month" else binop(months, "/", sa.literal(12, sa.Integer()), ExprType.INTEGER)


def _py_dateadd(d: date, n: int, unit: str) -> date:
    if isinstance(d, datetime):
        return datetime_add(d, n, unit.lower())
    return date_add(d, n, unit.lower())


def _py_datediff(a: date, b: date, unit: str) -> int:
    if isinstance(a, datetime) and isinstance(b, datetime):
        return datetime_diff(a, b, unit.lower())
    return date_diff(a, b, unit.lower())


def _part(name: str, attr: str, sqlite_format: str, allowed: frozenset[ExprType]) -> FunctionDef:
    def py(value: date | datetime) -> int:
        if isinstance(value, datetime):
            value = as_utc(value)
        return int(getattr(value, attr))

    def sql(args: Sequence[SqlArg], ctx: SqlContext) -> ColumnElement[Any]:
        value = args[0].expr
        if ctx.sqlite:
            return sa.cast(sa.func.strftime(sqlite_format, value), sa.BigInteger())
        if args[0].type is ExprType.DATETIME:
            value = _pg_utc(value)
        return sa.cast(sa.extract(attr, value), sa.BigInteger())

    of = "a date" if allowed is DATES else "a date-time (UTC)"
    return FunctionDef(name, f"{name}(d): the {attr} of {of}, as a whole number.", 1, 1,
                       lambda args: (expect(name, args, 0, allowed), ExprType.INTEGER)[1], strict(py), sql)


for _entry in (
    FunctionDef("TODAY", "TODAY(): the current date (UTC).", 0, 0, lambda args: ExprType.DATE,
                lambda args, env: env.today, lambda args, ctx: literal(ctx.env.today, ExprType.DATE, ctx),
                volatile=True),
    FunctionDef("NOW", "NOW(): the current date and time (UTC).", 0, 0, lambda args: ExprType.DATETIME,
                lambda args, env: env.now_utc, lambda args, ctx: literal(ctx.env.now_utc, ExprType.DATETIME, ctx),
                volatile=True),
    FunctionDef("DATE", "DATE('YYYY-MM-DD'): a date literal; DATE(datetime): its date in UTC.", 1, 1, _date_type,
                strict(_py_date), _sql_date),
    FunctionDef("DATETIME", "DATETIME('YYYY-MM-DDTHH:MM[:SS][+HH:MM]'): a date-time literal (no offset: UTC); "
                "DATETIME(date): its midnight in UTC.", 1, 1, _datetime_type, strict(_py_datetime), _sql_datetime),
    FunctionDef("DATEADD", "DATEADD(d, n, unit): d moved by n seconds/minutes/hours (date-times only) or "
                "days/weeks/months/years (month ends clamp).", 3, 3, _dateadd_type, strict(_py_dateadd),
                _sql_dateadd),
    FunctionDef("DATEDIFF", "DATEDIFF(a, b, unit): whole units from a to b, truncated toward zero.", 3, 3,
                _datediff_type, strict(_py_datediff), _sql_datediff),
    _part("YEAR", "year", "%Y", DATES),
    _part("MONTH", "month", "%m", DATES),
    _part("DAY", "day", "%d", DATES),
    _part("HOUR", "hour", "%H", DATETIME),
    _part("MINUTE", "minute", "%M", DATETIME),
):
    FUNCTIONS.register(_entry)
