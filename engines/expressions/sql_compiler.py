"""Compiles a typed tree to a SQLAlchemy Core expression (never SQL text).

Link hops and aggregates become correlated scalar subqueries; env values become bound
parameters; dialect differences live in the function registry entries.

`compile_predicate` compiles a BOOLEAN expression for a WHERE clause: there a row is kept only when
the condition is true (NULL and false both reject it), so at top-level AND/OR positions (never under
NOT or inside a function) a comparison whose only non-constant side is a link path, e.g.
`customer.tier = 'gold'`, can be a semi-join `customer IN (SELECT id FROM t_customer WHERE tier = 'gold')`
instead of a scalar subquery evaluated for every row. Comparisons are NULL-strict, so a NULL link or a
NULL target value rejects the row either way. A relation's `guard` (the reader's record rules on the
related rows) is part of both forms: inside the scalar subquery's WHERE and inside the semi-join's.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BinaryExpression, ColumnElement

from .env import EvalEnv
from .functions import OPERATORS
from .scope import SqlBinding
from .sql_support import SqlArg, SqlContext, chain, literal, sql_type, typed
from .typed import TAggregate, TCall, TField, TInList, TLiteral, TNode, TQuery
from .types import ExprType


class SqlCompiler:
    def __init__(self, binding: SqlBinding, env: EvalEnv, dialect: str) -> None:
        self._binding = binding
        self._child: SqlBinding | None = None
        self._env = env
        self._dialect = dialect
        self._dispatch: dict[type, Callable[[Any], ColumnElement[Any]]] = {
            TLiteral: self._literal, TField: self._field, TCall: self._call,
            TInList: self._in_list, TAggregate: self._aggregate, TQuery: self._aggregate,
        }

    def compile(self, node: TNode) -> ColumnElement[Any]:
        return self._dispatch[type(node)](node)

    def predicate(self, node: TNode) -> ColumnElement[bool]:
        """`node` as a WHERE condition: true exactly where the plain compile is true (see the module doc)."""
        if isinstance(node, TCall) and node.fn in (_AND, _OR):
            parts = [self.predicate(arg) for arg in node.args]
            return chain(parts, "and" if node.fn is _AND else "or", ExprType.BOOLEAN)
        semi_join = self._semi_join(node)
        if semi_join is not None:
            return semi_join
        return typed(self.compile(node), node.type)

    def _semi_join(self, node: TNode) -> ColumnElement[bool] | None:
        """`link IN (SELECT key FROM target WHERE <node on the target>)`, or None when node is not such a comparison."""
        if isinstance(node, TCall) and node.fn in _COMPARISONS:
            operands: tuple[TNode, ...] = node.args
        elif isinstance(node, TInList):
            operands = (node.operand, *node.items)
        else:
            return None
        paths = [n for n, arg in enumerate(operands)
                 if isinstance(arg, TField) and len(arg.path) > 1 and not arg.in_child]
        if len(paths) != 1 or not all(_constant(arg) for n, arg in enumerate(operands) if n != paths[0]):
            return None
        linked = operands[paths[0]]
        assert isinstance(linked, TField)
        hop = linked.path[0]
        try:
            outer, relation = self._binding.column(hop), self._binding.link(hop)
        except KeyError:
            return None
        target_key = _correlated_key(relation.correlation, outer)
        if target_key is None:
            return None
        rebased = replace(linked, path=linked.path[1:])
        rebuilt = tuple(rebased if n == paths[0] else arg for n, arg in enumerate(operands))
        if isinstance(node, TCall):
            inner_node: TNode = replace(node, args=rebuilt)
        else:
            inner_node = replace(node, operand=rebuilt[0], items=rebuilt[1:])
        inner = SqlCompiler(relation.binding, self._env, self._dialect).predicate(inner_node)
        guard = () if relation.guard is None else (relation.guard,)
        return outer.in_(sa.select(target_key).where(inner, *guard))

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

    def _aggregate(self, node: TAggregate | TQuery) -> ColumnElement[Any]:
        """A correlated scalar subquery over the child rows (or, for a query, the queried entity's rows)."""
        if isinstance(node, TQuery):
            relation = self._binding.query(node.entity)
        else:
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


_AND, _OR = OPERATORS.get("and"), OPERATORS.get("or")
_COMPARISONS = tuple(OPERATORS.get(symbol) for symbol in ("=", "!=", "<", "<=", ">", ">="))


def _constant(node: TNode) -> bool:
    """No field anywhere in the subtree: the same value for every row."""
    if isinstance(node, TLiteral):
        return True
    if isinstance(node, TCall):
        return all(_constant(arg) for arg in node.args)
    if isinstance(node, TInList):
        return _constant(node.operand) and all(_constant(item) for item in node.items)
    return False


def _correlated_key(where: ColumnElement[bool], outer: ColumnElement[Any]) -> ColumnElement[Any] | None:
    """The target side of a link's correlation `target.key = outer.link`, or None if it is not that shape."""
    if not isinstance(where, BinaryExpression) or where.operator is not operators.eq:
        return None
    if where.right.compare(outer):
        return where.left
    if where.left.compare(outer):
        return where.right
    return None


def compile_sql(node: TNode, binding: SqlBinding, env: EvalEnv, dialect: str) -> ColumnElement[Any]:
    return typed(SqlCompiler(binding, env, dialect).compile(node), node.type)


def compile_predicate(node: TNode, binding: SqlBinding, env: EvalEnv, dialect: str) -> ColumnElement[bool]:
    return SqlCompiler(binding, env, dialect).predicate(node)
