"""What every administration endpoint shares: the superuser check, the scope of its change, paging."""
from __future__ import annotations

from typing import Annotated

from fastapi import Query

from jimu.platform.context import Context
from jimu.platform.security import Principal
from jimu.platform.security.admin import Actor, AdminScope, require_administrator
from jimu.platform.security.admin.views import DEFAULT_LIMIT, MAX_LIMIT

ADMIN_PREFIX = "/admin"
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="page size")]
Cursor = Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page")]
DEFAULT_PAGE = DEFAULT_LIMIT


def admin_scope(ctx: Context, principal: Principal) -> AdminScope:
    """The scope of an administrative request; PermissionDeniedError (403) unless the caller is a superuser."""
    require_administrator(principal)
    return AdminScope(ctx.conn, ctx.catalog, Actor(principal.user_id, "api", ctx.request_id), ctx.now())
