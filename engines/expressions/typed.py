"""The checked tree: every node knows its type and what it refers to."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .types import ExprType

if TYPE_CHECKING:
    from .functions.registry import AggregateDef, FunctionDef


@dataclass(frozen=True)
class TLiteral:
    value: Any
    type: ExprType


@dataclass(frozen=True)
class TField:
    path: tuple[str, ...]  # link hops then the field; relative to the child row when in_child
    type: ExprType
    in_child: bool = False


@dataclass(frozen=True)
class TCall:
    fn: FunctionDef
    args: tuple[TNode, ...]
    type: ExprType
    null_types: tuple[ExprType | None, ...] = ()  # what each null-typed argument stands for


@dataclass(frozen=True)
class TInList:
    operand: TNode
    items: tuple[TNode, ...]
    negated: bool
    type: ExprType = ExprType.BOOLEAN


@dataclass(frozen=True)
class TAggregate:
    fn: AggregateDef
    collection: str
    value: TNode | None  # None for COUNT(collection)
    condition: TNode | None
    type: ExprType


@dataclass(frozen=True)
class TQuery:
    """An aggregate over the records of `entity` where `condition` holds (fields in_child: the queried record's;
    others: the current record's, written `this.x`)."""

    fn: AggregateDef
    entity: str
    value: TNode | None  # None for COUNT(entity WHERE ...)
    condition: TNode
    type: ExprType


TNode = TLiteral | TField | TCall | TInList | TAggregate | TQuery
