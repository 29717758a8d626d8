"""Administration of the security kernel without Python: what the admin HTTP API and `jimu admin` call.

    scope = AdminScope(conn, catalog, Actor(user_id=1, source="api"), now)
    user_id = users.create(scope, "vera", password="...", roles=["viewer"])
    access.set_permission(scope, "viewer", "task", ["read"])
    access.add_record_rule(scope, "viewer", "task", ["read"], {"field": "owner", "is": "current_user"})

Every change is checked, made through platform/security (which bumps the security stamp, so cached
principals and grants are rebuilt on the next request) and appended to the security audit trail.
Only superusers may administer (`require_administrator`); the command line is system work.
"""
from __future__ import annotations

from jimu.platform.security.admin import access, departments, users, views
from jimu.platform.security.admin.scope import CLI_ACTOR, Actor, AdminScope, require_administrator

__all__ = ["CLI_ACTOR", "Actor", "AdminScope", "access", "departments", "require_administrator", "users", "views"]
