"""Transitions of a record's process: what the caller may run now (and why not), running one, dry runs."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Query
from fastapi import Path as PathParam
from starlette.responses import Response

from jimu.engines.forms.common import header_entity
from jimu.engines.workflow import transitions
from jimu.engines.workflow.amend import amend
from jimu.platform.context import Context
from jimu.platform.errors import ErrorDetail, ValidationError
from jimu.platform.i18n import translate
from jimu.web.api.deps import in_unit_of_work
from jimu.web.api.serialize import json_response, record_json
from jimu.web.api.versions import expected_version

router = APIRouter(prefix="/records", tags=["workflow"])
RecordId = Annotated[int, PathParam(ge=1, le=2**63 - 1)]
TransitionKey = Annotated[str, PathParam(min_length=1, max_length=48, pattern=r"^[a-z][a-z0-9_]*$")]
MAX_COMMENT = 4000
MAX_IDEMPOTENCY_KEY = 200


@router.get("/{entity}/{record_id}/transitions")
@in_unit_of_work
def list_transitions(ctx: Context, entity: str, record_id: RecordId) -> Response:
    """The record's state and each transition leaving it: may the caller run it now, and if not, why."""
    header_entity(ctx, entity)
    return json_response(transitions.available(ctx, entity, record_id))


@router.post("/{entity}/{record_id}/transitions/{transition}")
@in_unit_of_work
def run_transition(ctx: Context, entity: str, record_id: RecordId, transition: TransitionKey,
                   body: Annotated[dict[str, Any] | None, Body()] = None,
                   dry_run: Annotated[bool, Query()] = False,
                   if_match: Annotated[str | None, Header(alias="If-Match")] = None,
                   idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None) -> Response:
    """Run a transition (body: optional `comment`, `_version`); `?dry_run=true` reports every effect and
    commits nothing. An Idempotency-Key header makes a retry return the first run's result."""
    definition = header_entity(ctx, entity)
    sent = dict(body or {})
    version = expected_version(if_match, sent, ctx.locale)
    comment = _comment(sent, ctx.locale)
    if idempotency_key is not None and not 0 < len(idempotency_key) <= MAX_IDEMPOTENCY_KEY:
        raise _invalid("Idempotency-Key", "api.idempotency_key", ctx.locale, limit=MAX_IDEMPOTENCY_KEY)
    key = f"{entity}:{record_id}:{idempotency_key}" if idempotency_key else None
    result = transitions.run(ctx, entity, record_id, transition, expected_version=version, comment=comment,
                             dry_run=dry_run, idempotency_key=key)
    result["record"] = record_json(ctx.catalog, definition, result["record"])
    return json_response(result)


@router.post("/{entity}/{record_id}/amend", status_code=201)
@in_unit_of_work
def amend_record(ctx: Context, entity: str, record_id: RecordId) -> Response:
    """A new draft copy of a cancelled record, linked to it by the process's amend field."""
    definition = header_entity(ctx, entity)
    record = amend(ctx, entity, record_id)
    return json_response(record_json(ctx.catalog, definition, record), 201)


def _comment(body: dict[str, Any], locale: str) -> str | None:
    unknown = sorted(set(body) - {"comment"})
    if unknown:
        raise _invalid(unknown[0], "api.unknown_property", locale, property=unknown[0])
    comment = body.get("comment")
    if comment is None:
        return None
    if not isinstance(comment, str) or len(comment) > MAX_COMMENT:
        raise _invalid("comment", "api.comment_invalid", locale, limit=MAX_COMMENT)
    return comment


def _invalid(path: str, code: str, locale: str, **params: Any) -> ValidationError:
    message = translate(code, locale, **params)
    return ValidationError(message, details=[ErrorDetail(path, code, params, message)], code=code, **params)
