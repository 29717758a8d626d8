"""Administration of notification channels (superusers only): the configured e-mail servers, group robots
and webhooks that workflow definitions name by key. Secrets are never returned (masked); a PUT that
leaves a secret out, or gives it masked, keeps the stored one. `POST .../test` sends a test message now."""
from __future__ import annotations

import uuid
from functools import partial
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Body, Request
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from jimu.platform.context import Context
from jimu.platform.meta import users
from jimu.platform.notifications import (
    CHANNEL_TYPES,
    Message,
    NetworkPolicy,
    check_message,
    deliver,
    list_channels,
    load_channel,
    remove_channel,
    set_channel,
)
from jimu.platform.security import Principal
from jimu.web.api.admin_scope import ADMIN_PREFIX, admin_scope
from jimu.web.api.deps import in_unit_of_work, open_request_context
from jimu.web.api.serialize import json_response

router = APIRouter(prefix=ADMIN_PREFIX, tags=["admin: notification channels"])
ChannelKey = Annotated[str, PathParam(max_length=48)]


class ChannelBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: str = Field(max_length=20, description=", ".join(sorted(CHANNEL_TYPES)))
    config: dict[str, Any] = Field(default_factory=dict)
    enabled: bool = True


class TestMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: list[Annotated[str, Field(max_length=320)]] = Field(default_factory=list, max_length=10,
                                                            description="e-mail: addresses (default: yours)")
    subject: str = Field(default="Jimu test message", min_length=1, max_length=200)
    body: str = Field(default="This is a test message from Jimu.", max_length=2000)


def _types() -> dict[str, Any]:
    return {name: {"config_schema": kind.config_schema, "secrets": list(kind.secrets)}
            for name, kind in sorted(CHANNEL_TYPES.items()) if not kind.in_transaction}


@router.get("/channel-types")
@in_unit_of_work
def channel_types(ctx: Context, principal: Principal) -> Response:
    """Each configurable channel type with the JSON Schema of its configuration and its secret settings."""
    admin_scope(ctx, principal)
    return json_response({"data": _types()})


@router.get("/channels")
@in_unit_of_work
def list_all(ctx: Context, principal: Principal) -> Response:
    """Every channel by key (the built-in `inapp` first), secrets masked."""
    admin_scope(ctx, principal)
    return json_response({"data": list_channels(ctx.conn)})


@router.get("/channels/{key}")
@in_unit_of_work
def read_channel(ctx: Context, principal: Principal, key: ChannelKey) -> Response:
    admin_scope(ctx, principal)
    return json_response(load_channel(ctx.conn, key).view())


@router.put("/channels/{key}")
@in_unit_of_work
def put_channel(ctx: Context, principal: Principal, key: ChannelKey, body: Annotated[ChannelBody, Body()]) -> Response:
    """Create or replace a channel; 422 naming each invalid setting (`/config/port`...)."""
    channel = set_channel(admin_scope(ctx, principal), key, body.type, body.config, enabled=body.enabled)
    return json_response(channel.view())


@router.delete("/channels/{key}", status_code=204)
@in_unit_of_work
def delete_channel(ctx: Context, principal: Principal, key: ChannelKey) -> Response:
    remove_channel(admin_scope(ctx, principal), key)
    return Response(status_code=204)


@router.post("/channels/{key}/test")
def test_channel(request: Request, key: ChannelKey, body: Annotated[TestMessage | None, Body()] = None) -> Response:
    """Send a test message now (the inbox: to you; e-mail: to `to`, or your address); 502 when it fails.

    The channel is read in the request's transaction and, except for the inbox, sent to after it
    committed: a slow receiver holds no transaction open."""
    shown = body or TestMessage()
    with open_request_context(request) as ctx:
        principal: Principal = request.state.principal
        admin_scope(ctx, principal)
        channel = load_channel(ctx.conn, key)
        own = ctx.conn.scalar(sa.select(users.c.email).where(users.c.id == principal.user_id))
        message = Message(shown.subject, shown.body, to=tuple(shown.to) or ((own,) if own else ()),
                          users=(principal.user_id,), event="channel.test")
        check_message(channel, message)
        network = NetworkPolicy.from_settings(request.app.state.jimu.kernel.settings)
        send = partial(deliver, channel, message, delivery_id=f"test-{uuid.uuid4().hex}", now=ctx.now(),
                       network=network)
        result = send(conn=ctx.conn) if channel.kind.in_transaction else None
    return json_response({"channel": key, "sent": True, "result": send() if result is None else result})
