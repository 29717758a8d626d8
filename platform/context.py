"""The context passed down every call: connection (inside a transaction), definitions, user, clock."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from jimu.platform.read_ahead import ReadyRows
from jimu.platform.registry.catalog import Catalog
from jimu.platform.storage.tables import EntityTables

if TYPE_CHECKING:
    from jimu.platform.hooks import Hooks


def utcnow() -> datetime:
    return datetime.now(UTC)


class AccessPolicy(Protocol):
    """What the current user may see and do; the security layer implements it (issue: permissions)."""

    def row_condition(self, entity_key: str, table: sa.FromClause, action: str) -> ColumnElement[bool] | None:
        """Extra WHERE condition limiting the rows visible/changeable for `action`; None: no limit."""
        ...

    def readable_fields(self, entity_key: str) -> frozenset[str] | None:
        """Names of fields the user may read; None: all."""
        ...

    def writable_fields(self, entity_key: str) -> frozenset[str] | None:
        """Names of fields the user may write; None: all."""
        ...

    def require(self, entity_key: str, action: str) -> None:
        """Raise PermissionDeniedError unless the user may do `action`.

        The actions: read, create, update, delete, import, export, design.
        """
        ...


class AllowAll:
    """The policy of system work (CLI, migrations, tests): everything is allowed."""

    def row_condition(self, entity_key: str, table: sa.FromClause, action: str) -> ColumnElement[bool] | None:
        return None

    def readable_fields(self, entity_key: str) -> frozenset[str] | None:
        return None

    def writable_fields(self, entity_key: str) -> frozenset[str] | None:
        return None

    def require(self, entity_key: str, action: str) -> None:
        return None


@dataclass(frozen=True)
class Definitions:
    """A consistent snapshot of installed definitions: the catalog and its tables, with their stamp."""

    stamp: int
    catalog: Catalog
    tables: EntityTables


@dataclass
class Context:
    """Everything one unit of work needs. `conn` is inside a transaction owned by the caller."""

    conn: sa.Connection
    definitions: Definitions
    user_id: int | None = None
    locale: str = "en"
    clock: Callable[[], datetime] = utcnow
    access: AccessPolicy = field(default_factory=AllowAll)
    hooks: Hooks | None = None
    request_id: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    ready: ReadyRows | None = None  # rows read ahead with the request's first statement (platform/read_ahead.py)

    @property
    def catalog(self) -> Catalog:
        return self.definitions.catalog

    @property
    def tables(self) -> EntityTables:
        return self.definitions.tables

    @property
    def dialect(self) -> str:
        return self.conn.dialect.name

    def now(self) -> datetime:
        return self.clock()
