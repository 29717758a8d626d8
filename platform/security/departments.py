"""Departments: a tree (parent) with an optional manager per department."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from jimu.platform.context import utcnow
from jimu.platform.errors import ConflictError, NotFoundError
from jimu.platform.security.revision import bump_security_stamp
from jimu.platform.security.tables import departments, user_departments
from jimu.platform.security.users import require_user

UNSET: Any = object()  # "leave as it is" (None means "none")


@dataclass(frozen=True)
class Department:
    id: int
    name: str
    parent_id: int | None
    manager_id: int | None


def _require(conn: sa.Connection, department_id: int) -> Department:
    row = conn.execute(sa.select(departments).where(departments.c.id == department_id)).first()
    if row is None:
        raise NotFoundError(f"No department {department_id}.", code="security.unknown_department",
                            department=department_id)
    return Department(row.id, row.name, row.parent_id, row.manager_id)


def create_department(conn: sa.Connection, name: str, *, parent_id: int | None = None, manager_id: int | None = None,
                      now: datetime | None = None) -> int:
    """Create a department under `parent_id` (None: a root); returns its id."""
    if parent_id is not None:
        _require(conn, parent_id)
    if manager_id is not None:
        require_user(conn, manager_id)
    values = {"name": name, "parent_id": parent_id, "manager_id": manager_id, "created_at": now or utcnow()}
    department_id = int(conn.execute(sa.insert(departments).values(**values).returning(departments.c.id)).scalar_one())
    bump_security_stamp(conn)  # managers of the departments above now manage this one too
    return department_id


def update_department(conn: sa.Connection, department_id: int, *, name: str | None = None,
                      parent_id: int | None = UNSET, manager_id: int | None = UNSET) -> None:
    """Rename, move (refusing loops) or change the manager of a department."""
    _require(conn, department_id)
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = name
    if parent_id is not UNSET:
        if parent_id is not None and department_id in ancestors(load_parents(conn), parent_id, include_self=True):
            raise ConflictError("A department cannot be moved under itself.", code="security.department_cycle",
                                department=department_id)
        if parent_id is not None:
            _require(conn, parent_id)
        changes["parent_id"] = parent_id
    if manager_id is not UNSET:
        if manager_id is not None:
            require_user(conn, manager_id)
        changes["manager_id"] = manager_id
    if changes:
        conn.execute(sa.update(departments).where(departments.c.id == department_id).values(**changes))
        bump_security_stamp(conn)


def delete_department(conn: sa.Connection, department_id: int) -> None:
    """Delete an empty leaf department (members are removed from it; sub-departments must go first)."""
    _require(conn, department_id)
    if conn.execute(sa.select(departments.c.id).where(departments.c.parent_id == department_id)).first():
        raise ConflictError("The department has sub-departments.", code="security.department_not_empty",
                            department=department_id)
    conn.execute(sa.delete(user_departments).where(user_departments.c.department_id == department_id))
    conn.execute(sa.delete(departments).where(departments.c.id == department_id))
    bump_security_stamp(conn)


def list_departments(conn: sa.Connection) -> list[Department]:
    rows = conn.execute(sa.select(departments).order_by(departments.c.id))
    return [Department(r.id, r.name, r.parent_id, r.manager_id) for r in rows]


def load_parents(conn: sa.Connection) -> dict[int, int | None]:
    """Department id → parent id, for every department (one query)."""
    return {r.id: r.parent_id for r in conn.execute(sa.select(departments.c.id, departments.c.parent_id))}


def ancestors(parents: Mapping[int, int | None], department_id: int, *, include_self: bool = False) -> set[int]:
    """The departments above one (loop-safe)."""
    found: set[int] = {department_id} if include_self else set()
    current = parents.get(department_id)
    while current is not None and current not in found:
        found.add(current)
        current = parents.get(current)
    return found


def subtree(parents: Mapping[int, int | None], roots: Iterable[int]) -> set[int]:
    """The given departments and every department below them."""
    children: dict[int, list[int]] = {}
    for child, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(child)
    found: set[int] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if node not in found:
            found.add(node)
            stack.extend(children.get(node, ()))
    return found


def managers_of(conn: sa.Connection, user_id: int) -> list[int]:
    """The managers of a user: for each of their departments, its manager, walking up the tree while a
    department has none (or is managed by the user themself). Loop-safe; in department order."""
    tree = {r.id: (r.parent_id, r.manager_id) for r in
            conn.execute(sa.select(departments.c.id, departments.c.parent_id, departments.c.manager_id))}
    member_of = conn.execute(sa.select(user_departments.c.department_id).where(user_departments.c.user_id == user_id)
                             .order_by(user_departments.c.department_id)).scalars()
    found: list[int] = []
    for department_id in member_of:
        seen: set[int] = set()
        current: int | None = department_id
        while current is not None and current not in seen and current in tree:
            seen.add(current)
            parent_id, manager_id = tree[current]
            if manager_id is not None and manager_id != user_id:
                if manager_id not in found:
                    found.append(manager_id)
                break
            current = parent_id
    return found
