"""The designers' server side: an app's draft (saved with a version: conflicts are 409s), the publish
preview in plain words, publish with its confirmation, version history, restore, and the expression
editor's checks, completions and function catalogue. Permission `design` on the app throughout."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Header
from starlette.responses import Response

from jimu.platform.context import Context
from jimu.platform.errors import ErrorDetail, PermissionDeniedError, ValidationError
from jimu.platform.fields.catalogue import field_type_catalogue
from jimu.platform.i18n import translate
from jimu.platform.registry.drafts import discard_draft, get_draft, list_drafts, save_draft
from jimu.platform.registry.expression_help import (
    catalog_of_draft,
    check_in_entity,
    completion_fields,
    expected_type,
    function_catalogue,
)
from jimu.platform.registry.publishing import history, preview_draft, publish_draft, restore_version
from jimu.platform.registry.repository import load_apps
from jimu.web.api.definitions import require_design
from jimu.web.api.deps import Services, in_unit_of_work
from jimu.web.api.serialize import json_response
from jimu.web.api.versions import expected_version

router = APIRouter(tags=["designer"])
IfMatch = Annotated[str | None, Header(alias="If-Match")]
JsonBody = Annotated[dict[str, Any], Body()]


def _draft_response(draft: Any, status_code: int = 200) -> Response:
    return json_response(draft.as_dict(), status_code=status_code, headers={"ETag": f'"{draft.version}"'})


def _version_of(if_match: str | None, body: dict[str, Any], locale: str) -> int | None:
    if "version" in body and "_version" not in body:
        body["_version"] = body.pop("version")
    return expected_version(if_match, body, locale)


@router.get("/apps/{app}/draft")
@in_unit_of_work
def read_draft(ctx: Context, app: str) -> Response:
    """The app's draft (its installed definition at version 0 when none is saved)."""
    require_design(ctx, app)
    return _draft_response(get_draft(ctx.conn, app, locale=ctx.locale))


@router.put("/apps/{app}/draft")
@in_unit_of_work
def write_draft(ctx: Context, app: str, body: JsonBody, if_match: IfMatch = None) -> Response:
    """Save the draft: `{"definition": {...}, "version": <the version edited>}` (or If-Match); 409 when another
    save came first."""
    require_design(ctx, app)
    version = _version_of(if_match, body, ctx.locale)
    if "definition" not in body:
        code = "api.field_required"
        message = translate(code, ctx.locale, field="definition")
        raise ValidationError(message, details=[ErrorDetail("definition", code, message=message)], code=code)
    draft = save_draft(ctx.conn, app, body["definition"], expected_version=version, user_id=ctx.user_id,
                       now=ctx.now(), locale=ctx.locale)
    return _draft_response(draft)


@router.delete("/apps/{app}/draft", status_code=204)
@in_unit_of_work
def drop_draft(ctx: Context, app: str, if_match: IfMatch = None) -> Response:
    """Discard the stored draft (If-Match: the version to discard)."""
    require_design(ctx, app)
    discard_draft(ctx.conn, app, expected_version=expected_version(if_match, None, ctx.locale), locale=ctx.locale)
    return Response(status_code=204)


@router.post("/apps/{app}/draft/preview")
@in_unit_of_work
def preview(ctx: Context, api: Services, app: str) -> Response:
    """What publishing the draft would do, in plain words; nothing changes."""
    require_design(ctx, app)
    draft = get_draft(ctx.conn, app, locale=ctx.locale)
    return json_response(preview_draft(ctx.conn, draft, locale=ctx.locale, sections=api.kernel.sections).as_dict())


@router.post("/apps/{app}/draft/publish")
@in_unit_of_work
def publish(ctx: Context, api: Services, app: str, body: JsonBody, if_match: IfMatch = None) -> Response:
    """Publish the draft: `{"version": <draft version>, "confirm": <the preview's confirm_token, when it asks>}`."""
    require_design(ctx, app)
    confirm = body.pop("confirm", None)
    version = _version_of(if_match, body, ctx.locale)
    result, seen = publish_draft(ctx.conn, app, expected_version=version,
                                 confirm=confirm if isinstance(confirm, str) else None, locale=ctx.locale,
                                 sections=api.kernel.sections, user_id=ctx.user_id, now=ctx.now())
    if result.applied:
        api.kernel.invalidate()
    return json_response({**result.as_dict(), "plain": seen.changes})


@router.get("/design/field-types")
@in_unit_of_work
def field_types(ctx: Context) -> Response:
    """The designer's palette: every field type with its labels, properties and capabilities."""
    return json_response({"data": field_type_catalogue()})


@router.get("/design/drafts")
@in_unit_of_work
def drafts(ctx: Context) -> Response:
    """The stored drafts of the apps the caller may design (apps not installed yet included)."""
    shown = []
    for draft in list_drafts(ctx.conn):
        try:
            require_design(ctx, draft["app"])
        except PermissionDeniedError:
            continue
        shown.append(draft)
    return json_response({"data": shown})


@router.get("/apps/{app}/history")
@in_unit_of_work
def versions_in_words(ctx: Context, app: str) -> Response:
    """Every published revision, newest first, with its diff in plain words."""
    require_design(ctx, app)
    return json_response({"data": history(ctx.conn, app)})


@router.post("/apps/{app}/versions/{revision}/restore")
@in_unit_of_work
def restore(ctx: Context, app: str, revision: int, body: JsonBody, if_match: IfMatch = None) -> Response:
    """Put a published revision into the draft (`{"version": <draft version>}`); publish it as any draft."""
    require_design(ctx, app)
    draft = restore_version(ctx.conn, app, revision, expected_version=_version_of(if_match, body, ctx.locale),
                            user_id=ctx.user_id, now=ctx.now(), locale=ctx.locale)
    return _draft_response(draft)


@router.post("/apps/{app}/draft/expressions/check")
@in_unit_of_work
def check_expression(ctx: Context, api: Services, app: str, body: JsonBody) -> Response:
    """Type-check `{"entity", "expression", "expected"?}` against the draft (the installed app while the draft
    does not validate): errors with line and column in both languages."""
    require_design(ctx, app)
    entity, source = _text_field(body, "entity", ctx.locale), _text_field(body, "expression", ctx.locale)
    expected = expected_type(body.get("expected"), ctx.locale)
    catalog, of_draft = _catalog(ctx, api, app)
    return json_response({**check_in_entity(catalog, entity, source, expected), "draft": of_draft})


@router.get("/apps/{app}/draft/expressions/context")
@in_unit_of_work
def expression_context(ctx: Context, api: Services, app: str, entity: str) -> Response:
    """What the editor offers for an entity: its fields and link paths, and the function catalogue."""
    require_design(ctx, app)
    catalog, of_draft = _catalog(ctx, api, app)
    return json_response({"entity": entity, "draft": of_draft, "fields": completion_fields(catalog, entity),
                          "functions": function_catalogue()})


def _catalog(ctx: Context, api: Services, app: str) -> tuple[Any, bool]:
    draft = get_draft(ctx.conn, app, locale=ctx.locale)
    return catalog_of_draft(draft.definition, load_apps(ctx.conn), ctx.catalog, sections=api.kernel.sections,
                            locale=ctx.locale)


def _text_field(body: dict[str, Any], name: str, locale: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        code = "api.field_required"
        message = translate(code, locale, field=name)
        raise ValidationError(message, details=[ErrorDetail(name, code, message=message)], code=code)
    return value
