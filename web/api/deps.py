"""Dependencies: the application's services, the caller (principal) and the request's unit of work.

`RequestContext` opens ONE transaction per request (`kernel.unit_of_work`), resolves the principal
inside it (401 when missing, expired or revoked), checks CSRF for cookie sessions on unsafe
methods, binds the caller's RolePolicy and yields the Context; the transaction commits only when
the endpoint returned normally, before the response is sent (dependency scope "function").

Its first statement looks the session/token up (never cached: revocation is immediate) and reads the
security and definitions stamps along; the principal and the rules are then taken from the services'
caches while those stamps hold, so a request usually costs that statement plus its own queries.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, Request

from jimu.platform.context import Context
from jimu.platform.kernel import Kernel, definitions_stamp_column
from jimu.platform.security import (
    AuthenticationError,
    Authenticator,
    CheckedToken,
    Principal,
    SecurityCache,
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
    authenticator: Authenticator = field(init=False)  # principals cached per credential and security stamp

    def __post_init__(self) -> None:
        self.authenticator = Authenticator(self.settings.auth, extra=(definitions_stamp_column(),))


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


class RequestCredential:
    """The request's credential, checked as the unit of work's first statement (`kernel.unit_of_work(first=...)`)."""

    def __init__(self, api: ApiServices, presented: Presented, now: datetime) -> None:
        self.api = api
        self.presented = presented
        self.now = now
        self.checked: CheckedToken | None = None

    def __call__(self, conn: sa.Connection) -> int:
        """Check the token (AuthenticationError otherwise); the definitions stamp read along."""
        self.checked = self.api.authenticator.check(conn, self.presented.token, self.now)
        return int(self.checked.extra[0])

    def result(self) -> CheckedToken:
        if self.checked is None:
            raise RuntimeError("The credential is checked by the unit of work's first statement.")
        return self.checked


def authenticate(ctx: Context, request: Request, credential: RequestCredential) -> Principal:
    """The caller of a request; a cookie must hold a browser session and, on unsafe methods, match CSRF."""
    presented, checked = credential.presented, credential.result()
    principal = credential.api.authenticator.principal(ctx.conn, checked)
    if presented.from_cookie:
        if principal.credential is None or principal.credential.kind != "browser":
            raise AuthenticationError("Authentication failed.")
        if request.method not in SAFE_METHODS:
            verify_csrf(principal, request.headers.get(CSRF_HEADER))
    return principal


def request_context(request: Request) -> Iterator[Context]:
    api = services(request)
    credential = RequestCredential(api, presented_credential(request, api.settings), api.kernel.clock())
    with api.kernel.unit_of_work(locale=request_locale(request), request_id=request_id(request),
                                 read_mostly=request.method in SAFE_METHODS, first=credential) as ctx:
        principal = authenticate(ctx, request, credential)
        bind_policy(ctx, principal, api.security, security_stamp=credential.result().security_stamp)
        request.state.principal = principal
        yield ctx


RequestContext = Annotated[Context, Depends(request_context, scope="function")]


def current_principal(request: Request, ctx: RequestContext) -> Principal:
    """The principal the request's unit of work was opened for (depends on RequestContext)."""
    principal: Principal = request.state.principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal, scope="function")]
Services = Annotated[ApiServices, Depends(services)]
