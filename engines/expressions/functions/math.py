"""Number functions: ROUND, ABS, and scalar MIN / MAX."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from ..env import EvalEnv
from ..errors import ErrorCode
from ..sql_support import SqlArg, SqlContext, sql_type, text_order
from ..types import ORDERED_TYPES, ExprType
from ..values import round_half_up
from .registry import FUNCTIONS, Arg, FunctionDef, PyImpl, SignatureError, SqlImpl, TypeRule
from .rules import INTEGER, NUMBER, common, expect


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


for _entry in (
    FunctionDef("ROUND", "ROUND(x, [places]): rounds half away from zero (2.675 → 2.68, -2.5 → -3).",
                1, 2, _round_type, _py_round, _sql_round),
    FunctionDef("ABS", "ABS(x): the absolute value.", 1, 1, lambda args: _number_type("ABS", args),
                lambda args, env: None if args[0] is None else abs(args[0]),
                lambda args, ctx: sa.func.abs(args[0].expr, type_=sql_type(ctx.result_type))),
    FunctionDef("MIN", "MIN(a, b, ...): the smallest value, ignoring nulls.", 2, None,
                _extreme_type("MIN"), _py_extreme(min), _sql_extreme("jimu_min", "least")),
    FunctionDef("MAX", "MAX(a, b, ...): the largest value, ignoring nulls.", 2, None,
                _extreme_type("MAX"), _py_extreme(max), _sql_extreme("jimu_max", "greatest")),
):
    FUNCTIONS.register(_entry)
