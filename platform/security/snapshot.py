"""The security configuration as one immutable snapshot, loaded from the database (cached by a stamp)."""
from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from jimu.platform.security.rules import RecordRule
from jimu.platform.security.tables import field_permissions, permissions, record_rules, security_revision

ACTIONS = ("read", "create", "update", "delete", "import", "export", "design")
WILDCARD = "*"


@dataclass(frozen=True)
class Grant:
    """What one role may do with one entity (or every entity, `*`)."""

    role: str
    entity: str
    actions: frozenset[str]


@dataclass(frozen=True)
class FieldRule:
    """A role's access to one field (by stable key); fields without a rule are readable and writable."""

    role: str
    entity: str
    field: str
    read: bool
    write: bool


@dataclass(frozen=True)
class RulesSnapshot:
    """Every grant, record rule and field rule, at one security revision."""

    revision: int
    grants: tuple[Grant, ...] = ()
    record_rules: tuple[RecordRule, ...] = ()
    field_rules: tuple[FieldRule, ...] = ()

    def for_roles(self, roles: Iterable[str]) -> RulesSnapshot:
        """The part of the snapshot that concerns some roles."""
        keep = frozenset(roles)
        return RulesSnapshot(
            revision=self.revision,
            grants=tuple(g for g in self.grants if g.role in keep),
            record_rules=tuple(r for r in self.record_rules if r.role in keep),
            field_rules=tuple(f for f in self.field_rules if f.role in keep),
        )


def security_stamp(conn: sa.Connection) -> int:
    """The security revision: grows whenever roles, grants or rules change."""
    value = conn.execute(sa.select(security_revision.c.value).where(security_revision.c.id == 1)).scalar()
    return int(value or 0)


def bump_security_stamp(conn: sa.Connection) -> None:
    """Mark the security configuration as changed (called by every change in roles.py)."""
    updated = conn.execute(sa.update(security_revision).where(security_revision.c.id == 1)
                           .values(value=security_revision.c.value + 1))
    if updated.rowcount == 0:
        conn.execute(sa.insert(security_revision).values(id=1, value=1))


def load_snapshot(conn: sa.Connection) -> RulesSnapshot:
    """Read the whole security configuration."""
    revision = security_stamp(conn)
    grants = tuple(
        Grant(row.role_key, row.entity, frozenset(a for a in ACTIONS if getattr(row, f"can_{a}")))
        for row in conn.execute(sa.select(permissions).order_by(permissions.c.role_key, permissions.c.entity))
    )
    rules = tuple(
        RecordRule.from_json(row.id, row.role_key, row.entity, row.actions, row.rule)
        for row in conn.execute(sa.select(record_rules).order_by(record_rules.c.id))
    )
    fields = tuple(
        FieldRule(row.role_key, row.entity, row.field, bool(row.can_read), bool(row.can_write))
        for row in conn.execute(sa.select(field_permissions))
    )
    return RulesSnapshot(revision, grants, rules, fields)


class SecurityCache:
    """Holds the latest snapshot for a process (owned by the web app, like the kernel's definitions).

    Each request costs one query (the stamp); the snapshot is reloaded only when the stamp moved.
    """

    def __init__(self) -> None:
        self._snapshot: RulesSnapshot | None = None
        self._lock = threading.Lock()

    def snapshot(self, conn: sa.Connection) -> RulesSnapshot:
        stamp = security_stamp(conn)
        cached = self._snapshot
        if cached is not None and cached.revision == stamp:
            return cached
        fresh = load_snapshot(conn)
        with self._lock:
            self._snapshot = fresh
        return fresh

    def invalidate(self) -> None:
        with self._lock:
            self._snapshot = None
