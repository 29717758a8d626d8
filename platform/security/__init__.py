"""The security kernel: users, roles, departments, permissions, record rules, sessions and tokens.

    session = login(conn, "alice", "secret-pass", ip="10.0.0.1", now=now)       # → Session (token shown once)
    principal = authenticate_token(conn, session.token, now)                    # → Principal
    policy = bind_policy(ctx, principal, cache)                                  # ctx.access = RolePolicy
"""
from __future__ import annotations

from jimu.platform.security.api_tokens import ApiToken, create_api_token, list_api_tokens, revoke_api_token
from jimu.platform.security.auth import authenticate_token, login, login_committed, logout
from jimu.platform.security.authenticator import Authenticator, CheckedToken
from jimu.platform.security.cache import SecurityCache
from jimu.platform.security.config import DEFAULT_AUTH_SETTINGS, AuthSettings, LockoutRule
from jimu.platform.security.departments import (
    Department,
    create_department,
    delete_department,
    list_departments,
    update_department,
)
from jimu.platform.security.errors import AuthenticationError, CsrfError, PermissionDeniedError, TooManyAttemptsError
from jimu.platform.security.own_password import change_own_password
from jimu.platform.security.passwords import check_policy, hash_password, needs_rehash, verify_password
from jimu.platform.security.policy import RolePolicy, bind_policy
from jimu.platform.security.principal import Credential, Principal, load_principal
from jimu.platform.security.ratelimit import prune_attempts
from jimu.platform.security.roles import (
    add_record_rule,
    clear_field_permission,
    create_role,
    delete_role,
    remove_record_rule,
    set_field_permission,
    set_permission,
)
from jimu.platform.security.rules import USER_SETS
from jimu.platform.security.sessions import Session, prune_sessions, revoke_user_sessions, verify_csrf
from jimu.platform.security.snapshot import ACTIONS, WILDCARD, RulesSnapshot, load_snapshot
from jimu.platform.security.users import (
    create_user,
    deactivate_user,
    reactivate_user,
    set_password,
    set_user_departments,
    set_user_roles,
    update_user,
)

__all__ = [
    "ACTIONS", "DEFAULT_AUTH_SETTINGS", "USER_SETS", "WILDCARD", "ApiToken", "AuthSettings", "AuthenticationError",
    "Authenticator", "CheckedToken", "Credential", "CsrfError", "Department", "LockoutRule", "PermissionDeniedError",
    "Principal", "RolePolicy",
    "RulesSnapshot", "SecurityCache", "Session", "TooManyAttemptsError", "add_record_rule", "authenticate_token",
    "bind_policy", "change_own_password", "check_policy", "clear_field_permission", "create_api_token",
    "create_department", "create_role",
    "create_user", "deactivate_user", "delete_department", "delete_role", "hash_password", "list_api_tokens",
    "list_departments", "load_principal", "load_snapshot", "login", "login_committed", "logout", "needs_rehash",
    "prune_attempts", "prune_sessions", "reactivate_user", "remove_record_rule", "revoke_api_token",
    "revoke_user_sessions", "set_field_permission", "set_password", "set_permission", "set_user_departments",
    "set_user_roles", "update_department", "update_user", "verify_csrf", "verify_password",
]
