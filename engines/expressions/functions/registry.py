"""Function registry: one entry per function, holding its type rule, Python and SQL behaviour, doc."""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy.sql.elements import ColumnElement

from ..ast import Node
from ..env import EvalEnv
from ..errors import ErrorCode
from ..sql_support import SqlArg, SqlContext
from ..types import ExprType


@dataclass
class Arg:
    """What a type rule sees of one argument: its type and its syntax node.

    A rule sets `null_type` on a null-typed argument to the type it stands for, so that SQL
    can give the NULL a type (PostgreSQL cannot resolve `-NULL` or `LEAST(1, NULL::text)`).
    """

    type: ExprType
    node: Node
    null_type: ExprType | None = None


class SignatureError(Exception):
    """Raised by a type rule; the checker adds the position and raises ExpressionTypeError."""

    def __init__(self, message: str, code: ErrorCode, params: dict[str, Any], index: int | None = None):
        super().__init__(message)
        self.message, self.code, self.params, self.index = message, code, params, index


TypeRule = Callable[[Sequence[Arg]], ExprType]
PyImpl = Callable[[Sequence[Any], EvalEnv], Any]
SqlImpl = Callable[[Sequence[SqlArg], SqlContext], ColumnElement[Any]]


@dataclass(frozen=True)
class FunctionDef:
    name: str
    doc: str
    min_args: int
    max_args: int | None
    check: TypeRule
    python: PyImpl
    sql: SqlImpl
    volatile: bool = False  # depends on the clock or the user: not storable
    # The bound of the result's text from the arguments' bounds and typed nodes (bounds.py); None: `widest`.
    text_bound: Callable[[Sequence[int], Sequence[Any]], int] | None = None
    # When the Python result depends on the checked result type (POWER: a whole number or a decimal), the
    # interpreter calls this instead of `python`, with that type.
    typed_python: Callable[[Sequence[Any], EvalEnv, ExprType], Any] | None = None


@dataclass(frozen=True)
class AggregateDef:
    name: str
    doc: str
    check: Callable[[ExprType | None], ExprType]  # value type (None for a bare collection) → result
    python: Callable[[list[Any]], Any]  # non-null values of matching rows → result
    sql: Callable[[ColumnElement[Any] | None, SqlContext], ColumnElement[Any]]  # the aggregate call
    finish: Callable[[ColumnElement[Any], SqlContext], ColumnElement[Any]] = field(
        default=lambda subquery, ctx: subquery
    )
    counts_rows: bool = False  # COUNT(collection) accepts the bare collection


T = TypeVar("T", FunctionDef, AggregateDef)


class Registry(Generic[T]):
    """Entries by case-insensitive name."""

    def __init__(self) -> None:
        self._entries: dict[str, T] = {}

    def register(self, entry: T) -> T:
        key = entry.name.upper()
        if key in self._entries:
            raise ValueError(f"{key} is already registered")
        self._entries[key] = entry
        return entry

    def get(self, name: str) -> T | None:
        return self._entries.get(name.upper())

    def __iter__(self) -> Iterator[T]:
        return iter(self._entries.values())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.upper() in self._entries


FUNCTIONS: Registry[FunctionDef] = Registry()
OPERATORS: Registry[FunctionDef] = Registry()
AGGREGATES: Registry[AggregateDef] = Registry()
