"""Aggregates over a query of another entity, outside SQL: the interpreter cannot read other records, so it
replaces the query's references to the current record by their values and hands the query to the
`EvalEnv.query_aggregate` runner the platform supplies (which compiles it with `to_sql` and runs it)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from .typed import TAggregate, TCall, TField, TInList, TLiteral, TNode, TQuery


def bind_outer(query: TQuery, value_of: Callable[[TField], Any]) -> TQuery:
    """The query with every field of the current record (not `in_child`) replaced by its value."""
    value = None if query.value is None else _bind(query.value, value_of)
    return replace(query, value=value, condition=_bind(query.condition, value_of))


def _bind(node: TNode, value_of: Callable[[TField], Any]) -> TNode:
    if isinstance(node, TField):
        return node if node.in_child else TLiteral(value_of(node), node.type)
    if isinstance(node, TCall):
        return replace(node, args=tuple(_bind(arg, value_of) for arg in node.args))
    if isinstance(node, TInList):
        return replace(node, operand=_bind(node.operand, value_of),
                       items=tuple(_bind(item, value_of) for item in node.items))
    if isinstance(node, (TAggregate, TQuery)):  # the checker refuses aggregates inside a query
        raise AssertionError("an aggregate inside a query")
    return node
