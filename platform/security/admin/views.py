"""What administrators read: users, roles (with their grants and rules), departments, the audit trail.

Lists are pages in a stable order with an opaque cursor: `next_cursor` is given while more remain.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from jimu.platform.errors import ErrorDetail, NotFoundError, ValidationError
from jimu.platform.meta import users
from jimu.platform.registry.catalog import Catalog
from jimu.platform.security.snapshot import ACTIONS
from jimu.platform.security.tables import (
    departments,
    field_permissions,
    permissions,
    record_rules,
    roles,
    security_audit,
    user_departments,
    user_roles,
)

DEFAULT_LIMIT, MAX_LIMIT = 50, 200


@dataclass(frozen=True)
class Page:
    data: list[dict[str, Any]]
    next_cursor: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"data": self.data, "next_cursor": self.next_cursor, "has_more": self.next_cursor is not None}


def _int_cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    if not cursor.isascii() or not cursor.isdigit() or len(cursor) > 18:
        raise ValidationError("Invalid cursor.", code="admin.cursor_invalid",
                              details=[ErrorDetail("cursor", "admin.cursor_invalid")])
    return int(cursor)


def _check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError("Invalid page size.", code="admin.limit_invalid", max=MAX_LIMIT,
                              details=[ErrorDetail("limit", "admin.limit_invalid", {"max": MAX_LIMIT})])
    return limit


def _page(rows: Sequence[Any], limit: int, view: Callable[[Sequence[Any]], list[dict[str, Any]]],
          cursor_of: Callable[[Any], Any]) -> Page:
    """The first `limit` rows (one more was read to know whether more remain)."""
    shown = rows[:limit]
    more = len(rows) > limit
    return Page(view(shown), str(cursor_of(shown[-1])) if more and shown else None)


# ---- users ------------------------------------------------------------------------------------------
def _memberships(conn: sa.Connection, user_ids: list[int]) -> tuple[dict[int, list[str]], dict[int, list[int]]]:
    by_role: dict[int, list[str]] = {i: [] for i in user_ids}
    by_department: dict[int, list[int]] = {i: [] for i in user_ids}
    if user_ids:
        for user_id, role in conn.execute(sa.select(user_roles.c.user_id, user_roles.c.role_key)
                                          .where(user_roles.c.user_id.in_(user_ids)).order_by(user_roles.c.role_key)):
            by_role[user_id].append(role)
        for user_id, department in conn.execute(
                sa.select(user_departments.c.user_id, user_departments.c.department_id)
                .where(user_departments.c.user_id.in_(user_ids)).order_by(user_departments.c.department_id)):
            by_department[user_id].append(department)
    return by_role, by_department


_USER_COLUMNS = (users.c.id, users.c.username, users.c.display_name, users.c.email, users.c.locale,
                 users.c.is_active, users.c.is_superuser, users.c.created_at,
                 users.c.password_hash.is_not(None).label("has_password"))


def _user_views(conn: sa.Connection, rows: Sequence[Any]) -> list[dict[str, Any]]:
    by_role, by_department = _memberships(conn, [row.id for row in rows])
    return [{"id": row.id, "username": row.username, "display_name": row.display_name, "email": row.email,
             "locale": row.locale, "is_active": bool(row.is_active), "is_superuser": bool(row.is_superuser),
             "has_password": bool(row.has_password), "created_at": row.created_at,
             "roles": by_role[row.id], "departments": by_department[row.id]} for row in rows]


def list_users(conn: sa.Connection, *, cursor: str | None = None, limit: int = DEFAULT_LIMIT,
               q: str | None = None, active: bool | None = None) -> Page:
    """Users by id; `q` matches username, display name or email (case-insensitive substring)."""
    query = sa.select(*_USER_COLUMNS).order_by(users.c.id).limit(_check_limit(limit) + 1)
    after = _int_cursor(cursor)
    if after is not None:
        query = query.where(users.c.id > after)
    if q:
        pattern = "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(sa.or_(*(sa.func.lower(c).like(pattern, escape="\\")
                                     for c in (users.c.username, users.c.display_name, users.c.email))))
    if active is not None:
        query = query.where(users.c.is_active == active)
    return _page(conn.execute(query).all(), limit, lambda rows: _user_views(conn, rows), lambda row: row.id)


def user_view(conn: sa.Connection, user_id: int) -> dict[str, Any]:
    row = conn.execute(sa.select(*_USER_COLUMNS).where(users.c.id == user_id)).first()
    if row is None:
        raise NotFoundError(f"No user {user_id}.", code="security.unknown_user", user=user_id)
    return _user_views(conn, [row])[0]


# ---- roles ------------------------------------------------------------------------------------------
def _field_name(catalog: Catalog, entity_key: str, field_key: str) -> str:
    entity = catalog.entity(entity_key)
    field = entity.field_by_key(field_key) if entity is not None else None
    return field.name if field is not None else field_key


def _grants_of(conn: sa.Connection, catalog: Catalog, keys: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {k: {"permissions": [], "record_rules": [], "field_permissions": []}
                                        for k in keys}
    if not keys:
        return found
    for row in conn.execute(sa.select(permissions).where(permissions.c.role_key.in_(keys))
                            .order_by(permissions.c.entity)):
        found[row.role_key]["permissions"].append(
            {"entity": row.entity, "actions": [a for a in ACTIONS if getattr(row, f"can_{a}")]})
    for row in conn.execute(sa.select(record_rules).where(record_rules.c.role_key.in_(keys))
                            .order_by(record_rules.c.id)):
        rule = dict(row.rule)
        if "field" in rule:
            rule["field"] = _field_name(catalog, row.entity, rule["field"])
        found[row.role_key]["record_rules"].append(
            {"id": row.id, "entity": row.entity, "actions": list(row.actions), "rule": rule})
    for row in conn.execute(sa.select(field_permissions).where(field_permissions.c.role_key.in_(keys))
                            .order_by(field_permissions.c.entity, field_permissions.c.field)):
        found[row.role_key]["field_permissions"].append(
            {"entity": row.entity, "field": _field_name(catalog, row.entity, row.field),
             "read": bool(row.can_read), "write": bool(row.can_write)})
    return found


def _role_views(conn: sa.Connection, catalog: Catalog, rows: Sequence[Any]) -> list[dict[str, Any]]:
    keys = [row.key for row in rows]
    grants = _grants_of(conn, catalog, keys)
    members = (sa.select(user_roles.c.role_key, sa.func.count()).where(user_roles.c.role_key.in_(keys))
               .group_by(user_roles.c.role_key))
    counts: dict[str, int] = {key: int(count) for key, count in conn.execute(members)} if keys else {}
    return [{"key": row.key, "label": row.label, "created_at": row.created_at, "users": int(counts.get(row.key, 0)),
             **grants[row.key]} for row in rows]


def list_roles(conn: sa.Connection, catalog: Catalog, *, cursor: str | None = None,
               limit: int = DEFAULT_LIMIT) -> Page:
    """Roles by key, each with its permissions, record rules and field permissions."""
    query = sa.select(roles).order_by(roles.c.key).limit(_check_limit(limit) + 1)
    if cursor is not None:
        query = query.where(roles.c.key > cursor)
    return _page(conn.execute(query).all(), limit, lambda rows: _role_views(conn, catalog, rows),
                 lambda row: row.key)


def role_view(conn: sa.Connection, catalog: Catalog, key: str) -> dict[str, Any]:
    row = conn.execute(sa.select(roles).where(roles.c.key == key)).first()
    if row is None:
        raise NotFoundError(f"No role {key!r}.", code="security.unknown_role", role=key)
    return _role_views(conn, catalog, [row])[0]


# ---- departments --------------------------------------------------------------------------------------
def _department_views(conn: sa.Connection, rows: Sequence[Any]) -> list[dict[str, Any]]:
    ids = [row.id for row in rows]
    members: dict[int, list[int]] = {i: [] for i in ids}
    if ids:
        for department_id, user_id in conn.execute(
                sa.select(user_departments.c.department_id, user_departments.c.user_id)
                .where(user_departments.c.department_id.in_(ids)).order_by(user_departments.c.user_id)):
            members[department_id].append(user_id)
    return [{"id": row.id, "name": row.name, "parent_id": row.parent_id, "manager_id": row.manager_id,
             "created_at": row.created_at, "members": members[row.id]} for row in rows]


def list_departments(conn: sa.Connection, *, cursor: str | None = None, limit: int = DEFAULT_LIMIT) -> Page:
    query = sa.select(departments).order_by(departments.c.id).limit(_check_limit(limit) + 1)
    after = _int_cursor(cursor)
    if after is not None:
        query = query.where(departments.c.id > after)
    return _page(conn.execute(query).all(), limit, lambda rows: _department_views(conn, rows), lambda row: row.id)


def department_view(conn: sa.Connection, department_id: int) -> dict[str, Any]:
    row = conn.execute(sa.select(departments).where(departments.c.id == department_id)).first()
    if row is None:
        raise NotFoundError(f"No department {department_id}.", code="security.unknown_department",
                            department=department_id)
    return _department_views(conn, [row])[0]


# ---- the audit trail ------------------------------------------------------------------------------------
def list_audit(conn: sa.Connection, *, cursor: str | None = None, limit: int = DEFAULT_LIMIT,
               target_kind: str | None = None, target: str | None = None) -> Page:
    """The security audit trail, newest first; optionally of one kind of object or one object."""
    query = sa.select(security_audit).order_by(security_audit.c.id.desc()).limit(_check_limit(limit) + 1)
    before = _int_cursor(cursor)
    if before is not None:
        query = query.where(security_audit.c.id < before)
    if target_kind is not None:
        query = query.where(security_audit.c.target_kind == target_kind)
    if target is not None:
        query = query.where(security_audit.c.target == target)
    return _page(conn.execute(query).all(), limit, lambda rows: [dict(row._mapping) for row in rows],
                 lambda row: row.id)
