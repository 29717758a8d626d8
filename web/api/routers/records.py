"""Records: list, create, read, change, delete, restore, history, import and export."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Body, File, Form, Header, Query, Request, UploadFile
from fastapi import Path as PathParam
from starlette.responses import Response, StreamingResponse

from jimu.engines.forms import records
from jimu.engines.forms.comments import add_comment
from jimu.engines.forms.common import header_entity
from jimu.engines.forms.importing import import_records
from jimu.engines.forms.listing import count_records, list_records
from jimu.engines.forms.preview import Preview, preview
from jimu.engines.forms.query import parse_list_params
from jimu.engines.forms.reading import ready_by_id
from jimu.engines.forms.related import MAX_LIMIT as RELATED_LIMIT
from jimu.engines.forms.related import related as related_panels
from jimu.platform.context import Context
from jimu.platform.errors import ErrorDetail, ValidationError
from jimu.platform.i18n import translate
from jimu.platform.read_ahead import Rider
from jimu.platform.security import Principal
from jimu.web.api.deps import ApiServices, Services, in_unit_of_work, reading_ahead
from jimu.web.api.exporting import MEDIA_TYPES, Format, Headers, check_export, stream_export
from jimu.web.api.request_info import request_id
from jimu.web.api.serialize import etag, json_response, record_json
from jimu.web.api.versions import expected_version, if_match_version

router = APIRouter(prefix="/records", tags=["records"])
RecordBody = Annotated[dict[str, Any], Body()]
IfMatch = Annotated[str | None, Header(alias="If-Match")]
RecordId = Annotated[int, PathParam(ge=1, le=2**63 - 1)]  # ids are BIGINT: a larger number is a 422, not a 500
CONTROL_PARAMS = ("count", "format", "headers")


def _record_response(ctx: Context, entity_key: str, record: dict[str, Any], status_code: int = 200,
                     headers: dict[str, str] | None = None) -> Response:
    entity = ctx.catalog.require_entity(entity_key)
    return json_response(record_json(ctx.catalog, entity, record), status_code,
                         {"ETag": etag(record["_version"]), **(headers or {})})


def _list_params(request: Request) -> dict[str, str]:
    return {key: value for key, value in request.query_params.items() if key not in CONTROL_PARAMS}


@router.get("/{entity}")
@in_unit_of_work
def list_(ctx: Context, request: Request, entity: str, count: bool = False) -> Response:
    """A page of records: filter (JSON), where, q, sort, cursor, limit, fields, deleted, include_lines, count."""
    definition = header_entity(ctx, entity)
    query = parse_list_params(_list_params(request))
    page = list_records(ctx, entity, query)
    body: dict[str, Any] = {"data": [record_json(ctx.catalog, definition, row) for row in page.rows],
                            "next_cursor": page.next_cursor, "has_more": page.has_more}
    if count:
        total = count_records(ctx, entity, query)
        body.update(count=total.value, count_exact=total.exact)
    return json_response(body)


@router.post("/{entity}", status_code=201)
@in_unit_of_work
def create(ctx: Context, request: Request, entity: str, body: RecordBody) -> Response:
    header_entity(ctx, entity)
    record = records.create(ctx, entity, body)
    location = str(request.url_for("read", entity=entity, record_id=record["id"]).path)
    return _record_response(ctx, entity, record, 201, {"Location": location})


def _preview_response(ctx: Context, entity_key: str, result: Preview) -> Response:
    entity = ctx.catalog.require_entity(entity_key)
    return json_response({"record": record_json(ctx.catalog, entity, result.record), "fields": result.fields,
                          "lines": result.lines, "errors": [d.as_dict() for d in result.errors]})


@router.post("/{entity}/preview")
@in_unit_of_work
def preview_new(ctx: Context, entity: str, body: RecordBody) -> Response:
    """A new record's draft as a save would compute it (formulas, rollups, lookups), each field's
    visible/required/read-only state, and every error a save would report; nothing is kept."""
    header_entity(ctx, entity)
    return _preview_response(ctx, entity, preview(ctx, entity, body))


@router.get("/{entity}/export")
@in_unit_of_work
def export(ctx: Context, principal: Principal, api: Services, request: Request, entity: str,
           format: Format = "csv", headers: Headers = "names") -> Response:
    """The matching records as CSV or XLSX, streamed (permission `export`)."""
    header_entity(ctx, entity)
    query = parse_list_params(_list_params(request))
    check_export(ctx, entity, query, format, headers)
    chunks = stream_export(api, principal, entity, query, format, headers, locale=ctx.locale,
                           request_id=request_id(request))
    return StreamingResponse(chunks, media_type=MEDIA_TYPES[format],
                             headers={"Content-Disposition": f'attachment; filename="{entity}.{format}"'})


@router.post("/{entity}/import")
@in_unit_of_work
def import_(ctx: Context, entity: str, file: Annotated[UploadFile, File()],
            all_or_nothing: Annotated[bool | None, Form()] = None,
            all_or_nothing_query: Annotated[bool, Query(alias="all_or_nothing")] = True) -> Response:
    """Create records from a CSV or XLSX upload (permission `import`); per-row errors in the report."""
    header_entity(ctx, entity)
    strict = all_or_nothing if all_or_nothing is not None else all_or_nothing_query
    suffix = Path(file.filename or "").suffix.lower().lstrip(".")
    report = import_records(ctx, entity, file.file, fmt=suffix if suffix in MEDIA_TYPES else None,
                            all_or_nothing=strict)
    if report.rolled_back:
        code = "api.import_rejected"
        details = [e.detail() for e in report.errors]
        raise ValidationError(translate(code, ctx.locale, count=report.bad_row_count), code=code, details=details,
                              count=report.bad_row_count, report=report.as_dict())
    return json_response(report.as_dict())


def _record_rider(api: ApiServices, arguments: dict[str, Any]) -> Rider | None:
    """The record a GET by id reads, read along the credential check (when its read plan is ready)."""
    definitions = api.kernel.cached_definitions()
    if definitions is None:
        return None
    statement = ready_by_id(definitions.catalog, api.kernel.engine.dialect.name, arguments["entity"])
    return None if statement is None else Rider(statement, {"record_id": arguments["record_id"]})


@router.get("/{entity}/{record_id}")
@reading_ahead(_record_rider)
def read(ctx: Context, entity: str, record_id: RecordId) -> Response:
    header_entity(ctx, entity)
    return _record_response(ctx, entity, records.get(ctx, entity, record_id))


@router.patch("/{entity}/{record_id}")
@in_unit_of_work
def change(ctx: Context, entity: str, record_id: RecordId, body: RecordBody, if_match: IfMatch = None) -> Response:
    """Change some fields; a child table sent as a list replaces its lines. If-Match or `_version` to lock."""
    header_entity(ctx, entity)
    version = expected_version(if_match, body, ctx.locale)
    return _record_response(ctx, entity, records.update(ctx, entity, record_id, body, expected_version=version))


@router.post("/{entity}/{record_id}/preview")
@in_unit_of_work
def preview_change(ctx: Context, entity: str, record_id: RecordId, body: RecordBody) -> Response:
    """A change's draft (the fields sent, over the stored record) as a save would compute it; nothing is kept."""
    header_entity(ctx, entity)
    return _preview_response(ctx, entity, preview(ctx, entity, body, record_id))


@router.delete("/{entity}/{record_id}", status_code=204)
@in_unit_of_work
def delete(ctx: Context, entity: str, record_id: RecordId, if_match: IfMatch = None) -> Response:
    header_entity(ctx, entity)
    records.delete(ctx, entity, record_id, expected_version=if_match_version(if_match))
    return Response(status_code=204)


@router.post("/{entity}/{record_id}/restore")
@in_unit_of_work
def restore(ctx: Context, entity: str, record_id: RecordId) -> Response:
    header_entity(ctx, entity)
    return _record_response(ctx, entity, records.restore(ctx, entity, record_id))


@router.get("/{entity}/{record_id}/history")
@in_unit_of_work
def history(ctx: Context, entity: str, record_id: RecordId) -> Response:
    header_entity(ctx, entity)
    return json_response({"data": records.history(ctx, entity, record_id)})


@router.get("/{entity}/{record_id}/related")
@in_unit_of_work
def related(ctx: Context, entity: str, record_id: RecordId,
            limit: Annotated[int, Query(ge=1, le=RELATED_LIMIT)] = 5) -> Response:
    """Everything that links to the record: per link field elsewhere, its newest records and a count."""
    header_entity(ctx, entity)
    panels = []
    for panel in related_panels(ctx, entity, record_id, limit=limit):
        panels.append({"entity": panel.entity.key, "entity_label": panel.entity.label, "field": panel.field.name,
                       "field_label": panel.field.label, "title_field": ctx.catalog.title_field(panel.entity),
                       "count": panel.count, "count_exact": panel.count_exact, "has_more": panel.has_more,
                       "records": [record_json(ctx.catalog, panel.entity, row) for row in panel.records]})
    return json_response({"data": panels})


@router.post("/{entity}/{record_id}/comments", status_code=201)
@in_unit_of_work
def comment(ctx: Context, entity: str, record_id: RecordId, body: RecordBody) -> Response:
    """Add a comment (`{"text": ..., "mentions": [user ids]}`) to the record's timeline (permission: read
    the record); the mentioned users who may read it are told in their inbox."""
    header_entity(ctx, entity)
    unknown = sorted(set(body) - {"text", "mentions"})
    if unknown:
        code = "api.unknown_property"
        message = translate(code, ctx.locale, property=unknown[0])
        raise ValidationError(message, code=code, details=[ErrorDetail(unknown[0], code, {"property": unknown[0]},
                                                                       message)], property=unknown[0])
    return json_response(add_comment(ctx, entity, record_id, body.get("text"), body.get("mentions")), 201)
