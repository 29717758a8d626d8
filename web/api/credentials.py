"""Reading a username and password from a JSON or form body (the login endpoints accept both)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from fastapi import Request

from jimu.platform.errors import ErrorDetail, ValidationError
from jimu.platform.i18n import translate
from jimu.web.api.errors import MalformedJsonError, UnsupportedMediaTypeError


@dataclass(frozen=True)
class PasswordLogin:
    username: str
    password: str


def _missing(locale: str, fields: list[str]) -> ValidationError:
    details = [ErrorDetail(name, "api.field_required", message=translate("api.field_required", locale))
               for name in fields]
    return ValidationError(translate("api.credentials_missing", locale), code="api.credentials_missing",
                           details=details)


async def read_login(request: Request, locale: str) -> PasswordLogin:
    """`username` and `password` from application/json or a urlencoded / multipart form."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    data: Any
    if content_type == "application/json" or content_type.endswith("+json"):
        try:
            data = json.loads(await request.body() or b"null")
        except ValueError:
            raise MalformedJsonError("The body is not valid JSON.") from None
        if not isinstance(data, dict):
            raise ValidationError(translate("api.body_not_object", locale), code="api.body_not_object")
    elif content_type == "application/x-www-form-urlencoded":
        parsed = parse_qs((await request.body()).decode("utf-8", "replace"), keep_blank_values=True)
        data = {key: values[-1] for key, values in parsed.items()}
    elif content_type == "multipart/form-data":
        async with request.form() as form:
            data = {key: value for key, value in form.items() if isinstance(value, str)}
    else:
        raise UnsupportedMediaTypeError("Unsupported media type.")
    username, password = data.get("username"), data.get("password")
    missing = [name for name, value in (("username", username), ("password", password))
               if not isinstance(value, str) or not value]
    if missing:
        raise _missing(locale, missing)
    return PasswordLogin(str(username), str(password))
