"""The caller's own in-app inbox: a page of messages (newest first, `unread=true` for the unread only),
marking one read, marking all read. Nobody reads anyone else's messages (not even administrators)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from starlette.responses import Response

from jimu.platform.context import Context
from jimu.platform.notifications import inbox
from jimu.platform.security import Principal
from jimu.web.api.deps import in_unit_of_work
from jimu.web.api.serialize import json_response

router = APIRouter(prefix="/notifications", tags=["notifications"])
Id = Annotated[int, PathParam(ge=1, le=2**63 - 1)]
Limit = Annotated[int, Query(ge=1, le=inbox.MAX_LIMIT, description="page size")]
Cursor = Annotated[str | None, Query(max_length=20, description="next_cursor of the previous page")]


@router.get("")
@in_unit_of_work
def list_inbox(ctx: Context, principal: Principal, unread: bool = False, limit: Limit = inbox.DEFAULT_LIMIT,
               cursor: Cursor = None) -> Response:
    """A page of your messages, newest first, and how many are unread."""
    page = inbox.list_notifications(ctx.conn, user_id=principal.user_id, unread_only=unread, cursor=cursor,
                                    limit=limit)
    return json_response(page.as_dict())


@router.post("/read-all")
@in_unit_of_work
def read_all(ctx: Context, principal: Principal) -> Response:
    """Mark every unread message of yours read."""
    return json_response({"marked": inbox.mark_all_read(ctx.conn, user_id=principal.user_id, now=ctx.now())})


@router.post("/{notification_id}/read")
@in_unit_of_work
def read_one(ctx: Context, principal: Principal, notification_id: Id) -> Response:
    """Mark one of your messages read (404 for anyone else's)."""
    return json_response(inbox.mark_read(ctx.conn, user_id=principal.user_id, notification_id=notification_id,
                                         now=ctx.now()))
