"""Date functions: TODAY, NOW, DATE, DATEADD, DATEDIFF, YEAR, MONTH, DAY."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from ..errors import ErrorCode
from ..sql_support import SqlArg, SqlContext, binop, literal
from ..types import ExprType
from ..values import DATE_UNITS, date_add, date_diff
from .registry import FUNCTIONS, Arg, FunctionDef, SignatureError
from .rules import DATE, DATES, INTEGER, expect, literal_text, strict


def _date_literal_type(args: Sequence[Arg]) -> ExprType:
    text = literal_text("DATE", args, 0)
    try:
        date.fromisoformat(text)
    except ValueError:
        raise SignatureError(
            f"DATE needs a date written as 'YYYY-MM-DD', got {text!r}.",
            ErrorCode.INVALID_DATE, {"function": "DATE", "value": text}, 0,
        ) from None
    return ExprType.DATE


def _dateadd_type(args: Sequence[Arg]) -> ExprType:
    expect("DATEADD", args, 0, DATE)
    expect("DATEADD", args, 1, INTEGER)
    literal_text("DATEADD", args, 2, DATE_UNITS)
    return ExprType.DATE


def _datediff_type(args: Sequence[Arg]) -> ExprType:
    expect("DATEDIFF", args, 0, DATE)
    expect("DATEDIFF", args, 1, DATE)
    literal_text("DATEDIFF", args, 2, DATE_UNITS)
    return ExprType.INTEGER


def _unit(arg: SqlArg) -> str:
    return str(arg.value).lower()


def _pg_months(d: ColumnElement[Any], months: ColumnElement[Any]) -> ColumnElement[Any]:
    shifted = d + sa.cast(months, sa.Integer()) * sa.text("interval '1 month'")
    return sa.cast(shifted, sa.Date())


def _sql_dateadd(args: Sequence[SqlArg], ctx: SqlContext) -> ColumnElement[Any]:
    d, n, unit = args[0].expr, args[1].expr, _unit(args[2])
    if ctx.sqlite:
        return sa.func.jimu_dateadd(d, n, unit, type_=sa.Date())
    if unit in ("day", "week"):
        days = sa.cast(n, sa.Integer()) * (7 if unit == "week" else 1)
        return binop(d, "+", days, ExprType.DATE)
    return _pg_months(d, n if unit == "month" else n * 12)


def _pg_month_diff(a: ColumnElement[Any], b: ColumnElement[Any]) -> ColumnElement[Any]:
    def part(field: str, d: ColumnElement[Any]) -> ColumnElement[Any]:
        return sa.cast(sa.extract(field, d), sa.Integer())

    raw = (part("year", b) - part("year", a)) * 12 + part("month", b) - part("month", a)
    landed = _pg_months(a, raw)
    return sa.case((sa.and_(raw > 0, landed > b), raw - 1), (sa.and_(raw < 0, landed < b), raw + 1), else_=raw)


def _sql_datediff(args: Sequence[SqlArg], ctx: SqlContext) -> ColumnElement[Any]:
    a, b, unit = args[0].expr, args[1].expr, _unit(args[2])
    if ctx.sqlite:
        return sa.func.jimu_datediff(a, b, unit, type_=sa.BigInteger())
    if unit in ("day", "week"):
        days = binop(b, "-", a, ExprType.INTEGER)
        return days if unit == "day" else binop(days, "/", sa.literal(7, sa.Integer()), ExprType.INTEGER)
    months = _pg_month_diff(a, b)
    return months if unit == "month" else binop(months, "/", sa.literal(12, sa.Integer()), ExprType.INTEGER)


def _part(name: str, attr: str, sqlite_format: str) -> FunctionDef:
    def py(value: date | datetime) -> int:
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = value.astimezone(UTC)
        return int(getattr(value, attr))

    def sql(args: Sequence[SqlArg], ctx: SqlContext) -> ColumnElement[Any]:
        value = args[0].expr
        if ctx.sqlite:
            return sa.cast(sa.func.strftime(sqlite_format, value), sa.BigInteger())
        if args[0].type is ExprType.DATETIME:
            value = sa.func.timezone("UTC", value)
        return sa.cast(sa.extract(attr, value), sa.BigInteger())

    return FunctionDef(name, f"{name}(d): the {attr} of a date, as a whole number.", 1, 1,
                       lambda args: (expect(name, args, 0, DATES), ExprType.INTEGER)[1], strict(py), sql)


for _entry in (
    FunctionDef("TODAY", "TODAY(): the current date (UTC).", 0, 0, lambda args: ExprType.DATE,
                lambda args, env: env.today, lambda args, ctx: literal(ctx.env.today, ExprType.DATE, ctx),
                volatile=True),
    FunctionDef("NOW", "NOW(): the current date and time (UTC).", 0, 0, lambda args: ExprType.DATETIME,
                lambda args, env: env.now_utc, lambda args, ctx: literal(ctx.env.now_utc, ExprType.DATETIME, ctx),
                volatile=True),
    FunctionDef("DATE", "DATE('YYYY-MM-DD'): a date literal.", 1, 1, _date_literal_type,
                strict(date.fromisoformat),
                lambda args, ctx: literal(date.fromisoformat(str(args[0].value)), ExprType.DATE, ctx)),
    FunctionDef("DATEADD", "DATEADD(d, n, unit): d moved by n days/weeks/months/years (month ends clamp).",
                3, 3, _dateadd_type, strict(lambda d, n, unit: date_add(d, n, unit.lower())), _sql_dateadd),
    FunctionDef("DATEDIFF", "DATEDIFF(a, b, unit): whole days/weeks/months/years from a to b.", 3, 3,
                _datediff_type, strict(lambda a, b, unit: date_diff(a, b, unit.lower())), _sql_datediff),
    _part("YEAR", "year", "%Y"),
    _part("MONTH", "month", "%m"),
    _part("DAY", "day", "%d"),
):
    FUNCTIONS.register(_entry)
