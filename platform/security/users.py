"""Users: create, update, deactivate; their passwords, roles and department memberships."""
from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from jimu.platform.context import utcnow
from jimu.platform.errors import ConflictError, ErrorDetail, NotFoundError, ValidationError
from jimu.platform.meta import users
from jimu.platform.security.passwords import hash_password
from jimu.platform.security.revision import bump_security_stamp
from jimu.platform.security.tables import api_tokens, departments, roles, sessions, user_departments, user_roles

_USERNAME = re.compile(r"[A-Za-z0-9_.@+-]{1,150}")  # whole name: fullmatch
_UPDATABLE = frozenset({"display_name", "email", "locale", "is_superuser"})
_PRINCIPAL_ATTRIBUTES = frozenset({"username", "is_superuser"})  # what a Principal holds of the user row


def _check_username(conn: sa.Connection, username: str, *, exclude: int | None = None) -> str:
    username = username.strip()
    if not _USERNAME.fullmatch(username):
        raise ValidationError("Invalid username.", code="security.username_invalid",
                              details=[ErrorDetail("username", "security.username_invalid")])
    query = sa.select(users.c.id).where(sa.func.lower(users.c.username) == username.lower())
    if exclude is not None:
        query = query.where(users.c.id != exclude)
    if conn.execute(query).first() is not None:
        raise ConflictError("The username is taken.", code="security.username_taken", username=username)
    return username


def require_user(conn: sa.Connection, user_id: int) -> sa.Row[Any]:
    """The user row; NotFoundError when there is none."""
    row = conn.execute(sa.select(users).where(users.c.id == user_id)).first()
    if row is None:
        raise NotFoundError(f"No user {user_id}.", code="security.unknown_user", user=user_id)
    return row


def create_user(conn: sa.Connection, username: str, *, password: str | None = None, display_name: str | None = None,
                email: str | None = None, locale: str | None = None, is_superuser: bool = False,
                now: datetime | None = None) -> int:
    """Create an active user (without a password it cannot log in until one is set); returns its id."""
    username = _check_username(conn, username)
    values = {
        "username": username, "display_name": display_name or username, "email": email, "locale": locale,
        "is_superuser": is_superuser, "is_active": True, "created_at": now or utcnow(),
        "password_hash": hash_password(password) if password is not None else None,
    }
    return int(conn.execute(sa.insert(users).values(**values).returning(users.c.id)).scalar_one())


def update_user(conn: sa.Connection, user_id: int, *, username: str | None = None, **changes: Any) -> None:
    """Change a user's username, display name, email, locale or superuser flag."""
    require_user(conn, user_id)
    unknown = set(changes) - _UPDATABLE
    if unknown:
        raise ValidationError("Unknown user attributes.", code="security.unknown_attribute",
                              details=[ErrorDetail(name, "security.unknown_attribute") for name in sorted(unknown)])
    if username is not None:
        changes["username"] = _check_username(conn, username, exclude=user_id)
    if changes:
        conn.execute(sa.update(users).where(users.c.id == user_id).values(**changes))
    if _PRINCIPAL_ATTRIBUTES & set(changes):
        bump_security_stamp(conn)


def set_password(conn: sa.Connection, user_id: int, password: str, *, now: datetime | None = None,
                 keep_session: str | None = None) -> None:
    """Set a new password (policy checked) and end the user's other sessions."""
    require_user(conn, user_id)
    conn.execute(sa.update(users).where(users.c.id == user_id).values(password_hash=hash_password(password)))
    query = sa.update(sessions).where(sessions.c.user_id == user_id, sessions.c.revoked_at.is_(None))
    if keep_session is not None:
        query = query.where(sessions.c.id != keep_session)
    conn.execute(query.values(revoked_at=now or utcnow()))
    bump_security_stamp(conn)


def deactivate_user(conn: sa.Connection, user_id: int, *, now: datetime | None = None) -> None:
    """Disable a user: no login, and every session and API token is revoked at once."""
    require_user(conn, user_id)
    now = now or utcnow()
    conn.execute(sa.update(users).where(users.c.id == user_id).values(is_active=False))
    conn.execute(sa.update(sessions).where(sessions.c.user_id == user_id, sessions.c.revoked_at.is_(None))
                 .values(revoked_at=now))
    conn.execute(sa.update(api_tokens).where(api_tokens.c.user_id == user_id, api_tokens.c.revoked_at.is_(None))
                 .values(revoked_at=now))
    bump_security_stamp(conn)


def reactivate_user(conn: sa.Connection, user_id: int) -> None:
    require_user(conn, user_id)
    conn.execute(sa.update(users).where(users.c.id == user_id).values(is_active=True))
    bump_security_stamp(conn)


def set_user_roles(conn: sa.Connection, user_id: int, role_keys: Iterable[str]) -> None:
    """Replace the roles of a user."""
    require_user(conn, user_id)
    wanted = sorted(set(role_keys))
    known = set(conn.execute(sa.select(roles.c.key).where(roles.c.key.in_(wanted))).scalars()) if wanted else set()
    missing = [key for key in wanted if key not in known]
    if missing:
        raise NotFoundError(f"Unknown roles: {', '.join(missing)}.", code="security.unknown_role", role=missing[0])
    _replace_memberships(conn, user_roles, user_id, "role_key", wanted)


def set_user_departments(conn: sa.Connection, user_id: int, department_ids: Iterable[int]) -> None:
    """Replace the departments a user belongs to."""
    require_user(conn, user_id)
    wanted = sorted(set(department_ids))
    found = sa.select(departments.c.id).where(departments.c.id.in_(wanted))
    known = set(conn.execute(found).scalars()) if wanted else set()
    missing = [d for d in wanted if d not in known]
    if missing:
        raise NotFoundError(f"Unknown department {missing[0]}.", code="security.unknown_department",
                            department=missing[0])
    _replace_memberships(conn, user_departments, user_id, "department_id", wanted)


def _replace_memberships(conn: sa.Connection, table: sa.Table, user_id: int, column: str, wanted: list[Any]) -> None:
    """Make `wanted` the user's rows of a membership table (roles, departments); bump the security stamp."""
    conn.execute(sa.delete(table).where(table.c.user_id == user_id))
    if wanted:
        conn.execute(sa.insert(table), [{"user_id": user_id, column: value} for value in wanted])
    bump_security_stamp(conn)
