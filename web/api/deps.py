"""Dependencies: the application's services, the caller (principal) and the request's unit of work.

`open_request_context` opens ONE transaction per request (`kernel.unit_of_work`), resolves the
principal inside it (401 when missing, expired or revoked), checks CSRF for cookie sessions on unsafe
methods, binds the caller's RolePolicy and yields the Context. Endpoints take it through
`@in_unit_of_work`: the unit of work and the endpoint body run in ONE worker-thread call, and the
transaction commits when the endpoint returns normally, before the response is sent.

Its first statement looks the session/token up (never cached: revocation is immediate) and reads the
security and definitions stamps along; the principal and the rules are then taken from the services'
caches while those stamps hold, so a request usually costs that statement plus its own queries.
"""
from __future__ import annotations

import inspect
import typing
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Depends, Request
from starlette.responses import Response

from jimu.platform.context import Context
from jimu.platform.kernel import Kernel, definitions_stamp_column
from jimu.platform.read_ahead import ReadyRows, Rider
from jimu.platform.registry.caches import BoundedCache
from jimu.platform.security import (
    AuthenticationError,
    Authenticator,
    CheckedToken,
    Principal,
    SecurityCache,
    bind_policy,
    verify_csrf,
)
from jimu.platform.statements import Cancellation
from jimu.web.api.config import ApiSettings
from jimu.web.api.disconnect import run_until_disconnected
from jimu.web.api.request_info import request_id, request_locale

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"
UNUSED_RIDERS = 4096  # (credential, statement) pairs whose read-ahead went unused: not read ahead again


@dataclass
class ApiServices:
    """What the API needs for its whole life; kept on `app.state.jimu` (no module globals)."""

    kernel: Kernel
    settings: ApiSettings
    security: SecurityCache = field(default_factory=SecurityCache)
    authenticator: Authenticator = field(init=False)  # principals cached per credential and security stamp
    # reads ahead that a caller's policy did not use (a record rule, no permission): not tried again for them
    unused_riders: BoundedCache[tuple[int, int], bool] = field(default_factory=lambda: BoundedCache(UNUSED_RIDERS))

    def __post_init__(self) -> None:
        self.authenticator = Authenticator(self.settings.auth, extra=(definitions_stamp_column(),))


def services_of(request: Request) -> ApiServices:
    found: ApiServices = request.app.state.jimu
    return found


async def services(request: Request) -> ApiServices:
    """The application's services (a dependency: async, as it does no I/O, so no thread hop)."""
    return services_of(request)


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
    """The request's credential, checked as the unit of work's first statement (`kernel.unit_of_work(first=...)`),
    with the endpoint's read along when it has one (`rider`, platform/read_ahead.py)."""

    def __init__(self, api: ApiServices, presented: Presented, now: datetime, rider: Rider | None = None) -> None:
        self.api = api
        self.presented = presented
        self.now = now
        self.rider = rider
        self.checked: CheckedToken | None = None

    def __call__(self, conn: sa.Connection) -> int:
        """Check the token (AuthenticationError otherwise); the definitions stamp read along."""
        self.checked = self.api.authenticator.check(conn, self.presented.token, self.now, self.rider)
        return int(self.checked.extra[0])

    def result(self) -> CheckedToken:
        if self.checked is None:
            raise RuntimeError("The credential is checked by the unit of work's first statement.")
        return self.checked

    def ready_rows(self) -> ReadyRows | None:
        """The rider's rows for the unit of work, when it was read along."""
        rows = self.result().rider_rows
        if self.rider is None or rows is None:
            return None
        ready = ReadyRows()
        ready.put(self.rider, rows)
        return ready


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


RiderOf = Callable[[ApiServices, dict[str, Any]], Rider | None]
"""The read an endpoint will run first, from its arguments (None: nothing to read ahead)."""


@contextmanager
def open_request_context(request: Request, cancellation: Cancellation | None = None, rider: Rider | None = None,
                         presented: Presented | None = None) -> Iterator[Context]:
    """The request's unit of work, its principal authenticated and its policy bound (see the module doc);
    `cancellation` stops its statements when the client goes away; `rider` is read along the credential
    (`presented`: the request's credential, when the caller took it already)."""
    api = services_of(request)
    presented = presented or presented_credential(request, api.settings)
    credential = RequestCredential(api, presented, api.kernel.clock(), rider)
    with api.kernel.unit_of_work(locale=request_locale(request), request_id=request_id(request),
                                 read_only=request.method in SAFE_METHODS, first=credential,
                                 cancellation=cancellation) as ctx:
        principal = authenticate(ctx, request, credential)
        bind_policy(ctx, principal, api.security, security_stamp=credential.result().security_stamp)
        request.state.principal = principal
        ctx.ready = credential.ready_rows()
        try:
            yield ctx
        finally:
            if ctx.ready is not None and len(ctx.ready) and rider is not None:
                api.unused_riders.put(_rider_key(credential.presented, rider), True)


def _rider_key(presented: Presented, rider: Rider) -> tuple[int, int]:
    return hash(presented.token), id(rider.statement)


def _request_rider(request: Request, rider_of: RiderOf, arguments: dict[str, Any],
                   presented: Presented) -> Rider | None:
    if request.method not in SAFE_METHODS:
        return None
    api = services_of(request)
    rider = rider_of(api, arguments)
    if rider is None or api.unused_riders.get(_rider_key(presented, rider)):
        return None
    return rider


_INJECTED = ("ctx", "principal")


def in_unit_of_work(endpoint: Callable[..., Response]) -> Callable[..., Awaitable[Response]]:
    """Run a sync endpoint taking `ctx` (and optionally `principal`) inside its request's unit of work.

    FastAPI sees the endpoint's other parameters unchanged (plus `request`); the body and the unit of
    work share one worker-thread call, so a request costs one thread hop instead of three.
    """
    return _in_unit_of_work(endpoint, None)


def reading_ahead(rider_of: RiderOf) -> Callable[[Callable[..., Response]], Callable[..., Awaitable[Response]]]:
    """`in_unit_of_work` for a GET whose first read `rider_of(api, arguments)` can tell before the credential
    is checked: that read travels in the credential's statement (platform/read_ahead.py)."""
    return lambda endpoint: _in_unit_of_work(endpoint, rider_of)


def _in_unit_of_work(endpoint: Callable[..., Response], rider_of: RiderOf | None) -> Callable[..., Awaitable[Response]]:
    hints = typing.get_type_hints(endpoint, include_extras=True)
    signature = inspect.signature(endpoint)
    parameters = [p.replace(annotation=hints.get(p.name, p.annotation))
                  for p in signature.parameters.values() if p.name not in _INJECTED]
    has_request = any(p.name == "request" for p in parameters)
    if not has_request:
        parameters.append(inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY, annotation=Request))
    wants_principal = "principal" in signature.parameters

    def run(request: Request, arguments: dict[str, Any], cancellation: Cancellation) -> Response:
        rider = presented = None
        if rider_of is not None:
            presented = presented_credential(request, services_of(request).settings)
            rider = _request_rider(request, rider_of, arguments, presented)
        with open_request_context(request, cancellation, rider, presented) as ctx:
            injected: dict[str, Any] = {"ctx": ctx}
            if wants_principal:
                injected["principal"] = request.state.principal
            return endpoint(**arguments, **injected)

    async def call(**arguments: Any) -> Response:
        request = arguments["request"] if has_request else arguments.pop("request")
        cancellation = Cancellation()  # cancelled when the client goes away (web/api/disconnect.py)
        return await run_until_disconnected(request, cancellation, lambda: run(request, arguments, cancellation))

    for attribute in ("__name__", "__qualname__", "__doc__", "__module__"):
        setattr(call, attribute, getattr(endpoint, attribute))
    call.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=parameters, return_annotation=hints.get("return", Response))
    return call


Services = Annotated[ApiServices, Depends(services)]
