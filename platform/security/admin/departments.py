"""Administering departments: a tree (parent) with a manager each; members are assigned on the user."""
from __future__ import annotations

from typing import Any

from jimu.platform.errors import ErrorDetail, ValidationError
from jimu.platform.security import departments as kernel_departments
from jimu.platform.security.admin.scope import AdminScope

MAX_NAME = 200
UNSET: Any = kernel_departments.UNSET


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
        raise ValidationError("Invalid department name.", code="admin.department_name_invalid", max=MAX_NAME,
                              details=[ErrorDetail("name", "admin.department_name_invalid", {"max": MAX_NAME})])
    return name.strip()


def create_department(scope: AdminScope, name: str, *, parent_id: int | None = None,
                      manager_id: int | None = None) -> int:
    checked = _check_name(name)
    department_id = kernel_departments.create_department(scope.conn, checked, parent_id=parent_id,
                                                         manager_id=manager_id, now=scope.now)
    scope.audit("department.create", "department", department_id,
                {"name": checked, "parent_id": parent_id, "manager_id": manager_id})
    return department_id


def update_department(scope: AdminScope, department_id: int, *, name: str | None = None,
                      parent_id: int | None = UNSET, manager_id: int | None = UNSET) -> None:
    """Rename, move (loops refused) or change the manager; UNSET leaves a value as it is."""
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = _check_name(name)
    if parent_id is not UNSET:
        changes["parent_id"] = parent_id
    if manager_id is not UNSET:
        changes["manager_id"] = manager_id
    kernel_departments.update_department(scope.conn, department_id, **changes)
    scope.audit("department.update", "department", department_id, changes)


def delete_department(scope: AdminScope, department_id: int) -> None:
    """Delete a leaf department (its members leave it)."""
    kernel_departments.delete_department(scope.conn, department_id)
    scope.audit("department.delete", "department", department_id)


def department_id_of(text: str) -> int:
    """A department id given as text (the command line)."""
    if not (text.strip().isascii() and text.strip().isdigit()):
        raise ValidationError("Invalid department id.", code="security.unknown_department", department=text,
                              details=[ErrorDetail("parent_id", "security.unknown_department", {"department": text})])
    return int(text)
