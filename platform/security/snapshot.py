"""The security configuration as one immutable snapshot, loaded from the database (cached by a stamp)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from jimu.platform.security.revision import security_stamp
from jimu.platform.security.rules import RecordRule
from jimu.platform.security.tables import field_permissions, permissions, record_rules

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
