"""The global search over the title fields of the entities the caller may read."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from jimu.engines.forms.global_search import DEFAULT_PER_ENTITY, global_search
from jimu.platform.context import Context
from jimu.web.api.deps import in_unit_of_work
from jimu.web.api.serialize import json_response

router = APIRouter(tags=["search"])


@router.get("/search")
@in_unit_of_work
def search(ctx: Context, q: Annotated[str, Query(max_length=1000)] = "", limit: int = DEFAULT_PER_ENTITY,
           app: Annotated[str | None, Query(max_length=48)] = None) -> Response:
    """Records whose title contains `q`, per entity (at most `limit` each), with the permissions of a list."""
    hits = global_search(ctx, q, per_entity=limit, app=app)
    return json_response({"data": [h.as_dict() for h in hits]})
