"""Logic functions: IF, SWITCH, COALESCE, ISBLANK."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.elements import ColumnElement

from ..env import EvalEnv
from ..errors import ErrorCode
from ..sql_support import SqlArg, SqlContext, compare, is_null
from ..types import ORDERED_TYPES, ExprType
from .registry import FUNCTIONS, Arg, FunctionDef, SignatureError
from .rules import BOOLEAN, common, expect


def _if_type(args: Sequence[Arg]) -> ExprType:
    expect("IF", args, 0, BOOLEAN)
    return common("IF", args, [1, 2])


def _switch_pairs(count: int) -> tuple[int, bool]:
    return (count - 1) // 2, (count - 1) % 2 == 1


def _switch_type(args: Sequence[Arg]) -> ExprType:
    pairs, has_default = _switch_pairs(len(args))
    key = common("SWITCH", args, [0, *range(1, 2 * pairs, 2)])
    if key not in ORDERED_TYPES | {ExprType.BOOLEAN, ExprType.NULL}:
        raise SignatureError(
            f"SWITCH cannot match values of type {key.value}.",
            ErrorCode.WRONG_ARGUMENT_TYPE, {"function": "SWITCH", "index": 1, "actual": key.value}, 0,
        )
    results = list(range(2, 2 * pairs + 1, 2)) + ([len(args) - 1] if has_default else [])
    return common("SWITCH", args, results)


def _py_switch(args: Sequence[Any], env: EvalEnv) -> Any:
    pairs, has_default = _switch_pairs(len(args))
    key = args[0]
    for i in range(pairs):
        value = args[1 + 2 * i]
        if key is not None and value is not None and key == value:
            return args[2 + 2 * i]
    return args[-1] if has_default else None


def _sql_switch(args: Sequence[SqlArg], ctx: SqlContext) -> ColumnElement[Any]:
    pairs, has_default = _switch_pairs(len(args))
    whens = [(compare(args[0], "=", args[1 + 2 * i], ctx), args[2 + 2 * i].expr) for i in range(pairs)]
    return sa.case(*whens, else_=args[-1].expr if has_default else sa.null())


def _py_isblank(args: Sequence[Any], env: EvalEnv) -> bool:
    value = args[0]
    return value is None or value == "" or value == []


def _sql_isblank(args: Sequence[SqlArg], ctx: SqlContext) -> ColumnElement[Any]:
    arg = args[0]
    if arg.type is ExprType.TEXT:
        return sa.func.coalesce(arg.expr, "").op("=", is_comparison=True)("")
    if arg.type is ExprType.LIST:
        length = (sa.func.json_array_length(arg.expr) if ctx.sqlite
                  else sa.func.jsonb_array_length(sa.cast(arg.expr, postgresql.JSONB())))
        return sa.or_(is_null(arg.expr), length == 0)
    return is_null(arg.expr)


for _entry in (
    FunctionDef("IF", "IF(condition, a, b): a when the condition is true, else b (null counts as false).",
                3, 3, _if_type, lambda args, env: args[1] if args[0] is True else args[2],
                lambda args, ctx: sa.case((args[0].expr, args[1].expr), else_=args[2].expr)),
    FunctionDef("SWITCH", "SWITCH(x, v1, r1, v2, r2, ..., [default]): the r of the first v equal to x.",
                3, None, _switch_type, _py_switch, _sql_switch),
    FunctionDef("COALESCE", "COALESCE(a, b, ...): the first value that is not null.", 1, None,
                lambda args: common("COALESCE", args, range(len(args))),
                lambda args, env: next((a for a in args if a is not None), None),
                lambda args, ctx: sa.func.coalesce(*(a.expr for a in args))),
    FunctionDef("ISBLANK", "ISBLANK(x): true when x is null, empty text or an empty list.", 1, 1,
                lambda args: ExprType.BOOLEAN, _py_isblank, _sql_isblank),
):
    FUNCTIONS.register(_entry)
