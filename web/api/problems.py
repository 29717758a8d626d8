"""problem+json bodies (RFC 9457) with messages from the catalogue, in the request's language."""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any

from starlette.responses import Response

from jimu.platform.errors import ErrorDetail, JimuError
from jimu.platform.i18n import placeholders, translate
from jimu.web.api.serialize import utf8_json

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE = "urn:jimu:problem:"
SAFE_EXTENSIONS = ("current_version", "retry_after", "entity", "id", "app", "report")


def localized(code: str, locale: str, params: Mapping[str, Any], fallback: str = "") -> str:
    """The catalogue message of `code` in `locale`; `fallback` (the message as raised) when the catalogue
    has no such code or `params` lack a placeholder it needs (never a raw `{template}`)."""
    if fallback and not placeholders(code, locale) <= params.keys():
        return fallback
    message = translate(code, locale, **params)
    return fallback if message == code and fallback else message


def title(status: int, locale: str) -> str:
    code = f"api.title_{status}"
    text = translate(code, locale)
    if text != code:
        return text
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return str(status)


def problem(status: int, code: str, locale: str, *, detail: str | None = None, params: Mapping[str, Any] | None = None,
            errors: Iterable[Mapping[str, Any]] = (), extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE + code, "title": title(status, locale), "status": status, "code": code,
        "detail": detail if detail is not None else localized(code, locale, params or {}),
        "errors": list(errors),
    }
    body.update(extra or {})
    return body


def detail_entry(detail: ErrorDetail, locale: str) -> dict[str, Any]:
    """One field-level entry: where, what code, and the message in the request's language."""
    entry: dict[str, Any] = {"path": detail.path, "code": detail.code,
                             "message": localized(detail.code, locale, detail.params, detail.message)}
    head = detail.path.split("/")[0].split(".")[0].split("[")[0]
    if head and not head.startswith("$"):
        entry["field"] = head
    return entry


def error_problem(error: JimuError, locale: str) -> dict[str, Any]:
    """The problem body of a typed error (only well-known, non-sensitive parameters are echoed)."""
    extra = {key: error.params[key] for key in SAFE_EXTENSIONS if key in error.params}
    return problem(error.http_status, error.code, locale,
                   detail=localized(error.code, locale, error.params, error.message),
                   errors=[detail_entry(d, locale) for d in error.details], extra=extra)


def problem_response(body: Mapping[str, Any], headers: Mapping[str, str] | None = None) -> Response:
    return Response(utf8_json(json.dumps(body, ensure_ascii=False, default=str)), status_code=int(body["status"]),
                    media_type=PROBLEM_MEDIA_TYPE, headers=dict(headers or {}))
