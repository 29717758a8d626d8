"""A user's effective permissions on one entity, worked out by the security engine itself (RoleGrants, the
same object every request's RolePolicy reads): per action whether it is allowed, by which roles, and which
record rules limit the rows; per field whether it is readable and writable."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from jimu.platform.registry.catalog import Catalog
from jimu.platform.registry.model import EntityDef
from jimu.platform.security.grants import RoleGrants
from jimu.platform.security.rules import RecordRule
from jimu.platform.security.snapshot import ACTIONS, load_snapshot
from jimu.platform.security.tables import user_roles
from jimu.platform.security.users import require_user


def _rule_view(entity: EntityDef, rule: RecordRule) -> dict[str, Any]:
    shown: dict[str, Any] = {"id": rule.id, "role": rule.role}
    if rule.expression is not None:
        shown["expression"] = rule.expression
    if rule.field is not None:
        field = entity.field_by_key(rule.field)
        shown["field"] = field.name if field is not None else rule.field
        shown["is"] = rule.user_set
    return shown


def effective_permissions(conn: sa.Connection, catalog: Catalog, user_id: int, entity_key: str) -> dict[str, Any]:
    """What user `user_id` may do with `entity_key` now (an inactive user: nothing, shown as such)."""
    user = require_user(conn, user_id)
    entity = catalog.require_entity(entity_key)
    roles = frozenset(conn.execute(sa.select(user_roles.c.role_key).where(user_roles.c.user_id == user_id)).scalars())
    grants = RoleGrants(load_snapshot(conn), roles, catalog)
    everything = bool(user.is_superuser) and user.is_active
    owner = grants.root(entity.key)
    actions = []
    for action in ACTIONS:
        granting = sorted(grants.roles_granting(entity.key, action))
        allowed = user.is_active and (everything or bool(granting))
        rows = None if everything or not allowed else grants.row_rules(owner, action)
        actions.append({"action": action, "allowed": allowed, "roles": granting,
                        "all_rows": allowed and rows is None,
                        "record_rules": [_rule_view(catalog.require_entity(owner), r) for r in rows or ()]})
    readable = None if everything else grants.readable_fields(entity.key)
    writable = None if everything else grants.writable_fields(entity.key)
    fields = [{"name": f.name, "label": f.label,
               "read": user.is_active and (readable is None or f.name in readable) and (everything or grants.can(
                   entity.key, "read")),
               "write": user.is_active and (writable is None or f.name in writable) and (everything or any(
                   grants.can(entity.key, a) for a in ("create", "update")))}
              for f in entity.fields]
    return {"user": {"id": user.id, "username": user.username, "is_active": user.is_active,
                     "is_superuser": user.is_superuser, "roles": sorted(roles)},
            "entity": entity.key, "owner": owner if owner != entity.key else None,
            "actions": actions, "fields": fields}
