"""The security revision: one counter that every change of users, roles, departments, grants and rules bumps.

Caches of the security kernel (rules snapshots, RoleGrants, principals per credential) are valid for one
value of it; the change and its bump commit together, so the next request sees both.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from jimu.platform.security.tables import security_revision

_STAMP_QUERY = sa.select(security_revision.c.value).where(security_revision.c.id == 1)


def security_stamp(conn: sa.Connection) -> int:
    """The security revision: grows whenever users, roles, departments, grants or rules change."""
    value = conn.execute(_STAMP_QUERY).scalar()
    return int(value or 0)


def security_stamp_column() -> ColumnElement[Any]:
    """The security revision as a scalar subquery (NULL before the first change), to read along another query."""
    return _STAMP_QUERY.scalar_subquery()


def bump_security_stamp(conn: sa.Connection) -> None:
    """Mark the security configuration as changed: every change of roles, grants, rules, users' roles,
    departments or active/superuser state calls it (cached principals and snapshots hang on it)."""
    updated = conn.execute(sa.update(security_revision).where(security_revision.c.id == 1)
                           .values(value=security_revision.c.value + 1))
    if updated.rowcount == 0:
        conn.execute(sa.insert(security_revision).values(id=1, value=1))
