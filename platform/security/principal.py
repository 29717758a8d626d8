"""The principal: who is making a request, with their roles and departments."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from jimu.platform.meta import users
from jimu.platform.security.departments import load_parents, subtree
from jimu.platform.security.errors import AuthenticationError
from jimu.platform.security.tables import departments, user_departments, user_roles


@dataclass(frozen=True)
class Credential:
    """How the principal authenticated: a browser or API session, or a personal API token."""

    kind: str  # browser | api | token
    id: str  # session id (token hash) or API token id
    csrf_hash: str | None = None


@dataclass(frozen=True)
class Principal:
    """An authenticated user as the policy sees them."""

    user_id: int
    username: str
    roles: frozenset[str] = frozenset()
    departments: frozenset[int] = frozenset()
    is_superuser: bool = False
    managed_departments: frozenset[int] = frozenset()  # departments managed, with every sub-department
    credential: Credential | None = None


def load_principal(conn: sa.Connection, user_id: int, credential: Credential | None = None) -> Principal:
    """The principal of an active user; AuthenticationError when the user is missing or inactive."""
    user = conn.execute(sa.select(users.c.id, users.c.username, users.c.is_active, users.c.is_superuser)
                        .where(users.c.id == user_id)).first()
    if user is None or not user.is_active:
        raise AuthenticationError("Authentication failed.")
    role_keys = conn.execute(sa.select(user_roles.c.role_key).where(user_roles.c.user_id == user_id)).scalars()
    member_of = conn.execute(sa.select(user_departments.c.department_id)
                             .where(user_departments.c.user_id == user_id)).scalars()
    managed = list(conn.execute(sa.select(departments.c.id).where(departments.c.manager_id == user_id)).scalars())
    return Principal(
        user_id=user.id, username=user.username, roles=frozenset(role_keys), departments=frozenset(member_of),
        is_superuser=bool(user.is_superuser),
        managed_departments=frozenset(subtree(load_parents(conn), managed)) if managed else frozenset(),
        credential=credential,
    )
