"""Number functions: ROUND, CEILING, FLOOR, TRUNC, MOD, POWER, ABS, and scalar MIN / MAX."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from ..ast import Literal, Node, Unary
from ..env import EvalEnv
from ..errors import ErrorCode
from ..sql_support import SqlArg, SqlContext, sql_type, text_order
from ..types import ORDERED_TYPES, ExprType
from ..values import (
    DECIMAL_MAX_DIGITS,
    POWER_PLACES,
    NumberOutOfRangeError,
    ceiling_to,
    floor_to,
    modulo,
    power,
    round_half_up,
    truncate,
)
from .registry import FUNCTIONS, Arg, FunctionDef, PyImpl, SignatureError, SqlImpl, TypeRule
from .rules import INTEGER, NUMBER, common, expect, strict


def _number_type(name: str, args: Sequence[Arg]) -> ExprType:
    t = expect(name, args, 0, NUMBER)
    return ExprType.DECIMAL if t is ExprType.NULL else t


def _round_type(args: Sequence[Arg]) -> ExprType:
    if len(args) > 1:
        expect("ROUND", args, 1, INTEGER)
    return _number_type("ROUND", args)


def _py_round(args: Sequence[Any], env: EvalEnv) -> Any:
    return round_half_up(args[0], args[1] if len(args) > 1 else 0)


def _sql_round(args: Sequence[SqlArg], ctx: SqlContext) -> ColumnElement[Any]:
    places: ColumnElement[Any] = args[1].expr if len(args) > 1 else sa.literal(0, sa.Integer())
    if ctx.sqlite:
        return sa.func.jimu_round(args[0].expr, places, type_=sql_type(ctx.result_type))
    rounded = sa.func.round(sa.cast(args[0].expr, sa.Numeric()), sa.cast(places, sa.Integer()))
    if ctx.result_type is ExprType.INTEGER:
        return sa.cast(rounded, sa.BigInteger())
    return rounded


def _extreme_type(name: str) -> TypeRule:
    def rule(args: Sequence[Arg]) -> ExprType:
        joined = common(name, args, range(len(args)))
        if joined not in ORDERED_TYPES | {ExprType.NULL}:
            raise SignatureError(
                f"{name} cannot order values of type {joined.value}.",
                ErrorCode.WRONG_ARGUMENT_TYPE, {"function": name, "index": 1, "actual": joined.value}, 0,
            )
        return joined

    return rule


def _py_extreme(pick: Callable[[list[Any]], Any]) -> PyImpl:
    def impl(args: Sequence[Any], env: EvalEnv) -> Any:
        present = [a for a in args if a is not None]
        return pick(present) if present else None

    return impl


def _sql_extreme(sqlite_name: str, pg_name: str) -> SqlImpl:
    def impl(args: Sequence[SqlArg], ctx: SqlContext) -> ColumnElement[Any]:
        exprs = [a.expr for a in args]
        if not ctx.sqlite and ctx.result_type is ExprType.TEXT:
            exprs = [text_order(e) for e in exprs]
        call: ColumnElement[Any] = getattr(sa.func, sqlite_name if ctx.sqlite else pg_name)(
            *exprs, type_=sql_type(ctx.result_type))
        return call

    return impl


def _both_integer(name: str, args: Sequence[Arg]) -> ExprType:
    """INTEGER when every argument is a whole number (or null), else DECIMAL; a null value is a DECIMAL."""
    for index in range(len(args)):
        expect(name, args, index, NUMBER)
    if args[0].type is ExprType.NULL:
        return ExprType.DECIMAL
    return ExprType.INTEGER if all(a.type in (ExprType.INTEGER, ExprType.NULL) for a in args) else ExprType.DECIMAL


def _numeric(arg: SqlArg, ctx: SqlContext) -> ColumnElement[Any]:
    """PostgreSQL: the argument at the result's type (bigint stays bigint, anything else numeric)."""
    return arg.expr if ctx.result_type is ExprType.INTEGER else sa.cast(arg.expr, sa.Numeric())


def _sql_multiple(up: bool) -> SqlImpl:
    """CEILING / FLOOR: `x - r (+|-) m` with r = x mod |m| (exact on numeric; 0 for a multiple of 0)."""

    def impl(args: Sequence[SqlArg], ctx: SqlContext) -> ColumnElement[Any]:
        result_type = sql_type(ctx.result_type)
        one = sa.literal(1, sa.BigInteger()) if ctx.result_type is ExprType.INTEGER else sa.literal(1, sa.Numeric())
        step_arg = args[1].expr if len(args) > 1 else sa.cast(one, result_type)
        if ctx.sqlite:
            helper: ColumnElement[Any] = getattr(sa.func, "jimu_ceiling" if up else "jimu_floor")(
                args[0].expr, step_arg, type_=result_type)
            return helper
        value = _numeric(args[0], ctx)
        step = sa.func.abs(step_arg if len(args) == 1 else _numeric(args[1], ctx))
        rest = sa.func.mod(value, sa.func.nullif(step, 0), type_=result_type)
        nudge = sa.case((rest > 0, step), else_=0) if up else -sa.case((rest < 0, step), else_=0)
        zero = value * 0  # a multiple of 0 gives 0, and null for a null value
        return sa.case((step == 0, zero), else_=value - rest + nudge).cast(result_type)

    return impl


def _sql_mod(args: Sequence[SqlArg], ctx: SqlContext) -> ColumnElement[Any]:
    result_type = sql_type(ctx.result_type)
    if ctx.sqlite:
        return sa.func.jimu_modulo(args[0].expr, args[1].expr, type_=result_type)
    a, b = _numeric(args[0], ctx), _numeric(args[1], ctx)
    rest = sa.func.mod(a, sa.func.nullif(b, 0), type_=result_type)
    return sa.case((sa.and_(rest != 0, (rest < 0) != (b < 0)), rest + b), else_=rest).cast(result_type)


def _trunc_type(args: Sequence[Arg]) -> ExprType:
    if len(args) > 1:
        expect("TRUNC", args, 1, INTEGER)
    return _number_type("TRUNC", args)


def _sql_trunc(args: Sequence[SqlArg], ctx: SqlContext) -> ColumnElement[Any]:
    digits: ColumnElement[Any] = args[1].expr if len(args) > 1 else sa.literal(0, sa.Integer())
    if ctx.sqlite:
        return sa.func.jimu_trunc(args[0].expr, digits, type_=sql_type(ctx.result_type))
    clamped = sa.func.greatest(-40, sa.func.least(40, sa.cast(digits, sa.Integer())))
    cut = sa.func.trunc(sa.cast(args[0].expr, sa.Numeric()), clamped, type_=sa.Numeric())
    return sa.cast(cut, sa.BigInteger()) if ctx.result_type is ExprType.INTEGER else cut


MAX_LITERAL_EXPONENT = 1000
"""A literal exponent beyond this is refused when checked (POWER(x, 5000) is a mistake, not a business rule)."""


def _literal_number(node: Node) -> Any:
    """The value of a number literal, or of a minus sign before one; None for anything else."""
    if isinstance(node, Unary) and node.op == "-":
        inner = _literal_number(node.operand)
        return None if inner is None else -inner
    if isinstance(node, Literal) and node.type in (ExprType.INTEGER, ExprType.DECIMAL):
        return node.value
    return None


def _power_type(args: Sequence[Arg]) -> ExprType:
    base_type = expect("POWER", args, 0, NUMBER)
    expect("POWER", args, 1, INTEGER)
    exponent, base = _literal_number(args[1].node), _literal_number(args[0].node)
    integer = base_type is ExprType.INTEGER and isinstance(exponent, int) and exponent >= 0
    too_large = exponent is not None and abs(exponent) > MAX_LITERAL_EXPONENT
    if not too_large and exponent is not None and base is not None:
        try:
            power(base, exponent, integer)
        except NumberOutOfRangeError:
            too_large = True
    if too_large:
        raise SignatureError(
            f"POWER: the exponent or the result is too large (exponents up to ±{MAX_LITERAL_EXPONENT}; results "
            f"up to {DECIMAL_MAX_DIGITS} digits, or 64 bits when whole).", ErrorCode.POWER_TOO_LARGE,
            {"function": "POWER", "limit": MAX_LITERAL_EXPONENT, "digits": DECIMAL_MAX_DIGITS}, 1)
    return ExprType.INTEGER if integer else ExprType.DECIMAL


def _sql_power(args: Sequence[SqlArg], ctx: SqlContext) -> ColumnElement[Any]:
    integer = ctx.result_type is ExprType.INTEGER
    if ctx.sqlite:
        return sa.func.jimu_power(args[0].expr, args[1].expr, int(integer), type_=sql_type(ctx.result_type))
    base, exponent = sa.cast(args[0].expr, sa.Numeric()), sa.cast(args[1].expr, sa.Numeric())
    raised = sa.func.power(base, exponent, type_=sa.Numeric())
    # the casts refuse a result past the limits (SQLSTATE 22003), as the interpreter does
    fitted = sa.cast(raised, sa.BigInteger() if integer else sa.Numeric(DECIMAL_MAX_DIGITS + POWER_PLACES,
                                                                       POWER_PLACES))
    return sa.case((sa.and_(base == 0, exponent < 0), sa.null()), else_=fitted)


for _entry in (
    FunctionDef("ROUND", "ROUND(x, [places]): rounds half away from zero (2.675 → 2.68, -2.5 → -3).",
                1, 2, _round_type, _py_round, _sql_round),
    FunctionDef("CEILING", "CEILING(x, [multiple]): x rounded up (toward +infinity) to a multiple of |multiple| "
                "(default 1): CEILING(12, 5) → 15, CEILING(-12, 5) → -10; a multiple of 0 gives 0.",
                1, 2, lambda args: _both_integer("CEILING", args),
                strict(lambda *a: ceiling_to(*a)), _sql_multiple(up=True)),
    FunctionDef("FLOOR", "FLOOR(x, [multiple]): x rounded down (toward -infinity) to a multiple of |multiple| "
                "(default 1): FLOOR(12, 5) → 10, FLOOR(-12, 5) → -15; a multiple of 0 gives 0.",
                1, 2, lambda args: _both_integer("FLOOR", args),
                strict(lambda *a: floor_to(*a)), _sql_multiple(up=False)),
    FunctionDef("TRUNC", "TRUNC(x, [digits]): x cut toward zero to `digits` places (negative: tens, hundreds...).",
                1, 2, _trunc_type, strict(lambda *a: truncate(*a)), _sql_trunc),
    FunctionDef("MOD", "MOD(a, b): the remainder of a / b with the sign of b (MOD(-7, 3) → 2); null when b is 0.",
                2, 2, lambda args: _both_integer("MOD", args), strict(modulo), _sql_mod),
    FunctionDef("POWER", "POWER(x, n): x to the whole power n; decimals rounded half-up to 10 places, a result "
                "past 38 digits (or 64 bits when whole) refused; POWER(0, negative) is null.",
                2, 2, _power_type, lambda args, env: power(args[0], args[1], integer=False), _sql_power,
                typed_python=lambda args, env, t: power(args[0], args[1], integer=t is ExprType.INTEGER)),
    FunctionDef("ABS", "ABS(x): the absolute value.", 1, 1, lambda args: _number_type("ABS", args),
                lambda args, env: None if args[0] is None else abs(args[0]),
                lambda args, ctx: sa.func.abs(args[0].expr, type_=sql_type(ctx.result_type))),
    FunctionDef("MIN", "MIN(a, b, ...): the smallest value, ignoring nulls.", 2, None,
                _extreme_type("MIN"), _py_extreme(min), _sql_extreme("jimu_min", "least")),
    FunctionDef("MAX", "MAX(a, b, ...): the largest value, ignoring nulls.", 2, None,
                _extreme_type("MAX"), _py_extreme(max), _sql_extreme("jimu_max", "greatest")),
):
    FUNCTIONS.register(_entry)
