"""The value types of the expression language and how they combine."""
from __future__ import annotations

from collections.abc import Iterable
from enum import Enum


class ExprType(str, Enum):
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    LIST = "list"  # a multi-select value: a list of text
    NULL = "null"  # the type of the `null` literal: compatible with every type
    COLLECTION = "collection"  # internal: a child collection, only valid as an aggregate argument


NUMERIC_TYPES = frozenset({ExprType.INTEGER, ExprType.DECIMAL})
ORDERED_TYPES = frozenset(
    {ExprType.TEXT, ExprType.INTEGER, ExprType.DECIMAL, ExprType.DATE, ExprType.DATETIME}
)


def unify(a: ExprType, b: ExprType) -> ExprType | None:
    """The common type of two values, or None when they cannot be mixed.

    NULL joins anything; INTEGER widens to DECIMAL; everything else must match exactly.
    """
    if a is b:
        return a
    if a is ExprType.NULL:
        return b
    if b is ExprType.NULL:
        return a
    if {a, b} == NUMERIC_TYPES:
        return ExprType.DECIMAL
    return None


def unify_all(types: Iterable[ExprType]) -> ExprType | None:
    result = ExprType.NULL
    for t in types:
        joined = unify(result, t)
        if joined is None:
            return None
        result = joined
    return result


def is_numeric(t: ExprType) -> bool:
    return t in NUMERIC_TYPES or t is ExprType.NULL


def assignable(source: ExprType, target: ExprType) -> bool:
    """Whether a value of type `source` may be used where `target` is expected."""
    return unify(source, target) is target
