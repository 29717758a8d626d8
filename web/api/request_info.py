"""What every layer of the API reads from a request: its id and its language."""
from __future__ import annotations

import re
import uuid
from collections.abc import Iterable

from starlette.requests import HTTPConnection

from jimu.platform.i18n import negotiate_locale

REQUEST_ID_HEADER = "X-Request-ID"
_CLIENT_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")  # whole value: fullmatch


def new_request_id(offered: str | None) -> str:
    """The client's X-Request-ID when it is a plain token (letters, digits, . _ : -), else a fresh one."""
    if offered and _CLIENT_ID.fullmatch(offered):
        return offered
    return uuid.uuid4().hex


def header(headers: Iterable[tuple[bytes, bytes]], name: str) -> str | None:
    wanted = name.lower().encode("latin-1")
    return next((value.decode("latin-1") for key, value in headers if key.lower() == wanted), None)


def request_id(connection: HTTPConnection) -> str:
    state = connection.scope.setdefault("state", {})
    if "request_id" not in state:
        state["request_id"] = new_request_id(connection.headers.get(REQUEST_ID_HEADER))
    return str(state["request_id"])


def request_locale(connection: HTTPConnection) -> str:
    return negotiate_locale(connection.headers.get("accept-language"))
