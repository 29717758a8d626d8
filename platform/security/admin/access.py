"""Administering roles and what they grant: entity permissions, record rules and field permissions.

Each function checks its input against the installed definitions, calls the security kernel
(`platform/security/roles.py`, which bumps the security stamp) and appends one audit row.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa

from jimu.platform.errors import ErrorDetail, NotFoundError, ValidationError
from jimu.platform.i18n import SUPPORTED_LOCALES
from jimu.platform.security import roles as kernel_roles
from jimu.platform.security.admin.scope import AdminScope
from jimu.platform.security.snapshot import ACTIONS
from jimu.platform.security.tables import record_rules, roles

MAX_LABEL = 200
Label = Mapping[str, str] | str | None


def normalise_label(label: Label, key: str) -> dict[str, str]:
    """A role label as stored: {locale: text}; a plain string is the English label; none is the key."""
    if label is None:
        return {"en": key}
    if isinstance(label, str):
        label = {"en": label}
    problems = [ErrorDetail(f"label/{locale}", "admin.label_invalid", {"locales": list(SUPPORTED_LOCALES)})
                for locale, text in label.items()
                if locale not in SUPPORTED_LOCALES or not isinstance(text, str) or not text.strip()
                or len(text) > MAX_LABEL]
    if problems or not label:
        raise ValidationError("The label is invalid.", code="admin.label_invalid", locales=list(SUPPORTED_LOCALES),
                              details=problems or [ErrorDetail("label", "admin.label_invalid",
                                                               {"locales": list(SUPPORTED_LOCALES)})])
    return dict(label)


def create_role(scope: AdminScope, key: str, label: Label = None) -> None:
    stored = normalise_label(label, key)
    kernel_roles.create_role(scope.conn, key, stored, now=scope.now)
    scope.audit("role.create", "role", key, {"label": stored})


def update_role(scope: AdminScope, key: str, label: Label) -> None:
    """Change a role's label (its key is stable: grants and users refer to it)."""
    stored = normalise_label(label, key)
    updated = scope.conn.execute(sa.update(roles).where(roles.c.key == key).values(label=stored))
    if updated.rowcount == 0:
        raise NotFoundError(f"No role {key!r}.", code="security.unknown_role", role=key)
    scope.audit("role.update", "role", key, {"label": stored})


def delete_role(scope: AdminScope, key: str) -> None:
    """Delete a role with its grants and rules; its users lose it."""
    kernel_roles.delete_role(scope.conn, key)
    scope.audit("role.delete", "role", key)


def set_permission(scope: AdminScope, role: str, entity: str, actions: Iterable[str]) -> None:
    """Exactly these actions on an entity (`*`: every entity); none removes the grant."""
    chosen = sorted(set(actions), key=lambda a: ACTIONS.index(a) if a in ACTIONS else len(ACTIONS))
    kernel_roles.set_permission(scope.conn, role, entity, chosen, catalog=scope.catalog)
    scope.audit("role.permission_set", "role", role, {"entity": entity, "actions": chosen})


_RULE_PATHS = {"security.rule_expression_invalid": "rule/expression", "security.rule_field_not_user": "rule/field",
               "security.rule_unknown_user_set": "rule/is", "security.unknown_action": "actions"}


def add_record_rule(scope: AdminScope, role: str, entity: str, actions: Iterable[str],
                    rule: Mapping[str, Any]) -> int:
    """Limit the rows a role reaches on an entity for some actions; a bad rule is refused field by field."""
    chosen = sorted(set(actions))
    try:
        rule_id = kernel_roles.add_record_rule(scope.conn, scope.catalog, role, entity, chosen, rule, now=scope.now)
    except ValidationError as error:
        for detail in error.details:
            detail.path = _RULE_PATHS.get(detail.code, detail.path)
        raise
    scope.audit("role.rule_add", "role", role, {"rule_id": rule_id, "entity": entity, "actions": chosen,
                                                "rule": dict(rule)})
    return rule_id


def remove_record_rule(scope: AdminScope, rule_id: int) -> None:
    role = scope.conn.execute(sa.select(record_rules.c.role_key)
                              .where(record_rules.c.id == rule_id)).scalar()
    kernel_roles.remove_record_rule(scope.conn, rule_id)
    scope.audit("role.rule_remove", "role", role, {"rule_id": rule_id})


def set_field_permission(scope: AdminScope, role: str, entity: str, field: str, *, read: bool, write: bool) -> None:
    """A role's access to one field (denied read is denied write too)."""
    kernel_roles.set_field_permission(scope.conn, scope.catalog, role, entity, field, read=read, write=write)
    scope.audit("role.field_permission_set", "role", role,
                {"entity": entity, "field": field, "read": read, "write": read and write})


def clear_field_permission(scope: AdminScope, role: str, entity: str, field: str) -> None:
    """Back to the default for a field: readable and writable."""
    kernel_roles.require_role(scope.conn, role)
    kernel_roles.clear_field_permission(scope.conn, scope.catalog, role, entity, field)
    scope.audit("role.field_permission_clear", "role", role, {"entity": entity, "field": field})
