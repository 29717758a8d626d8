"""`/openapi.json` as the caller may see it: anonymous callers get the generic endpoints, a signed-in
user the entities they may read with only the fields visible to them, a superuser everything.

The documents are cached per definitions stamp, security revision and role set (what a set of roles
may see depends on nothing else), never per request; the administration endpoints are shown to
superusers only.
"""
from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Hashable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.responses import Response

from jimu.platform.context import Context
from jimu.platform.security import Principal, RolePolicy
from jimu.web.api.admin_scope import ADMIN_PREFIX
from jimu.web.api.deps import open_request_context, presented_credential, services_of
from jimu.web.api.openapi import OpenApiDocument, with_entities
from jimu.web.api.openapi_schemas import EVERYTHING, Schema, Visibility

CACHED_DOCUMENTS = 64  # role sets differ little in practice; the oldest document is dropped past this


def without_admin(document: Schema, api_prefix: str) -> Schema:
    """The document without the administration endpoints (for callers who are not superusers)."""
    hidden = api_prefix + ADMIN_PREFIX
    trimmed = copy.copy(document)
    trimmed["paths"] = {path: item for path, item in document.get("paths", {}).items()
                        if path != hidden and not path.startswith(hidden + "/")}
    return trimmed


def policy_visibility(policy: RolePolicy) -> Visibility:
    """What a policy lets its principal see: entities with `read`, their readable and writable fields."""
    if policy.principal.is_superuser:
        return EVERYTHING
    return Visibility(entity=lambda entity: policy.can(entity.key, "read"), readable=policy.readable_fields,
                      writable=policy.writable_fields)


class CallerDocuments:
    """The per-caller documents of one app, built from its OpenApiDocument's base (kept on the app)."""

    def __init__(self, document: OpenApiDocument, api_prefix: str) -> None:
        self.document = document
        self.api_prefix = api_prefix
        self._anonymous: Schema | None = None
        self._built: OrderedDict[Hashable, Schema] = OrderedDict()
        self._lock = threading.Lock()

    def anonymous(self) -> Schema:
        """The generic endpoints (`/records/{entity}`...), no entity's fields, no administration."""
        if self._anonymous is None:
            self._anonymous = without_admin(self.document.base(), self.api_prefix)
        return self._anonymous

    def for_caller(self, ctx: Context, principal: Principal) -> Schema:
        policy = ctx.access
        if not isinstance(policy, RolePolicy):  # not a request's policy: nothing beyond the generic part
            return self.anonymous()
        key = (ctx.definitions.stamp, policy.snapshot.revision, principal.roles, principal.is_superuser)
        found = self._built.get(key)
        if found is not None:
            return found
        document = with_entities(self.document.base(), ctx.catalog, policy_visibility(policy))
        if not principal.is_superuser:
            document = without_admin(document, self.api_prefix)
        with self._lock:
            self._built[key] = document
            while len(self._built) > CACHED_DOCUMENTS:
                self._built.popitem(last=False)
        return document


def install_caller_documents(app: FastAPI, urls: tuple[str, ...], api_prefix: str) -> CallerDocuments:
    """Serve the caller's document at each of `urls` (a credential, when sent, must be valid: else 401)."""
    if not isinstance(app.openapi, OpenApiDocument):
        raise TypeError("install_openapi first")
    documents = CallerDocuments(app.openapi, api_prefix)

    def openapi_json(request: Request) -> Response:
        api = services_of(request)
        if presented_credential(request, api.settings).token is None:
            return JSONResponse(documents.anonymous())
        with open_request_context(request) as ctx:
            return JSONResponse(documents.for_caller(ctx, request.state.principal))

    for url in urls:
        app.add_api_route(url, openapi_json, methods=["GET"], include_in_schema=False)
    return documents
