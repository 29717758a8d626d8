"""Administration of public forms (superusers only): their links, switched on or off, tokens rotated."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from jimu.engines.forms import public_forms
from jimu.platform.context import Context
from jimu.platform.security import Principal
from jimu.web.api.admin_scope import ADMIN_PREFIX, admin_scope
from jimu.web.api.deps import in_unit_of_work
from jimu.web.api.serialize import json_response

router = APIRouter(prefix=ADMIN_PREFIX + "/public-forms", tags=["admin: public forms"])
Key = Annotated[str, PathParam(max_length=48)]


class SwitchOn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    actor_id: int | None = Field(default=None, ge=1, le=2**63 - 1,
                                 description="the account it writes as (default: the `public` account)")


@router.get("")
@in_unit_of_work
def list_forms(ctx: Context, principal: Principal) -> Response:
    """Every public form the installed apps define, with its link, switch and account."""
    admin_scope(ctx, principal)
    return json_response({"data": public_forms.list_public_forms(ctx.conn, ctx.catalog)})


@router.post("/{app}/{key}/enable")
@in_unit_of_work
def enable(ctx: Context, principal: Principal, app: Key, key: Key,
           body: Annotated[SwitchOn | None, Body()] = None) -> Response:
    return json_response(public_forms.switch_on(admin_scope(ctx, principal), app, key, body.actor_id if body else None))


@router.post("/{app}/{key}/disable")
@in_unit_of_work
def disable(ctx: Context, principal: Principal, app: Key, key: Key) -> Response:
    return json_response(public_forms.switch_off(admin_scope(ctx, principal), app, key))


@router.post("/{app}/{key}/rotate")
@in_unit_of_work
def rotate(ctx: Context, principal: Principal, app: Key, key: Key) -> Response:
    """A new link; the old one stops at once."""
    return json_response(public_forms.rotate(admin_scope(ctx, principal), app, key))
