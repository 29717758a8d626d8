"""Who the caller is for the workflow: their roles (None for system work and superusers: every role)."""
from __future__ import annotations

import sqlalchemy as sa

from jimu.platform.context import Context
from jimu.platform.meta import users
from jimu.platform.security.tables import user_roles


def caller_roles(ctx: Context) -> frozenset[str] | None:
    """The roles of the caller; None when the caller is the system (no user) or a superuser."""
    if ctx.user_id is None:
        return None
    superuser = ctx.conn.execute(sa.select(users.c.is_superuser).where(users.c.id == ctx.user_id)).scalar_one_or_none()
    if superuser:
        return None
    rows = ctx.conn.execute(sa.select(user_roles.c.role_key).where(user_roles.c.user_id == ctx.user_id)).scalars()
    return frozenset(rows)
