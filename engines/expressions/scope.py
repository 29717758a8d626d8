"""What an expression can see: field types (checker), row values (interpreter), columns (SQL).

The protocols are implemented by the platform; the Dict*/TableBinding classes are small
general implementations for tests and simple callers.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.expression import FromClause

from .types import ExprType


@dataclass(frozen=True)
class ScopeField:
    name: str
    type: ExprType
    link: TypeScope | None = None  # link (many-to-one): `name.x` reads the target's field x; own value is the target id
    children: TypeScope | None = None  # child collection: only inside aggregates, as `name.x` or COUNT(name)
    max_length: int | None = None  # a text's declared length (None: unknown, as long as any text may be)


class TypeScope(Protocol):
    def lookup(self, name: str) -> ScopeField | None: ...


class QueryScopes(Protocol):
    """The entities an expression may aggregate over with `SUM(entity.x WHERE ...)`, by name."""

    def query_scope(self, entity: str) -> TypeScope | None: ...


class RowAccess(Protocol):  # for the interpreter
    def get(self, name: str) -> Any: ...

    def link(self, name: str) -> RowAccess | None: ...

    def children(self, name: str) -> Iterable[RowAccess]: ...


@dataclass(frozen=True)
class Relation:  # for the SQL compiler
    """The rows related to the outer row: `correlation` ties them to it, `guard` (if any) limits which
    related rows count at all (a reader's record rules on the target); `where` is both."""

    binding: SqlBinding  # binding of the related table's columns
    correlation: ColumnElement[bool]  # correlates the related table with the outer row
    guard: ColumnElement[bool] | None = None  # a condition on the related rows alone

    @property
    def where(self) -> ColumnElement[bool]:
        return self.correlation if self.guard is None else sa.and_(self.correlation, self.guard)


class SqlBinding(Protocol):
    def column(self, name: str) -> ColumnElement[Any]: ...

    def link(self, name: str) -> Relation: ...

    def children(self, name: str) -> Relation: ...

    def query(self, entity: str) -> Relation:
        """The records of `entity` an aggregate over a query may count (live, readable), on a fresh alias;
        their `correlation` is what every such record must meet (the aggregate's condition is added). It
        must name the queried table: it is what makes the table the subquery's FROM (`COUNT(entity WHERE
        true)` names no column of it)."""
        ...


# --- simple implementations -------------------------------------------------------------


class DictScope:
    """A TypeScope over a mapping name → ScopeField (or name → ExprType for plain fields); `entities` are the
    scopes queries may aggregate over (a QueryScopes)."""

    def __init__(self, fields: Mapping[str, ScopeField | ExprType],
                 entities: Mapping[str, TypeScope] | None = None) -> None:
        self._fields = {
            name: f if isinstance(f, ScopeField) else ScopeField(name, f) for name, f in fields.items()
        }
        self._entities = dict(entities or {})

    def lookup(self, name: str) -> ScopeField | None:
        return self._fields.get(name)

    def query_scope(self, entity: str) -> TypeScope | None:
        return self._entities.get(entity)


LinkLoader = Callable[[str, Any], "Mapping[str, Any] | None"]


class DictRow:
    """A RowAccess over a dict.

    Children are lists of dicts under the collection's name. A link is resolved by
    `load_link(name, id)` when given, else by a nested dict stored under the link's name
    (then the link's own value is that dict's "id").
    """

    def __init__(self, values: Mapping[str, Any], load_link: LinkLoader | None = None) -> None:
        self._values = values
        self._load_link = load_link

    def get(self, name: str) -> Any:
        value = self._values.get(name)
        if isinstance(value, Mapping):
            return value.get("id")
        return value

    def link(self, name: str) -> DictRow | None:
        value = self._values.get(name)
        if value is None:
            return None
        if isinstance(value, Mapping):
            return DictRow(value, self._load_link)
        if self._load_link is None:
            return None
        target = self._load_link(name, value)
        return None if target is None else DictRow(target, self._load_link)

    def children(self, name: str) -> Iterable[DictRow]:
        return [DictRow(row, self._load_link) for row in self._values.get(name) or ()]


@dataclass(frozen=True)
class LinkSpec:
    """A link column of a TableBinding: its target table binding and the target's key column."""

    target: TableBinding
    key: str = "id"


@dataclass(frozen=True)
class ChildSpec:
    """A child collection of a TableBinding: the child binding and its column pointing at us."""

    target: TableBinding
    foreign_key: str


class TableBinding:
    """A SqlBinding over a SQLAlchemy table; related tables get a fresh alias on every use.

    links: link field → LinkSpec or (target Table | TableBinding, target key column).
    children: collection name → ChildSpec or (child Table | TableBinding, child foreign-key column).
    queries: entity name → its Table | TableBinding, for aggregates over a query (every row counts).
    """

    def __init__(
        self,
        table: FromClause,
        links: Mapping[str, LinkSpec | tuple[Any, str]] | None = None,
        children: Mapping[str, ChildSpec | tuple[Any, str]] | None = None,
        key: str = "id",
        queries: Mapping[str, Any] | None = None,
    ) -> None:
        self.table = table
        self.key = key
        self._links = {n: s if isinstance(s, LinkSpec) else LinkSpec(_binding(s[0]), s[1])
                       for n, s in (links or {}).items()}
        self._children = {n: s if isinstance(s, ChildSpec) else ChildSpec(_binding(s[0]), s[1])
                          for n, s in (children or {}).items()}
        self._queries = {n: _binding(t) for n, t in (queries or {}).items()}

    def column(self, name: str) -> ColumnElement[Any]:
        return self.table.c[name]

    def aliased(self) -> TableBinding:
        base = getattr(self.table, "element", self.table)
        return TableBinding(sa.alias(base), dict(self._links), dict(self._children), self.key, dict(self._queries))

    def link(self, name: str) -> Relation:
        spec = self._links[name]
        target = spec.target.aliased()
        return Relation(target, target.column(spec.key) == self.column(name))

    def children(self, name: str) -> Relation:
        spec = self._children[name]
        target = spec.target.aliased()
        return Relation(target, target.column(spec.foreign_key) == self.column(self.key))

    def query(self, entity: str) -> Relation:
        target = self._queries[entity].aliased()
        # every row counts; the condition names the table, so that it is the subquery's FROM even for COUNT
        return Relation(target, target.column(target.key).is_not(None))


def _binding(target: Any) -> TableBinding:
    return target if isinstance(target, TableBinding) else TableBinding(target)
