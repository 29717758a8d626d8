"""Bulk actions on selected records: change a field, delete, run a transition — each row in its own savepoint."""
from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body
from starlette.responses import Response

from jimu.engines.forms import records
from jimu.engines.forms.batch import MAX_BATCH, run_each
from jimu.engines.forms.common import header_entity
from jimu.engines.workflow import transitions
from jimu.platform.context import Context
from jimu.platform.errors import ErrorDetail, ValidationError
from jimu.platform.i18n import translate
from jimu.web.api.deps import in_unit_of_work
from jimu.web.api.serialize import json_response

router = APIRouter(prefix="/records", tags=["records"])
ACTIONS = ("update", "delete", "transition")
PROPERTIES = {"update": {"values"}, "delete": set(), "transition": {"transition", "comment"}}


@router.post("/{entity}/bulk")
@in_unit_of_work
def bulk(ctx: Context, entity: str, body: Annotated[dict[str, Any], Body()]) -> Response:
    """Body: `action` (update | delete | transition), `ids` (at most 500), `values` (update), `transition`
    and `comment` (transition), `all_or_nothing` (default false). Each row runs in a savepoint of its own;
    the answer lists the ids done and each refused row with its code, message and field errors."""
    header_entity(ctx, entity)
    action, ids, strict = _parse(ctx, body)
    if action != "transition":
        ctx.access.require(entity, action)
    report = run_each(ctx, ids, _action(ctx, entity, action, body), all_or_nothing=strict)
    return json_response(report.as_dict())


def _action(ctx: Context, entity: str, action: str, body: dict[str, Any]) -> Callable[[int], object]:
    if action == "update":
        values = body["values"]
        return lambda record_id: records.update(ctx, entity, record_id, values)
    if action == "delete":
        return lambda record_id: records.delete(ctx, entity, record_id)
    key, comment = body["transition"], body.get("comment")
    return lambda record_id: transitions.run(ctx, entity, record_id, key, comment=comment)


def _parse(ctx: Context, body: dict[str, Any]) -> tuple[str, list[int], bool]:
    action = body.get("action")
    if action not in ACTIONS:
        raise _invalid(ctx, "action", "bulk.unknown_action", action=str(action))
    unknown = sorted(set(body) - {"action", "ids", "all_or_nothing"} - PROPERTIES[action])
    if unknown:
        raise _invalid(ctx, unknown[0], "api.unknown_property", property=unknown[0])
    ids = body.get("ids")
    if not isinstance(ids, list) or not ids or not all(
            isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**63 for i in ids):
        raise _invalid(ctx, "ids", "bulk.invalid", error="ids: a list of record ids")
    if len(ids) > MAX_BATCH:
        raise _invalid(ctx, "ids", "bulk.too_many", limit=MAX_BATCH)
    strict = body.get("all_or_nothing", False)
    if not isinstance(strict, bool):
        raise _invalid(ctx, "all_or_nothing", "bulk.invalid", error="all_or_nothing: true or false")
    if action == "update" and (not isinstance(body.get("values"), dict) or not body["values"]):
        raise _invalid(ctx, "values", "bulk.invalid", error="values: an object of field values")
    if action == "transition":
        key = body.get("transition")
        if not isinstance(key, str) or not key:
            raise _invalid(ctx, "transition", "bulk.invalid", error="transition: a transition key")
        comment = body.get("comment")
        if comment is not None and (not isinstance(comment, str) or len(comment) > 4000):
            raise _invalid(ctx, "comment", "api.comment_invalid", limit=4000)
    return action, ids, strict


def _invalid(ctx: Context, path: str, code: str, **params: Any) -> ValidationError:
    message = translate(code, ctx.locale, **params)
    return ValidationError(message, details=[ErrorDetail(path, code, params, message)], code=code, **params)
