"""Expression language: one grammar, a Python interpreter and a SQL compiler.

    checked = compile_expression("ROUND(amount * 1.2, 2)", scope, expected=ExprType.DECIMAL)
    evaluate(checked, row, env)              # → Decimal
    to_sql(checked, binding, env, "sqlite")  # → SQLAlchemy ColumnElement
    to_sql_predicate(checked, binding, env, "sqlite")  # → a WHERE condition (link comparisons as semi-joins)

Aggregates over a query of another entity (`SUM(invoice.total WHERE customer = this.id)`) type-check
only when `queries` names the entities; they compile to a correlated scalar subquery, and evaluate in
Python only through `EvalEnv.query_aggregate` (`CheckedExpression.queries` says which entities they read).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.sql.elements import ColumnElement

from .ast import Node
from .checker import check
from .env import EvalEnv
from .errors import (
    ErrorCode,
    ExpressionError,
    ExpressionEvaluationError,
    ExpressionLimitError,
    ExpressionSyntaxError,
    ExpressionTypeError,
)
from .interpreter import evaluate as _evaluate
from .limits import DEFAULT_LIMITS, Limits
from .parser import parse
from .scope import (
    ChildSpec,
    DictRow,
    DictScope,
    LinkSpec,
    QueryScopes,
    Relation,
    RowAccess,
    ScopeField,
    SqlBinding,
    TableBinding,
    TypeScope,
)
from .sql_compiler import compile_predicate, compile_sql
from .typed import TNode
from .types import ExprType


@dataclass(frozen=True)
class CheckedExpression:
    source: str
    type: ExprType
    tree: TNode
    references: frozenset[tuple[str, ...]]  # field paths read, e.g. ("lines", "amount")
    uses_now: bool  # TODAY / NOW / CURRENT_USER: the value depends on when and who; not storable
    queries: frozenset[str] = frozenset()  # entities read by aggregates over a query: the value goes stale


def compile_expression(
    source: str, scope: TypeScope, *, expected: ExprType | None = None, limits: Limits = DEFAULT_LIMITS,
    queries: QueryScopes | None = None,
) -> CheckedExpression:
    """Parse and type-check; raises ExpressionSyntaxError / ExpressionTypeError / ExpressionLimitError.

    `queries`: the entities `SUM(entity.x WHERE ...)` may read (without it such an aggregate is refused).
    """
    result = check(parse(source, limits), scope, expected, limits, queries)
    return CheckedExpression(source, result.node.type, result.node, frozenset(result.references), result.uses_now,
                             frozenset(result.queries))


def evaluate(checked: CheckedExpression, row: RowAccess, env: EvalEnv, *, limits: Limits = DEFAULT_LIMITS) -> Any:
    """Evaluate in Python against one row."""
    return _evaluate(checked.tree, row, env, limits)


def to_sql(checked: CheckedExpression, binding: SqlBinding, env: EvalEnv, dialect_name: str) -> ColumnElement[Any]:
    """A SQLAlchemy expression computing the same value, typed so results come back as Python values."""
    return compile_sql(checked.tree, binding, env, dialect_name)


def to_sql_predicate(checked: CheckedExpression, binding: SqlBinding, env: EvalEnv,
                     dialect_name: str) -> ColumnElement[bool]:
    """A WHERE condition keeping exactly the rows where the expression is true (it must be BOOLEAN).

    Not the expression's value: rows where it is NULL or false are both rejected, which lets link
    comparisons become semi-joins. Use `to_sql` for a value (or under NOT).
    """
    if checked.type not in (ExprType.BOOLEAN, ExprType.NULL):
        raise TypeError(f"a predicate must be BOOLEAN, not {checked.type.value}")
    return compile_predicate(checked.tree, binding, env, dialect_name)


__all__ = [
    "CheckedExpression", "ChildSpec", "DictRow", "DictScope", "ErrorCode", "EvalEnv", "ExprType",
    "ExpressionError", "ExpressionEvaluationError", "ExpressionLimitError", "ExpressionSyntaxError",
    "ExpressionTypeError", "Limits", "LinkSpec", "Node", "QueryScopes", "Relation", "RowAccess", "ScopeField",
    "SqlBinding", "TableBinding", "TypeScope", "compile_expression", "evaluate", "parse", "to_sql",
    "to_sql_predicate",
]
