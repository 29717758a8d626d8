"""Syntax tree produced by the parser; every node keeps its 1-based line and column."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .types import ExprType


@dataclass(frozen=True)
class Literal:
    value: Any  # str | int | Decimal | bool | None
    type: ExprType
    line: int
    column: int


@dataclass(frozen=True)
class FieldRef:
    path: tuple[str, ...]
    line: int
    column: int


@dataclass(frozen=True)
class Unary:
    op: str  # "-" or "not"
    operand: Node
    line: int
    column: int


@dataclass(frozen=True)
class Binary:
    op: str  # canonical operator: + - * / % & = != < <= > >= and or
    left: Node
    right: Node
    line: int
    column: int


@dataclass(frozen=True)
class Chain:
    """Three or more operands joined by one associative operator (+ * & and or), kept flat.

    `a + b + c` is one node rather than nested pairs, so long sums count once toward the depth limit.
    """

    op: str
    operands: tuple[Node, ...]
    line: int
    column: int


@dataclass(frozen=True)
class InList:
    operand: Node
    items: tuple[Node, ...]
    negated: bool
    line: int
    column: int


@dataclass(frozen=True)
class Call:
    name: str  # upper-cased function name
    args: tuple[Node, ...]
    line: int
    column: int


@dataclass(frozen=True)
class Query:
    """`SUM(entity.field WHERE condition)`: an aggregate over the records of another entity."""

    name: str  # upper-cased aggregate name
    value: Node  # names the entity first: `entity.field ...`, or the bare entity for COUNT
    condition: Node
    line: int
    column: int


Node = Literal | FieldRef | Unary | Binary | Chain | InList | Call | Query


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-expressions of a node."""
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Chain):
        return node.operands
    if isinstance(node, InList):
        return (node.operand, *node.items)
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Query):
        return (node.value, node.condition)
    return ()
