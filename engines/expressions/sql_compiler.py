"""Compiles a typed tree to a SQLAlchemy Core expression (never SQL text).

Link hops and aggregates become correlated scalar subqueries; env values become bound
parameters; dialect differences live in the function registry entries.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from .env import EvalEnv
from .scope import SqlBinding
from .sql_support import SqlArg, SqlContext, literal, sql_type, typed
from .typed import TAggregate, TCall, TField, TInList, TLiteral, TNode
from .types import ExprType


class SqlCompiler:
    def __init__(self, binding: SqlBinding, env: EvalEnv, dialect: str) -> None:
        self._binding = binding
        self._child: SqlBinding | None = None
        self._env = env
        self._dialect = dialect
        self._dispatch: dict[type, Callable[[Any], ColumnElement[Any]]] = {
            TLiteral: self._literal, TField: self._field, TCall: self._call,
            TInList: self._in_list, TAggregate: self._aggregate,
        }

    def compile(self, node: TNode) -> ColumnElement[Any]:
        return self._dispatch[type(node)](node)

    def _context(self, result: ExprType) -> SqlContext:
        return SqlContext(self._dialect, self._env, result)

    def _arg(self, node: TNode) -> SqlArg:
        return SqlArg(self.compile(node), node.type, plain=isinstance(node, (TLiteral, TField)),
                      value=node.value if isinstance(node, TLiteral) else None)

    def _literal(self, node: TLiteral) -> ColumnElement[Any]:
        return literal(node.value, node.type, self._context(node.type))

    def _field(self, node: TField) -> ColumnElement[Any]:
        binding = self._child if node.in_child and self._child is not None else self._binding
        return _path(binding, node.path)

    def _call(self, node: TCall) -> ColumnElement[Any]:
        args = [self._arg(arg) for arg in node.args]
        if self._dialect != "sqlite":  # PostgreSQL needs typed NULLs
            args = [
                SqlArg(sa.cast(a.expr, sql_type(t)), t, a.plain, a.value) if a.type is ExprType.NULL and t else a
                for a, t in zip(args, node.null_types)
            ]
        return node.fn.sql(args, self._context(node.type))

    def _in_list(self, node: TInList) -> ColumnElement[Any]:
        operand = self._arg(node.operand)
        items = [self._arg(item) for item in node.items]
        exprs = [operand.expr, *(i.expr for i in items)]
        if self._dialect == "sqlite" and ExprType.DECIMAL in {operand.type, *(i.type for i in items)}:
            exprs = [sa.func.round(e, 10) for e in exprs]  # floating point: compare at 10 places
        tuple_ = sa.tuple_(*exprs[1:])
        symbol = "NOT IN" if node.negated else "IN"
        return exprs[0].op(symbol, is_comparison=True, return_type=sa.Boolean(create_constraint=False))(tuple_)

    def _aggregate(self, node: TAggregate) -> ColumnElement[Any]:
        relation = self._binding.children(node.collection)
        outer, self._child = self._child, relation.binding
        try:
            value = None if node.value is None else self.compile(node.value)
            condition = None if node.condition is None else self.compile(node.condition)
        finally:
            self._child = outer
        ctx = self._context(node.type)
        where = relation.where if condition is None else sa.and_(relation.where, condition)
        subquery = sa.select(node.fn.sql(value, ctx)).where(where).scalar_subquery()
        return node.fn.finish(subquery, ctx)


def _path(binding: SqlBinding, path: tuple[str, ...]) -> ColumnElement[Any]:
    if len(path) == 1:
        return binding.column(path[0])
    relation = binding.link(path[0])
    inner = _path(relation.binding, path[1:])
    return sa.select(inner).where(relation.where).scalar_subquery()


def compile_sql(node: TNode, binding: SqlBinding, env: EvalEnv, dialect: str) -> ColumnElement[Any]:
    return typed(SqlCompiler(binding, env, dialect).compile(node), node.type)
