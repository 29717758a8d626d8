"""Administering users: create, change the profile, deactivate, reset the password, assign roles and departments.

Each function checks its input, calls the security kernel (`platform/security/users.py`, which bumps the
security stamp so cached principals are dropped) and appends one row to the security audit trail.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa

from jimu.platform.errors import ConflictError, ErrorDetail, NotFoundError, ValidationError
from jimu.platform.i18n import SUPPORTED_LOCALES
from jimu.platform.meta import users
from jimu.platform.security import users as kernel_users
from jimu.platform.security.admin.scope import AdminScope

PROFILE_FIELDS = ("display_name", "email", "locale")
CHANGEABLE = frozenset({"username", "is_superuser", *PROFILE_FIELDS})
MAX_DISPLAY_NAME, MAX_EMAIL = 200, 320


def user_id_of(conn: sa.Connection, username: str) -> int:
    """The id of a user by username (case-insensitive)."""
    found = conn.execute(sa.select(users.c.id).where(sa.func.lower(users.c.username) == username.strip().lower())
                         ).scalar()
    if found is None:
        raise NotFoundError(f"No user {username!r}.", code="admin.unknown_username", username=username)
    return int(found)


def _profile_problems(changes: Mapping[str, Any]) -> list[ErrorDetail]:
    problems = []
    name = changes.get("display_name")
    if "display_name" in changes and (not isinstance(name, str) or not name.strip() or len(name) > MAX_DISPLAY_NAME):
        problems.append(ErrorDetail("display_name", "admin.display_name_invalid", {"max": MAX_DISPLAY_NAME}))
    email = changes.get("email")
    if email is not None and (not isinstance(email, str) or len(email) > MAX_EMAIL
                              or email.count("@") != 1 or email.startswith("@") or email.endswith("@")):
        problems.append(ErrorDetail("email", "admin.email_invalid", {}))
    if "username" in changes and not isinstance(changes["username"], str):
        problems.append(ErrorDetail("username", "security.username_invalid", {}))
    if "is_superuser" in changes and not isinstance(changes["is_superuser"], bool):
        problems.append(ErrorDetail("is_superuser", "admin.flag_invalid", {}))
    locale = changes.get("locale")
    if locale is not None and locale not in SUPPORTED_LOCALES:
        problems.append(ErrorDetail("locale", "admin.locale_invalid", {"locales": list(SUPPORTED_LOCALES)}))
    return problems


def _check_profile(changes: Mapping[str, Any]) -> None:
    problems = _profile_problems(changes)
    if problems:
        raise ValidationError("The user's profile is invalid.", code="admin.user_invalid", details=problems)


def create(scope: AdminScope, username: str, *, password: str | None = None, display_name: str | None = None,
           email: str | None = None, locale: str | None = None, is_superuser: bool = False,
           roles: Iterable[str] = (), departments: Iterable[int] = ()) -> int:
    """Create an active user (without a password it cannot log in until one is set), with roles and departments."""
    profile = {"email": email, "locale": locale, **({"display_name": display_name} if display_name is not None else {})}
    _check_profile(profile)
    user_id = kernel_users.create_user(scope.conn, username, password=password, is_superuser=is_superuser,
                                       now=scope.now, **profile)
    role_keys, department_ids = sorted(set(roles)), sorted(set(departments))
    if role_keys:
        kernel_users.set_user_roles(scope.conn, user_id, role_keys)
    if department_ids:
        kernel_users.set_user_departments(scope.conn, user_id, department_ids)
    scope.audit("user.create", "user", user_id, {
        "username": username.strip(), "is_superuser": is_superuser, "has_password": password is not None,
        "roles": role_keys, "departments": department_ids, **profile})
    return user_id


def update(scope: AdminScope, user_id: int, changes: Mapping[str, Any]) -> None:
    """Change the username, display name, email, locale or superuser flag of a user."""
    unknown = sorted(set(changes) - CHANGEABLE)
    if unknown:
        raise ValidationError("Unknown user attributes.", code="security.unknown_attribute",
                              details=[ErrorDetail(name, "security.unknown_attribute") for name in unknown])
    _check_profile(changes)
    if changes.get("is_superuser") is False:
        _keep_an_administrator(scope.conn, user_id)
    kernel_users.update_user(scope.conn, user_id, **changes)
    scope.audit("user.update", "user", user_id, changes)


def deactivate(scope: AdminScope, user_id: int) -> None:
    """No more login for the user; their sessions and API tokens end now."""
    _keep_an_administrator(scope.conn, user_id)
    kernel_users.deactivate_user(scope.conn, user_id, now=scope.now)
    scope.audit("user.deactivate", "user", user_id)


def reactivate(scope: AdminScope, user_id: int) -> None:
    kernel_users.reactivate_user(scope.conn, user_id)
    scope.audit("user.reactivate", "user", user_id)


def reset_password(scope: AdminScope, user_id: int, password: str) -> None:
    """Set a new password (the policy checked); every session of the user ends."""
    kernel_users.set_password(scope.conn, user_id, password, now=scope.now)
    scope.audit("user.password_reset", "user", user_id)


def assign_roles(scope: AdminScope, user_id: int, roles: Iterable[str]) -> None:
    """Replace the roles of a user."""
    wanted = sorted(set(roles))
    kernel_users.set_user_roles(scope.conn, user_id, wanted)
    scope.audit("user.roles_set", "user", user_id, {"roles": wanted})


def assign_departments(scope: AdminScope, user_id: int, departments: Iterable[int]) -> None:
    """Replace the departments a user belongs to."""
    wanted = sorted(set(departments))
    kernel_users.set_user_departments(scope.conn, user_id, wanted)
    scope.audit("user.departments_set", "user", user_id, {"departments": wanted})


def _keep_an_administrator(conn: sa.Connection, user_id: int) -> None:
    """Refuse to deactivate or demote the last active superuser (nobody could administer any more)."""
    row = kernel_users.require_user(conn, user_id)
    if not (row.is_superuser and row.is_active):
        return
    others = conn.execute(sa.select(sa.func.count()).select_from(users).where(
        users.c.is_superuser == sa.true(), users.c.is_active == sa.true(), users.c.id != user_id)).scalar_one()
    if not others:
        raise ConflictError("The last active administrator cannot be deactivated or demoted.",
                            code="admin.last_administrator", user=user_id)
