"""A user's effective permissions on one entity (superusers only), computed by the security engine."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi import Path as PathParam
from starlette.responses import Response

from jimu.platform.context import Context
from jimu.platform.security import Principal
from jimu.platform.security.admin.effective import effective_permissions
from jimu.web.api.admin_scope import ADMIN_PREFIX, admin_scope
from jimu.web.api.deps import in_unit_of_work
from jimu.web.api.serialize import json_response

router = APIRouter(prefix=ADMIN_PREFIX + "/users", tags=["admin: users"])
UserId = Annotated[int, PathParam(ge=1, le=2**63 - 1)]
EntityKey = Annotated[str, PathParam(max_length=48)]


@router.get("/{user_id}/permissions/{entity}")
@in_unit_of_work
def user_permissions(ctx: Context, principal: Principal, user_id: UserId, entity: EntityKey) -> Response:
    """Per action: allowed, by which roles, limited by which record rules; per field: read and write."""
    admin_scope(ctx, principal)
    return json_response(effective_permissions(ctx.conn, ctx.catalog, user_id, entity))
