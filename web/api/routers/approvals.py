"""Approvals: the caller's inbox of pending tasks, deciding a task (approve, reject, delegate, add a signer),
one approval with its tasks, and the submitter's recall. Routers parse and call engines/workflow/approvals."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from fastapi import Path as PathParam
from starlette.responses import Response

from jimu.engines.workflow.approvals import decisions, views
from jimu.engines.workflow.approvals.errors import ApprovalNotFoundError
from jimu.engines.workflow.errors import error
from jimu.platform.context import Context
from jimu.platform.errors import ErrorDetail, ValidationError
from jimu.platform.i18n import translate
from jimu.web.api.deps import in_unit_of_work
from jimu.web.api.serialize import json_response, record_json

router = APIRouter(prefix="/approvals", tags=["workflow"])
Id = Annotated[int, PathParam(ge=1, le=2**63 - 1)]
Body_ = Annotated[dict[str, Any] | None, Body()]
MAX_COMMENT = 4000
API_PREFIX = "/api/v1"


@router.get("")
@in_unit_of_work
def inbox(ctx: Context, limit: Annotated[int, Query(ge=1, le=views.MAX_PAGE)] = 50,
          cursor: Annotated[int | None, Query(ge=0, le=2**63 - 1)] = None) -> Response:
    """The caller's pending approval tasks, oldest first, each with its record's title and link."""
    page = views.inbox(ctx, limit=limit, after=cursor)
    for item in page["items"]:
        item["link"] = f"{API_PREFIX}/records/{item['entity']}/{item['record_id']}"
    return json_response({"data": page["items"], "next_cursor": page["next_cursor"], "has_more": page["has_more"]})


@router.get("/requests/{approval_id}")
@in_unit_of_work
def show(ctx: Context, approval_id: Id) -> Response:
    """One approval with its levels' tasks (for its submitter, its approvers and readers of the record)."""
    return json_response(_visible(ctx, approval_id))


@router.post("/{task_id}/approve")
@in_unit_of_work
def approve(ctx: Context, task_id: Id, body: Body_ = None, dry_run: Annotated[bool, Query()] = False) -> Response:
    """Approve one's task; `?dry_run=true` reports every effect (the transition's too, at the last level)."""
    sent = _body(body, ctx.locale, allowed={"comment"})
    return _answer(ctx, decisions.approve(ctx, task_id, comment=_comment(sent, ctx.locale), dry_run=dry_run))


@router.post("/{task_id}/reject")
@in_unit_of_work
def reject(ctx: Context, task_id: Id, body: Body_ = None, dry_run: Annotated[bool, Query()] = False) -> Response:
    """Reject one's task with a comment; a rejected approval sends the record to `to` (one of the approval's
    `reject_targets`), else to its `reject_to` state."""
    sent = _body(body, ctx.locale, allowed={"comment", "to"})
    return _answer(ctx, decisions.reject(ctx, task_id, comment=_comment(sent, ctx.locale), dry_run=dry_run,
                                         to=_state(sent, ctx.locale)))


@router.post("/{task_id}/delegate")
@in_unit_of_work
def delegate(ctx: Context, task_id: Id, body: Body_ = None) -> Response:
    """Hand one's task to another user (body: `user`, optional `comment`)."""
    sent = _body(body, ctx.locale, allowed={"user", "comment"})
    return _answer(ctx, decisions.delegate(ctx, task_id, _user(sent, ctx.locale),
                                           comment=_comment(sent, ctx.locale)))


@router.post("/{task_id}/signers")
@in_unit_of_work
def add_signer(ctx: Context, task_id: Id, body: Body_ = None) -> Response:
    """Add a signer to the level of one's task (body: `user`, optional `comment`)."""
    sent = _body(body, ctx.locale, allowed={"user", "comment"})
    return _answer(ctx, decisions.add_signer(ctx, task_id, _user(sent, ctx.locale),
                                             comment=_comment(sent, ctx.locale)))


@router.post("/requests/{approval_id}/recall")
@in_unit_of_work
def recall(ctx: Context, approval_id: Id, body: Body_ = None) -> Response:
    """The submitter withdraws a pending approval (optional `comment`)."""
    sent = _body(body, ctx.locale, allowed={"comment"})
    return _answer(ctx, decisions.recall(ctx, approval_id, comment=_comment(sent, ctx.locale)))


def _visible(ctx: Context, approval_id: int) -> dict[str, Any]:
    view = views.approval_view(ctx, approval_id)
    involved = {t["user"]["id"] for t in view["tasks"]} | {(view["submitted_by"] or {}).get("id")}
    if ctx.user_id not in involved:
        try:
            ctx.access.require(view["entity"], "read")
        except Exception as denied:  # noqa: BLE001  (PermissionDeniedError: it is not theirs to see)
            raise error(ApprovalNotFoundError, "approval.not_found", ctx.locale, approval=approval_id) from denied
    return view


def _answer(ctx: Context, result: dict[str, Any]) -> Response:
    entity = ctx.catalog.require_entity(result["approval"]["entity"])
    if result["record"] is not None:
        result["record"] = record_json(ctx.catalog, entity, result["record"])
    return json_response(result)


def _body(body: dict[str, Any] | None, locale: str, *, allowed: set[str]) -> dict[str, Any]:
    sent = dict(body or {})
    unknown = sorted(set(sent) - allowed)
    if unknown:
        raise _invalid(unknown[0], "api.unknown_property", locale, property=unknown[0])
    return sent


def _comment(body: dict[str, Any], locale: str) -> str | None:
    comment = body.get("comment")
    if comment is not None and (not isinstance(comment, str) or len(comment) > MAX_COMMENT):
        raise _invalid("comment", "api.comment_invalid", locale, limit=MAX_COMMENT)
    return comment


def _state(body: dict[str, Any], locale: str) -> str | None:
    state = body.get("to")
    if state is not None and (not isinstance(state, str) or not 0 < len(state) <= 64):
        raise _invalid("to", "approval.reject_target", locale, state=str(state)[:64], states="-")
    return state


def _user(body: dict[str, Any], locale: str) -> int:
    user = body.get("user")
    if isinstance(user, bool) or not isinstance(user, int) or not 0 < user < 2**63:
        raise _invalid("user", "approval.user_invalid", locale)
    return user


def _invalid(path: str, code: str, locale: str, **params: Any) -> ValidationError:
    message = translate(code, locale, **params)
    return ValidationError(message, details=[ErrorDetail(path, code, params, message)], code=code, **params)
