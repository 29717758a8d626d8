"""Errors of the report engine, each with a stable code (the web layer maps them to HTTP by class)."""
from __future__ import annotations

from typing import Any

from jimu.platform.errors import ErrorDetail, JimuError, NotFoundError, PermissionDeniedError
from jimu.platform.i18n import translate


class ReportNotFoundError(NotFoundError):
    """No installed app has a report (or dashboard) of that key."""

    code = "reports.not_found"


class FieldHiddenError(PermissionDeniedError):
    """The report groups, filters, measures or drills by a field the caller may not read."""

    code = "reports.field_not_readable"


class ReportTooLargeError(JimuError):
    """The report has more groups than the row cap: the caller should narrow it."""

    code = "reports.too_many_rows"
    http_status = 422


class ReportTimeoutError(JimuError):
    """The report's statement ran past the statement time limit and was stopped."""

    code = "reports.timeout"
    http_status = 503


class ReportScheduleNotFound(NotFoundError):
    """No scheduled export has that key."""

    code = "reports.schedule_not_found"


class ReportScheduleInvalid(JimuError):
    """A scheduled export that cannot be sent as configured (e.g. its channel is not an e-mail one)."""

    code = "reports.schedule_invalid"
    http_status = 422


def error(kind: type[JimuError], code: str, locale: str, *, path: str | None = None, **params: Any) -> JimuError:
    """An error of `kind` whose message is the catalogue's `code` in `locale` (with one detail at `path`)."""
    message = translate(code, locale, **params)
    details = [ErrorDetail(path, code, params, message)] if path is not None else None
    return kind(message, details=details, code=code, **params)
