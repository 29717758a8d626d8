"""Saved list views: an entity's shared views (from app definitions) and the caller's personal ones."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from fastapi import Path as PathParam
from starlette.responses import Response

from jimu.engines.forms.views import store
from jimu.engines.forms.views.model import view_json
from jimu.platform.context import Context
from jimu.platform.registry.apply import apply_app
from jimu.web.api.definitions import require_design
from jimu.web.api.deps import Services, in_unit_of_work
from jimu.web.api.serialize import json_response

router = APIRouter(prefix="/views", tags=["views"])
ViewKey = Annotated[str, PathParam(min_length=1, max_length=48, pattern=r"^[a-z][a-z0-9_]*$")]
Shared = Annotated[bool, Query(description="the shared view (in the entity's app definition; design rights)")]


@router.get("/{entity}")
@in_unit_of_work
def list_views(ctx: Context, entity: str) -> Response:
    """The entity's shared views and the caller's personal views (permission `read`)."""
    return json_response(store.list_views(ctx, entity))


@router.put("/{entity}/{key}")
@in_unit_of_work
def save_view(ctx: Context, api: Services, entity: str, key: ViewKey,
              body: Annotated[dict[str, Any], Body()], shared: Shared = False) -> Response:
    """Create or replace a view: body `label`, `columns`, `filter`, `sort`, `q`. Personal unless `?shared=true`,
    which changes the definition of the app owning the entity (a new version, like PUT /apps/{app})."""
    view = store.checked_view(ctx, entity, key, body)
    if not shared:
        return json_response(store.save_personal(ctx, entity, key, body))
    app_key, definition = store.with_shared_view(ctx, view)
    _apply(ctx, api, app_key, definition)
    return json_response(view_json(view, shared=True, app=app_key))


@router.delete("/{entity}/{key}", status_code=204)
@in_unit_of_work
def delete_view(ctx: Context, api: Services, entity: str, key: ViewKey, shared: Shared = False) -> Response:
    if not shared:
        store.delete_personal(ctx, entity, key)
    else:
        app_key, definition = store.without_shared_view(ctx, entity, key)
        _apply(ctx, api, app_key, definition)
    return Response(status_code=204)


def _apply(ctx: Context, api: Services, app_key: str, definition: dict[str, Any]) -> None:
    require_design(ctx, app_key)
    result = apply_app(ctx.conn, definition, user_id=ctx.user_id, locale=ctx.locale, now=ctx.now(),
                       sections=api.kernel.sections)
    if result.applied:
        api.kernel.invalidate()
