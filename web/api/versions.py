"""Optimistic locking over HTTP: the expected version from `If-Match: "<version>"` or a `_version` field."""
from __future__ import annotations

import re
from typing import Any

from jimu.platform.errors import ErrorDetail, ValidationError
from jimu.platform.i18n import translate
from jimu.web.api.errors import BadRequestError

_ETAG = re.compile(r'\s*(?:W/)?"?([0-9]{1,18})"?\s*')  # whole value: fullmatch


def if_match_version(value: str | None) -> int | None:
    """The version named by an If-Match header (`"3"`, `3` or `W/"3"`); None when absent or `*`."""
    if value is None or value.strip() in ("", "*"):
        return None
    found = _ETAG.fullmatch(value)
    if found is None:
        raise BadRequestError("If-Match must be a record version.", code="api.invalid_if_match")
    return int(found.group(1))


def expected_version(if_match: str | None, body: dict[str, Any] | None, locale: str) -> int | None:
    """The version the client expects (If-Match first, else `_version` taken out of the body)."""
    sent = body.pop("_version", None) if body is not None else None
    header = if_match_version(if_match)
    if header is not None:
        return header
    if sent is None:
        return None
    if isinstance(sent, bool) or not isinstance(sent, int):
        if isinstance(sent, str) and sent.strip().isascii() and sent.strip().isdigit() and len(sent.strip()) <= 18:
            return int(sent)
        code = "api.invalid_version"
        message = translate(code, locale)
        raise ValidationError(message, details=[ErrorDetail("_version", code, message=message)])
    return sent
