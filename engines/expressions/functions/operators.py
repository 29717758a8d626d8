"""Operators as registry entries: arithmetic, text concatenation, comparison, logic."""
from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import reduce
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from ..bounds import joined
from ..env import EvalEnv
from ..errors import ErrorCode
from ..sql_support import SqlArg, SqlContext, binop, chain, compare, sql_type
from ..types import NUMERIC_TYPES, ORDERED_TYPES, ExprType, unify
from ..values import as_utc, divide, remainder, to_decimal
from .registry import OPERATORS, Arg, FunctionDef, SignatureError
from .rules import TEXTUAL, hint, strict
from .text import py_text, sql_concat

N = ExprType.NULL


def _operator_error(symbol: str, args: Sequence[Arg]) -> SignatureError:
    types = [a.type.value for a in args]
    return SignatureError(
        f"Cannot use {symbol!r} with {' and '.join(types)}.",
        ErrorCode.OPERATOR_TYPE, {"operator": symbol, "types": types},
    )


def _numeric_result(symbol: str, args: Sequence[Arg]) -> ExprType:
    if not all(a.type in NUMERIC_TYPES or a.type is N for a in args):
        raise _operator_error(symbol, args)
    result = ExprType.INTEGER if all(a.type in (ExprType.INTEGER, N) for a in args) else ExprType.DECIMAL
    hint(args, result)
    return result


def _plus_type(args: Sequence[Arg]) -> ExprType:
    """Numbers add up; one date plus whole numbers (or nulls) is that date moved by their sum in days."""
    dates = sum(a.type is ExprType.DATE for a in args)
    if dates == 1 and all(a.type in (ExprType.DATE, ExprType.INTEGER, N) for a in args):
        hint(args, ExprType.INTEGER)
        return ExprType.DATE
    return _numeric_result("+", args)


def _minus_type(args: Sequence[Arg]) -> ExprType:
    kinds = (args[0].type, args[1].type)
    if kinds == (ExprType.DATE, ExprType.DATE):
        return ExprType.INTEGER
    if kinds in ((ExprType.DATE, ExprType.INTEGER), (ExprType.DATE, N)):
        hint(args, ExprType.INTEGER)
        return ExprType.DATE
    return _numeric_result("-", args)


def _number(a: Any, b: Any, fn: Callable[[Any, Any], Any]) -> Any:
    if isinstance(a, int) and isinstance(b, int):
        return fn(a, b)
    return fn(to_decimal(a), to_decimal(b))


def _py_plus(*args: Any) -> Any:
    day = next((a for a in args if isinstance(a, date)), None)
    if day is not None:
        return day + timedelta(days=sum(a for a in args if a is not day))
    return reduce(lambda a, b: _number(a, b, operator.add), args)


def _py_minus(a: Any, b: Any) -> Any:
    if isinstance(a, date) and isinstance(b, date):
        return (a - b).days
    if isinstance(a, date):
        return a - timedelta(days=b)
    return _number(a, b, operator.sub)


def _day_shift(d: SqlArg, n: ColumnElement[Any], ctx: SqlContext) -> ColumnElement[Any]:
    if ctx.sqlite:
        return sa.func.jimu_dateadd(d.expr, n, "day", type_=sa.Date())
    return binop(d.expr, "+", sa.cast(n, sa.Integer()), ExprType.DATE)


def _sql_plus(args: Sequence[SqlArg], ctx: SqlContext) -> ColumnElement[Any]:
    day = next((a for a in args if a.type is ExprType.DATE), None)
    if day is not None:
        days = chain([a.expr for a in args if a is not day], "+", ExprType.INTEGER)
        return _day_shift(day, days, ctx)
    return chain([a.expr for a in args], "+", ctx.result_type)


def _sql_minus(args: Sequence[SqlArg], ctx: SqlContext) -> ColumnElement[Any]:
    a, b = args
    if a.type is ExprType.DATE and b.type is ExprType.DATE:
        if ctx.sqlite:
            return sa.func.jimu_datediff(b.expr, a.expr, "day", type_=sa.BigInteger())
        return binop(a.expr, "-", b.expr, ExprType.INTEGER)
    if a.type is ExprType.DATE:
        return _day_shift(a, sa.cast(-b.expr, sa.Integer()) if not ctx.sqlite else -b.expr, ctx)
    return binop(a.expr, "-", b.expr, ctx.result_type)


def _sql_divide(args: Sequence[SqlArg], ctx: SqlContext) -> ColumnElement[Any]:
    a, b = args
    if ctx.sqlite:  # never integer division: make the dividend REAL
        return binop(sa.cast(a.expr, sa.Float()), "/", sa.func.nullif(b.expr, 0), ExprType.DECIMAL)
    return binop(sa.cast(a.expr, sa.Numeric()), "/", sa.func.nullif(b.expr, 0), ExprType.DECIMAL)


def _sql_modulo(args: Sequence[SqlArg], ctx: SqlContext) -> ColumnElement[Any]:
    a, b = args
    if ctx.sqlite and ctx.result_type is ExprType.DECIMAL:  # SQLite's % truncates reals to integers
        return sa.func.jimu_mod(a.expr, b.expr, type_=sa.Numeric())
    return binop(a.expr, "%", sa.func.nullif(b.expr, 0), ctx.result_type)


def _concat_type(args: Sequence[Arg]) -> ExprType:
    if any(a.type not in TEXTUAL and a.type is not N for a in args):
        raise _operator_error("&", args)
    hint(args, ExprType.TEXT)
    return ExprType.TEXT


def _py_concat(args: Sequence[Any], env: EvalEnv) -> str:
    return "".join(py_text(a) for a in args)


def _comparison_type(symbol: str, ordered: bool) -> Callable[[Sequence[Arg]], ExprType]:
    def rule(args: Sequence[Arg]) -> ExprType:
        if {args[0].type, args[1].type} == {ExprType.DATE, ExprType.DATETIME}:
            return ExprType.BOOLEAN  # the date compares as its midnight in UTC
        joined = unify(args[0].type, args[1].type)
        allowed = ORDERED_TYPES if ordered else ORDERED_TYPES | {ExprType.BOOLEAN}
        if joined is None or (joined not in allowed and joined is not N):
            types = [a.type.value for a in args]
            raise SignatureError(
                f"Cannot compare {types[0]} with {types[1]} using {symbol!r}.",
                ErrorCode.INCOMPATIBLE_TYPES, {"operator": symbol, "types": types},
            )
        hint(args, joined)
        return ExprType.BOOLEAN

    return rule


def _logic_type(symbol: str) -> Callable[[Sequence[Arg]], ExprType]:
    def rule(args: Sequence[Arg]) -> ExprType:
        if any(a.type not in (ExprType.BOOLEAN, N) for a in args):
            raise _operator_error(symbol, args)
        hint(args, ExprType.BOOLEAN)
        return ExprType.BOOLEAN

    return rule


def _py_and(args: Sequence[Any], env: EvalEnv) -> bool | None:
    if any(a is False for a in args):
        return False
    return None if any(a is None for a in args) else True


def _py_or(args: Sequence[Any], env: EvalEnv) -> bool | None:
    if any(a is True for a in args):
        return True
    return None if any(a is None for a in args) else False


def _py_times(*args: Any) -> Any:
    return reduce(lambda a, b: _number(a, b, operator.mul), args)


def _moment(value: Any) -> Any:
    """A date as the date-time of its midnight in UTC, when compared with a date-time."""
    return datetime.combine(value, time(), UTC) if type(value) is date else as_utc(value)


def _comparing(fn: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def compare(a: Any, b: Any) -> bool:
        if isinstance(a, datetime) is not isinstance(b, datetime):
            return fn(_moment(a), _moment(b))
        return fn(a, b)

    return compare


def _comparison(symbol: str, sql_symbol: str, fn: Callable[[Any, Any], bool], ordered: bool) -> FunctionDef:
    return FunctionDef(
        symbol, f"Compares two values with {symbol}; null if either side is null; a date against a date-time "
        "compares as its midnight in UTC.", 2, 2,
        _comparison_type(symbol, ordered), strict(_comparing(fn)),
        lambda args, ctx: compare(args[0], sql_symbol, args[1], ctx),
    )


for _entry in (
    # + * & and or are associative: a chain `a + b + c` is one call with every operand (max_args None).
    FunctionDef("+", "Adds numbers; date + whole number adds days.", 2, None, _plus_type, strict(_py_plus),
                _sql_plus),
    FunctionDef("-", "Subtracts numbers; date - number subtracts days; date - date gives days.", 2, 2,
                _minus_type, strict(_py_minus), _sql_minus),
    FunctionDef("*", "Multiplies numbers.", 2, None, lambda args: _numeric_result("*", args), strict(_py_times),
                lambda args, ctx: chain([a.expr for a in args], "*", ctx.result_type)),
    FunctionDef("/", "Divides; always a decimal; null when dividing by zero.", 2, 2,
                lambda args: (_numeric_result("/", args), ExprType.DECIMAL)[1],
                lambda args, env: divide(*args), _sql_divide),
    FunctionDef("%", "Remainder with the sign of the dividend; null when dividing by zero.", 2, 2,
                lambda args: _numeric_result("%", args), lambda args, env: remainder(*args), _sql_modulo),
    FunctionDef("&", "Joins values as text; null counts as ''.", 2, None, _concat_type, _py_concat, sql_concat,
                text_bound=joined),
    _comparison("=", "=", operator.eq, False),
    _comparison("!=", "<>", operator.ne, False),
    _comparison("<", "<", operator.lt, True),
    _comparison("<=", "<=", operator.le, True),
    _comparison(">", ">", operator.gt, True),
    _comparison(">=", ">=", operator.ge, True),
    FunctionDef("and", "Three-valued AND.", 2, None, _logic_type("and"), _py_and,
                lambda args, ctx: chain([a.expr for a in args], "and", ExprType.BOOLEAN)),
    FunctionDef("or", "Three-valued OR.", 2, None, _logic_type("or"), _py_or,
                lambda args, ctx: chain([a.expr for a in args], "or", ExprType.BOOLEAN)),
    FunctionDef("not", "Negation; not null is null.", 1, 1, _logic_type("not"),
                strict(operator.not_), lambda args, ctx: sa.not_(args[0].expr)),
    FunctionDef("neg", "Unary minus.", 1, 1, lambda args: _numeric_result("-", args),
                strict(operator.neg), lambda args, ctx: sa.type_coerce(-args[0].expr, sql_type(ctx.result_type))),
):
    OPERATORS.register(_entry)
