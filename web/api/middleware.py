"""ASGI middleware: request ids (and the last-resort 500) and request body limits."""
from __future__ import annotations

import json
import logging
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jimu.platform.i18n import negotiate_locale
from jimu.web.api.config import ApiSettings
from jimu.web.api.errors import BODY_TOO_LARGE, PayloadTooLargeError
from jimu.web.api.problems import PROBLEM_MEDIA_TYPE, problem
from jimu.web.api.request_info import REQUEST_ID_HEADER, header, new_request_id

log = logging.getLogger("jimu.api")


async def _send_problem(send: Send, body: dict[str, Any], request_id: str | None = None) -> None:
    payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
    headers = [(b"content-type", PROBLEM_MEDIA_TYPE.encode()), (b"content-length", str(len(payload)).encode())]
    if request_id:
        headers.append((REQUEST_ID_HEADER.lower().encode(), request_id.encode()))
    await send({"type": "http.response.start", "status": body["status"], "headers": headers})
    await send({"type": "http.response.body", "body": payload})


class RequestIdMiddleware:
    """Gives every request an id (the client's X-Request-ID or a new one), echoes it on the response,
    and turns an unexpected exception into a 500 problem without internals."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = new_request_id(header(scope["headers"], REQUEST_ID_HEADER))
        scope.setdefault("state", {})["request_id"] = rid
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
                message = {**message, "headers": [*headers, (b"x-request-id", rid.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unexpected error in request %s", rid)
            if started:
                raise
            locale = negotiate_locale(header(scope["headers"], "accept-language"))
            await _send_problem(send, problem(500, "api.internal_error", locale, params={"request_id": rid}), rid)


class BodyLimitMiddleware:
    """Refuses bodies over the limit: at once from Content-Length, else while they are read (413)."""

    def __init__(self, app: ASGIApp, settings: ApiSettings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        content_type = header(scope["headers"], "content-type") or ""
        multipart = content_type.lower().startswith("multipart/")
        limit = self.settings.max_upload_bytes if multipart else self.settings.max_json_bytes
        declared = header(scope["headers"], "content-length")
        if declared is not None and declared.strip().isascii() and declared.strip().isdigit() and int(declared) > limit:
            locale = negotiate_locale(header(scope["headers"], "accept-language"))
            rid = scope.get("state", {}).get("request_id")
            await _send_problem(send, problem(413, "api.body_too_large", locale, params={"limit": limit}), rid)
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    scope.setdefault("state", {})[BODY_TOO_LARGE] = limit
                    raise PayloadTooLargeError(f"The body is larger than {limit} bytes.", limit=limit)
            return message

        await self.app(scope, counting_receive, send)
