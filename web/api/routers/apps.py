"""Apps and entities: installed definitions, applying a definition (with dry run), versions, entity views."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from starlette.responses import Response

from jimu.platform.context import Context
from jimu.platform.errors import ErrorDetail, ValidationError
from jimu.platform.i18n import translate
from jimu.platform.registry.apply import apply_app
from jimu.platform.registry.repository import app_revision, list_versions
from jimu.web.api.definitions import entity_view, require_app, require_design, visible_apps
from jimu.web.api.deps import Services, in_unit_of_work
from jimu.web.api.serialize import json_response

router = APIRouter(tags=["apps"])


@router.get("/apps")
@in_unit_of_work
def apps(ctx: Context) -> Response:
    return json_response({"data": visible_apps(ctx)})


@router.get("/apps/{app}")
@in_unit_of_work
def app_definition(ctx: Context, app: str) -> Response:
    """The installed definition and its revision (permission `design`)."""
    installed = require_app(ctx, app)
    require_design(ctx, app)
    return json_response({"key": app, "version": installed.version, "revision": app_revision(ctx.conn, app),
                          "definition": installed.raw})


@router.put("/apps/{app}")
@in_unit_of_work
def put_app(ctx: Context, api: Services, app: str, definition: Annotated[dict[str, Any], Body()],
            dry_run: bool = False) -> Response:
    """Install or change an app; `?dry_run=true` returns the schema diff and changes nothing."""
    require_design(ctx, app)
    if definition.get("key") != app:
        code = "api.app_key_mismatch"
        params = {"key": str(definition.get("key")), "app": app}
        message = translate(code, ctx.locale, **params)
        raise ValidationError(message, details=[ErrorDetail("/key", code, params, message)], code=code, **params)
    result = apply_app(ctx.conn, definition, dry_run=dry_run, user_id=ctx.user_id, locale=ctx.locale, now=ctx.now(),
                       sections=api.kernel.sections)
    if result.applied:
        api.kernel.invalidate()
    return json_response({**result.as_dict(), "dry_run": dry_run})


@router.get("/apps/{app}/versions")
@in_unit_of_work
def versions(ctx: Context, app: str) -> Response:
    require_app(ctx, app)
    require_design(ctx, app)
    return json_response({"data": list_versions(ctx.conn, app)})


@router.get("/entities/{entity}")
@in_unit_of_work
def entity(ctx: Context, entity: str) -> Response:
    """An entity's definition, with only the fields the caller may read (permission `read`)."""
    definition = ctx.catalog.require_entity(entity)
    ctx.access.require(entity, "read")
    return json_response(entity_view(ctx, definition))
