"""The user directory for pickers and @mentions: id and display name of active users, for any signed-in user."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from jimu.platform.context import Context
from jimu.platform.errors import ErrorDetail, ValidationError
from jimu.platform.i18n import translate
from jimu.platform.security import Principal
from jimu.platform.security.directory import MAX_LIMIT, find_users
from jimu.web.api.deps import in_unit_of_work
from jimu.web.api.serialize import json_response

router = APIRouter(prefix="/users", tags=["users"])
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="at most this many")]
Search = Annotated[str | None, Query(max_length=200, description="part of the display name or username")]
Ids = Annotated[str | None, Query(max_length=2000, description="comma-separated ids (to show chosen users)")]


@router.get("")
@in_unit_of_work
def directory(ctx: Context, principal: Principal, q: Search = None, ids: Ids = None, limit: Limit = 20) -> Response:
    """Active users matching `q` or with `ids`: `{"data": [{"id", "display_name"}]}`."""
    wanted: list[int] = []
    for part in (ids or "").split(","):
        if not part.strip():
            continue
        if not part.strip().isdigit() or len(part.strip()) > 18:
            code = "api.invalid_ids"
            message = translate(code, ctx.locale)
            raise ValidationError(message, code=code, details=[ErrorDetail("ids", code, {}, message)])
        wanted.append(int(part))
    found = find_users(ctx.conn, q=q, ids=wanted, limit=max(limit, len(wanted)) if wanted else limit)
    return json_response({"data": [entry.as_dict() for entry in found]})
