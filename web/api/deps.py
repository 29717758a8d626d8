"""Dependencies: the application's services, the caller (principal) and the request's unit of work.

`RequestContext` opens ONE transaction per request (`kernel.unit_of_work`), resolves the principal
inside it (401 when missing, expired or revoked), checks CSRF for cookie sessions on unsafe
methods, binds the caller's RolePolicy and yields the Context; the transaction commits only when
the endpoint returned normally, before the response is sent (dependency scope "function").
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from jimu.platform.context import Context
from jimu.platform.kernel import Kernel
from jimu.platform.security import (
    AuthenticationError,
    Principal,
    SecurityCache,
    authenticate_token,
    bind_policy,
    verify_csrf,
)
from jimu.web.api.config import ApiSettings
from jimu.web.api.request_info import request_id, request_locale

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"


@dataclass
class ApiServices:
    """What the API needs for its whole life; kept on `app.state.jimu` (no module globals)."""

    kernel: Kernel
    settings: ApiSettings
    security: SecurityCache = field(default_factory=SecurityCache)


def services(request: Request) -> ApiServices:
    found: ApiServices = request.app.state.jimu
    return found


@dataclass(frozen=True)
class Presented:
    """The credential a request carries: a bearer token, or a session cookie (which needs CSRF)."""

    token: str | None
    from_cookie: bool


def presented_credential(request: Request, settings: ApiSettings) -> Presented:
    authorization = request.headers.get("authorization", "")
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return Presented(value.strip(), from_cookie=False)
    cookie = request.cookies.get(settings.cookie_name)
    return Presented(cookie or None, from_cookie=bool(cookie))


def authenticate(ctx: Context, request: Request, api: ApiServices) -> Principal:
    """The caller of a request; a cookie must hold a browser session and, on unsafe methods, match CSRF."""
    presented = presented_credential(request, api.settings)
    principal = authenticate_token(ctx.conn, presented.token, ctx.now(), settings=api.settings.auth)
    if presented.from_cookie:
        if principal.credential is None or principal.credential.kind != "browser":
            raise AuthenticationError("Authentication failed.")
        if request.method not in SAFE_METHODS:
            verify_csrf(principal, request.headers.get(CSRF_HEADER))
    return principal


def request_context(request: Request) -> Iterator[Context]:
    api = services(request)
    with api.kernel.unit_of_work(locale=request_locale(request), request_id=request_id(request),
                                 read_mostly=request.method in SAFE_METHODS) as ctx:
        principal = authenticate(ctx, request, api)
        bind_policy(ctx, principal, api.security)
        request.state.principal = principal
        yield ctx


RequestContext = Annotated[Context, Depends(request_context, scope="function")]


def current_principal(request: Request, ctx: RequestContext) -> Principal:
    """The principal the request's unit of work was opened for (depends on RequestContext)."""
    principal: Principal = request.state.principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal, scope="function")]
Services = Annotated[ApiServices, Depends(services)]
