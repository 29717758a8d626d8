"""Every error to HTTP, in one place: typed JimuErrors, request validation, routing and the unexpected."""
from __future__ import annotations

import logging
from typing import Any

import sqlalchemy.exc as sa_exc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from jimu.platform.errors import JimuError
from jimu.platform.security import AuthenticationError, TooManyAttemptsError
from jimu.web.api.problems import error_problem, problem, problem_response
from jimu.web.api.request_info import request_locale

log = logging.getLogger("jimu.api")
BODY_TOO_LARGE = "jimu.body_too_large"  # scope key set by the body limit when a body passed the limit


class PayloadTooLargeError(JimuError):
    """A request body over the configured limit (HTTP 413)."""

    code = "api.body_too_large"
    http_status = 413


class MalformedJsonError(JimuError):
    code = "api.malformed_json"
    http_status = 400


class BadRequestError(JimuError):
    """A malformed header or parameter outside the body (HTTP 400)."""

    code = "api.bad_request"
    http_status = 400


class UnsupportedMediaTypeError(JimuError):
    code = "api.unsupported_media_type"
    http_status = 415


_STATUS_CODES = {400: "api.malformed_body", 404: "api.not_found", 405: "api.method_not_allowed",
                 415: "api.unsupported_media_type"}


def _validation_code(kind: str) -> str:
    if kind == "missing":
        return "api.field_required"
    if kind == "extra_forbidden":
        return "api.field_unknown"
    if kind.endswith(("_type", "_parsing")):
        return "api.field_type"
    return "api.field_invalid"


async def jimu_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, JimuError)
    headers: dict[str, str] = {}
    if isinstance(exc, TooManyAttemptsError):
        headers["Retry-After"] = str(exc.retry_after)
    elif isinstance(exc.params.get("retry_after"), int):  # e.g. database.locked
        headers["Retry-After"] = str(exc.params["retry_after"])
    if isinstance(exc, AuthenticationError):
        headers["WWW-Authenticate"] = "Bearer"
    return problem_response(error_problem(exc, request_locale(request)), headers)


async def validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    locale = request_locale(request)
    found: list[Any] = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in found):
        return problem_response(problem(400, "api.malformed_json", locale))
    entries = []
    for error in found:
        location = [str(part) for part in error.get("loc", ())]
        where, path = (location[0], location[1:]) if location else ("body", [])
        code = _validation_code(str(error.get("type", "")))
        entry = {"path": "/".join(path) or where, "in": where, "code": code,
                 "message": problem(422, code, locale)["detail"]}
        if path:
            entry["field"] = path[0]
        entries.append(entry)
    return problem_response(problem(422, "api.request_invalid", locale, errors=entries))


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    locale = request_locale(request)
    limit = request.scope.get("state", {}).get(BODY_TOO_LARGE)
    if limit is not None:
        return problem_response(problem(413, "api.body_too_large", locale, params={"limit": limit}))
    code = _STATUS_CODES.get(exc.status_code, "api.http_error")
    return problem_response(problem(exc.status_code, code, locale), dict(exc.headers or {}))


async def data_error(request: Request, exc: Exception) -> Response:
    """The database refused a value (SQLSTATE class 22: a NUL character in text on PostgreSQL, a number
    out of range...): the request's data is at fault, so 422, never a 500."""
    log.info("database refused a value: %s", str(getattr(exc, "orig", exc)).splitlines()[0][:200])
    return problem_response(problem(422, "api.value_refused", request_locale(request)))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(JimuError, jimu_error)
    app.add_exception_handler(sa_exc.DataError, data_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(HTTPException, http_error)
