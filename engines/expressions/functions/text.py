"""Text functions: CONCAT, LEN, UPPER, LOWER, TRIM, LEFT, RIGHT, CONTAINS."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.elements import ColumnElement

from ..bounds import cut, joined, scaled
from ..sql_support import SqlArg, SqlContext, as_text, chain
from ..types import ExprType
from ..values import decimal_text
from .registry import FUNCTIONS, Arg, FunctionDef
from .rules import INTEGER, TEXT, TEXTUAL, expect, strict


def py_text(value: Any) -> str:
    """How a value reads inside text: null → '', true → 'true', 12.50 → '12.5', dates ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def sql_concat(args: Sequence[SqlArg], ctx: SqlContext) -> ColumnElement[Any]:
    """Joins values as text in SQL; null counts as ''."""
    return chain([sa.func.coalesce(as_text(a, ctx), "") for a in args], "||", ExprType.TEXT)


def _concat_type(args: Sequence[Arg]) -> ExprType:
    for i in range(len(args)):
        expect("CONCAT", args, i, TEXTUAL)
    return ExprType.TEXT


def _text_fn(name: str, doc: str, py: Any, sql_pg: Any, sql_sqlite: Any = None, growth: int = 1) -> FunctionDef:
    def sql(args: Sequence[SqlArg], ctx: SqlContext) -> ColumnElement[Any]:
        fn = sql_sqlite if ctx.sqlite and sql_sqlite is not None else sql_pg
        call: ColumnElement[Any] = fn(args[0].expr, type_=sa.Text())
        return call

    return FunctionDef(name, doc, 1, 1, lambda args: (expect(name, args, 0, TEXT), ExprType.TEXT)[1],
                       strict(py), sql, text_bound=scaled(growth))


def _clamp(n: ColumnElement[Any]) -> ColumnElement[Any]:
    """Negative counts mean zero characters (null stays null)."""
    return sa.case((n < 0, 0), else_=n)


def _sql_left(args: Sequence[SqlArg], ctx: SqlContext) -> ColumnElement[Any]:
    s, n = args[0].expr, args[1].expr
    if ctx.sqlite:
        return sa.func.substr(s, 1, _clamp(n), type_=sa.Text())
    return sa.func.left(s, sa.cast(_clamp(n), sa.Integer()), type_=sa.Text())


def _sql_right(args: Sequence[SqlArg], ctx: SqlContext) -> ColumnElement[Any]:
    s, n = args[0].expr, args[1].expr
    if ctx.sqlite:
        return sa.case((n <= 0, sa.func.substr(s, 1, 0)), else_=sa.func.substr(s, -n, type_=sa.Text()))
    return sa.func.right(s, sa.cast(_clamp(n), sa.Integer()), type_=sa.Text())


def _contains_type(args: Sequence[Arg]) -> ExprType:
    expect("CONTAINS", args, 0, {ExprType.TEXT, ExprType.LIST})
    expect("CONTAINS", args, 1, TEXT)
    return ExprType.BOOLEAN


def _sql_contains(args: Sequence[SqlArg], ctx: SqlContext) -> ColumnElement[Any]:
    haystack, needle = args
    if haystack.type is ExprType.LIST:
        if ctx.sqlite:
            return sa.func.jimu_list_contains(haystack.expr, needle.expr, type_=sa.Boolean())
        return sa.cast(haystack.expr, postgresql.JSONB()).op("?", is_comparison=True)(needle.expr)
    position = (sa.func.instr(haystack.expr, needle.expr) if ctx.sqlite
                else sa.func.strpos(haystack.expr, needle.expr))
    return position > 0


for _entry in (
    FunctionDef("CONCAT", "CONCAT(a, b, ...): joins values as text; null counts as ''.", 1, None,
                _concat_type, lambda args, env: "".join(py_text(a) for a in args),
                sql_concat, text_bound=joined),
    FunctionDef("LEN", "LEN(s): number of characters; null for null.", 1, 1,
                lambda args: (expect("LEN", args, 0, TEXT), ExprType.INTEGER)[1], strict(len),
                lambda args, ctx: sa.func.length(args[0].expr, type_=sa.BigInteger())),
    _text_fn("UPPER", "UPPER(s): upper case.", str.upper, sa.func.upper, sa.func.jimu_upper, growth=3),
    _text_fn("LOWER", "LOWER(s): lower case.", str.lower, sa.func.lower, sa.func.jimu_lower, growth=3),
    _text_fn("TRIM", "TRIM(s): removes leading and trailing spaces.", lambda s: s.strip(" "), sa.func.trim),
    FunctionDef("LEFT", "LEFT(s, n): the first n characters (none when n < 0).", 2, 2,
                lambda args: (expect("LEFT", args, 0, TEXT), expect("LEFT", args, 1, INTEGER), ExprType.TEXT)[2],
                strict(lambda s, n: s[: max(n, 0)]), _sql_left, text_bound=cut),
    FunctionDef("RIGHT", "RIGHT(s, n): the last n characters (none when n < 0).", 2, 2,
                lambda args: (expect("RIGHT", args, 0, TEXT), expect("RIGHT", args, 1, INTEGER), ExprType.TEXT)[2],
                strict(lambda s, n: s[-n:] if n > 0 else ""), _sql_right, text_bound=cut),
    FunctionDef("CONTAINS", "CONTAINS(s, part): whether text s contains part, or a list holds the item part.",
                2, 2, _contains_type, strict(lambda s, part: part in s), _sql_contains),
):
    FUNCTIONS.register(_entry)
