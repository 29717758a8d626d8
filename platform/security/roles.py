"""Roles and what they grant: entity permissions, record rules and field permissions."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from jimu.platform.context import utcnow
from jimu.platform.errors import ConflictError, ErrorDetail, NotFoundError, ValidationError
from jimu.platform.registry.catalog import Catalog
from jimu.platform.registry.model import EntityDef
from jimu.platform.security.revision import bump_security_stamp
from jimu.platform.security.rules import rule_problems, stored_rule
from jimu.platform.security.snapshot import ACTIONS, WILDCARD
from jimu.platform.security.tables import field_permissions, permissions, record_rules, roles

_ROLE_KEY = re.compile(r"[a-z][a-z0-9_]{0,47}")  # whole key: fullmatch
RULE_ACTIONS = ("read", "create", "update", "delete", "import", "export")


def create_role(conn: sa.Connection, key: str, label: Mapping[str, str] | None = None, *,
                now: datetime | None = None) -> None:
    """Create a role with a stable key (lower-case letters, digits, underscores)."""
    if not _ROLE_KEY.fullmatch(key):
        raise ValidationError("Invalid role key.", code="security.role_key_invalid",
                              details=[ErrorDetail("key", "security.role_key_invalid")])
    if conn.execute(sa.select(roles.c.key).where(roles.c.key == key)).first() is not None:
        raise ConflictError(f"Role {key!r} exists.", code="security.role_exists", role=key)
    conn.execute(sa.insert(roles).values(key=key, label=dict(label or {"en": key}), created_at=now or utcnow()))
    bump_security_stamp(conn)


def delete_role(conn: sa.Connection, key: str) -> None:
    """Delete a role with its grants and rules; users lose it."""
    require_role(conn, key)
    for table in (permissions, record_rules, field_permissions):
        conn.execute(sa.delete(table).where(table.c.role_key == key))
    conn.execute(sa.delete(roles).where(roles.c.key == key))  # user_roles rows cascade
    bump_security_stamp(conn)


def require_role(conn: sa.Connection, key: str) -> None:
    if conn.execute(sa.select(roles.c.key).where(roles.c.key == key)).first() is None:
        raise NotFoundError(f"No role {key!r}.", code="security.unknown_role", role=key)


def _check_actions(actions: Iterable[str], allowed: tuple[str, ...]) -> frozenset[str]:
    chosen = frozenset(actions)
    unknown = sorted(chosen - set(allowed))
    if unknown:
        details = [ErrorDetail("actions", "security.unknown_action", {"action": a}) for a in unknown]
        raise ValidationError("Unknown actions.", code="security.unknown_action", details=details)
    return chosen


def _require_entity(catalog: Catalog | None, entity_key: str) -> EntityDef | None:
    if entity_key == WILDCARD or catalog is None:
        return None
    return catalog.require_entity(entity_key)


def set_permission(conn: sa.Connection, role: str, entity: str, actions: Iterable[str], *,
                   catalog: Catalog | None = None) -> None:
    """Set exactly which actions a role has on an entity (`*`: every entity); no actions removes the grant."""
    require_role(conn, role)
    chosen = _check_actions(actions, ACTIONS)
    entity_def = _require_entity(catalog, entity)
    if entity_def is not None and entity_def.is_child:
        raise ValidationError("Child entities follow their parent's permissions.", code="security.child_entity",
                              entity=entity)
    conn.execute(sa.delete(permissions).where(permissions.c.role_key == role, permissions.c.entity == entity))
    if chosen:
        conn.execute(sa.insert(permissions).values(role_key=role, entity=entity,
                                                   **{f"can_{a}": a in chosen for a in ACTIONS}))
    bump_security_stamp(conn)


def add_record_rule(conn: sa.Connection, catalog: Catalog, role: str, entity: str, actions: Iterable[str],
                    rule: Mapping[str, Any], *, now: datetime | None = None) -> int:
    """Restrict the rows a role reaches for some actions on an entity; returns the rule id."""
    require_role(conn, role)
    chosen = _check_actions(actions, RULE_ACTIONS)
    entity_def = catalog.require_entity(entity)
    if entity_def.is_child:
        raise ValidationError("Child entities follow their parent's record rules.", code="security.child_entity",
                              entity=entity)
    problems = rule_problems(rule, entity_def, catalog) or ([] if chosen else [("security.unknown_action", {})])
    if problems:
        raise ValidationError("The record rule is invalid.", code="security.rule_invalid",
                              details=[ErrorDetail("rule", code, params) for code, params in problems])
    values = {"role_key": role, "entity": entity, "actions": sorted(chosen), "rule": stored_rule(rule, entity_def),
              "created_at": now or utcnow()}
    rule_id = int(conn.execute(sa.insert(record_rules).values(**values).returning(record_rules.c.id)).scalar_one())
    bump_security_stamp(conn)
    return rule_id


def remove_record_rule(conn: sa.Connection, rule_id: int) -> None:
    deleted = conn.execute(sa.delete(record_rules).where(record_rules.c.id == rule_id))
    if deleted.rowcount == 0:
        raise NotFoundError(f"No record rule {rule_id}.", code="security.unknown_rule", rule=rule_id)
    bump_security_stamp(conn)


def set_field_permission(conn: sa.Connection, catalog: Catalog, role: str, entity: str, field: str, *,
                         read: bool, write: bool) -> None:
    """Set a role's access to one field; a field denied read is denied write too."""
    require_role(conn, role)
    field_def = catalog.require_entity(entity).field(field)
    if field_def is None:
        raise NotFoundError(f"Entity {entity!r} has no field {field!r}.", code="definition.unknown_field",
                            entity=entity, field=field)
    key = (field_permissions.c.role_key == role, field_permissions.c.entity == entity,
           field_permissions.c.field == field_def.key)
    conn.execute(sa.delete(field_permissions).where(*key))
    conn.execute(sa.insert(field_permissions).values(role_key=role, entity=entity, field=field_def.key,
                                                     can_read=read, can_write=read and write))
    bump_security_stamp(conn)


def clear_field_permission(conn: sa.Connection, catalog: Catalog, role: str, entity: str, field: str) -> None:
    """Back to the default for a field: readable and writable."""
    field_def = catalog.require_entity(entity).field(field)
    key = field_def.key if field_def is not None else field
    conn.execute(sa.delete(field_permissions).where(
        field_permissions.c.role_key == role, field_permissions.c.entity == entity, field_permissions.c.field == key))
    bump_security_stamp(conn)
