"""Files of attachment fields: upload (permission to create or update the entity, the field writable)
and download (the record readable, the field visible). Downloads are always attachments, typed by the
sniffed content type, with `X-Content-Type-Options: nosniff` and a sandboxing CSP."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi import Path as PathParam
from starlette.responses import Response, StreamingResponse

from jimu.engines.forms import records
from jimu.engines.forms.common import header_entity
from jimu.platform.context import Context
from jimu.platform.errors import PermissionDeniedError
from jimu.platform.files import (
    FileNotFound,
    FileStore,
    attachment_field,
    content_disposition,
    load_files,
    save_upload,
)
from jimu.platform.files.sniff import TEXT
from jimu.platform.files.store import read_chunks
from jimu.web.api.deps import in_unit_of_work
from jimu.web.api.serialize import json_response

router = APIRouter(tags=["files"])
Id = Annotated[int, PathParam(ge=1, le=2**63 - 1)]
DOWNLOAD_HEADERS = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox; default-src 'none'",
                    "Cache-Control": "private, no-cache"}


def store_of(request: Request) -> FileStore:
    found: FileStore = request.app.state.files
    return found


def installation_limit(request: Request) -> int:
    """The largest upload the installation takes (`JIMU_MAX_FILE_BYTES`)."""
    limit: int = request.app.state.jimu.kernel.settings.max_file_bytes
    return limit


def _require_upload_right(ctx: Context, entity: str, field_name: str) -> None:
    """Create or update on the entity, and the field writable."""
    try:
        ctx.access.require(entity, "update")
    except PermissionDeniedError:
        ctx.access.require(entity, "create")
    writable = ctx.access.writable_fields(entity)
    if writable is not None and field_name not in writable:
        raise PermissionDeniedError(f"You may not write {entity}.{field_name}.", code="security.permission_denied",
                                    entity=f"{entity}.{field_name}", action="update")


@router.post("/files", status_code=201)
@in_unit_of_work
def upload(ctx: Context, request: Request, file: Annotated[UploadFile, File()],
           entity: Annotated[str, Form(max_length=48)], field: Annotated[str, Form(max_length=100)]) -> Response:
    """Store a file for an entity's attachment field; give `[{"id": <id>}]` in a create or update of a
    record to attach it (only you can, until then). 413 over the field's `max_size` or the installation's limit."""
    header_entity(ctx, entity)
    field_def = attachment_field(ctx.catalog, entity, field)
    _require_upload_right(ctx, entity, field_def.name)
    stored = save_upload(ctx.conn, store_of(request), file.file, name=file.filename, field=field_def,
                         user_id=ctx.user_id, now=ctx.now(), limit=installation_limit(request))
    return json_response({**stored.as_value(), "entity": entity, "field": field_def.name}, 201)


@router.get("/records/{entity}/{record_id}/files/{file_id}")
@in_unit_of_work
def download(ctx: Context, request: Request, entity: str, record_id: Id, file_id: Id) -> Response:
    """A file attached to a record (permission `read` on the record, the field readable)."""
    definition = header_entity(ctx, entity)
    records.get(ctx, entity, record_id)  # 404 unless the caller may read this record
    found = load_files(ctx.conn, [file_id]).get(file_id)
    field = definition.field_by_key(found.field) if found is not None else None
    readable = ctx.access.readable_fields(entity)
    if (found is None or field is None or found.entity != entity or found.record_id != record_id
            or (readable is not None and field.name not in readable)):
        raise FileNotFound("No such file.", file=file_id)
    try:
        stream = store_of(request).open(found.key)
    except (FileNotFoundError, ValueError) as error:
        raise FileNotFound("The file's content is missing.", file=file_id) from error
    media_type = f"{TEXT}; charset=utf-8" if found.content_type == TEXT else found.content_type

    def chunks() -> Iterator[bytes]:
        with stream:
            yield from read_chunks(stream)

    headers = {**DOWNLOAD_HEADERS, "Content-Disposition": content_disposition(found.name),
               "Content-Length": str(found.size)}
    return StreamingResponse(chunks(), media_type=media_type, headers=headers)
