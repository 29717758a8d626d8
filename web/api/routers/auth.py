"""Authentication: bearer tokens, browser sessions (cookie + CSRF), logout, personal API tokens, me."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from jimu.platform.context import Context
from jimu.platform.security import (
    ApiToken,
    Principal,
    change_own_password,
    create_api_token,
    list_api_tokens,
    login_committed,
    logout,
    revoke_api_token,
)
from jimu.web.api.credentials import read_login
from jimu.web.api.deps import Services, in_unit_of_work
from jimu.web.api.request_info import request_id, request_locale
from jimu.web.api.serialize import json_response

router = APIRouter(prefix="/auth", tags=["auth"])


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(max_length=1024)
    new_password: str = Field(max_length=1024)


class NewToken(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    expires_at: datetime | None = None


def _client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _token_json(token: ApiToken) -> dict[str, Any]:
    return {"id": token.id, "name": token.name, "hint": token.hint, "created_at": token.created_at,
            "last_used_at": token.last_used_at, "expires_at": token.expires_at, "revoked_at": token.revoked_at}


@router.post("/token")
async def issue_token(request: Request, api: Services) -> Response:
    """Password login for scripts and apps: a bearer session token (JSON or form body)."""
    credentials = await read_login(request, request_locale(request))
    session = await run_in_threadpool(login_committed, api.kernel.engine, credentials.username, credentials.password,
                                      ip=_client_ip(request), now=api.kernel.clock(), kind="api",
                                      settings=api.settings.auth)
    return json_response({"access_token": session.token, "token_type": "bearer", "expires_at": session.expires_at})


@router.post("/session")
async def open_session(request: Request, api: Services) -> Response:
    """Password login for browsers: an HttpOnly session cookie and the CSRF token to send with unsafe requests."""
    credentials = await read_login(request, request_locale(request))
    session = await run_in_threadpool(login_committed, api.kernel.engine, credentials.username, credentials.password,
                                      ip=_client_ip(request), now=api.kernel.clock(), kind="browser",
                                      settings=api.settings.auth)
    response = json_response({"csrf_token": session.csrf_token, "expires_at": session.expires_at})
    secure = api.settings.secure_cookie
    response.set_cookie(api.settings.cookie_name, session.token, httponly=True, samesite="lax", path="/",
                        secure=request.url.scheme == "https" if secure is None else secure,
                        max_age=int(api.settings.auth.absolute_timeout.total_seconds()))
    return response


@router.post("/logout", status_code=204)
@in_unit_of_work
def end_session(ctx: Context, principal: Principal, api: Services) -> Response:
    """End the session the request authenticated with (and clear the cookie)."""
    logout(ctx.conn, principal, now=ctx.now())
    response = Response(status_code=204)
    response.delete_cookie(api.settings.cookie_name, path="/")
    return response


@router.get("/me")
@in_unit_of_work
def me(ctx: Context, principal: Principal) -> Response:
    credential = principal.credential
    return json_response({"id": principal.user_id, "username": principal.username, "roles": sorted(principal.roles),
                          "departments": sorted(principal.departments), "is_superuser": principal.is_superuser,
                          "auth": credential.kind if credential else None, "locale": ctx.locale})


@router.post("/password", status_code=204)
@in_unit_of_work
def change_password(ctx: Context, principal: Principal, request: Request,
                    body: Annotated[PasswordChange, Body()]) -> Response:
    """Change your own password (the current one is asked again); your other sessions end, this one stays."""
    change_own_password(ctx.conn, principal, body.current_password, body.new_password, now=ctx.now(),
                        request_id=request_id(request))
    return Response(status_code=204)


@router.get("/tokens")
@in_unit_of_work
def tokens(ctx: Context, principal: Principal) -> Response:
    return json_response({"data": [_token_json(t) for t in list_api_tokens(ctx.conn, principal.user_id)]})


@router.post("/tokens", status_code=201)
@in_unit_of_work
def new_token(ctx: Context, principal: Principal, body: Annotated[NewToken, Body()]) -> Response:
    """A personal API token; the token itself is in this response only."""
    expires = body.expires_at
    if expires is not None and expires.tzinfo is None:
        expires = expires.replace(tzinfo=UTC)
    token, secret = create_api_token(ctx.conn, principal.user_id, body.name, now=ctx.now(), expires_at=expires)
    return json_response({**_token_json(token), "token": secret}, status_code=201)


@router.delete("/tokens/{token_id}", status_code=204)
@in_unit_of_work
def revoke_token(ctx: Context, principal: Principal, token_id: int) -> Response:
    revoke_api_token(ctx.conn, token_id, now=ctx.now(), user_id=principal.user_id)
    return Response(status_code=204)
