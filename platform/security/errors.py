"""Typed errors of the security kernel; each has a stable code (messages in i18n/<locale>/security.json)."""
from __future__ import annotations

from typing import Any

from jimu.platform.errors import ErrorDetail, JimuError, PermissionDeniedError


class AuthenticationError(JimuError):
    """Wrong credentials, or a missing, unknown, expired or revoked token (HTTP 401)."""

    code = "security.authentication_failed"
    http_status = 401


class TooManyAttemptsError(JimuError):
    """Login is temporarily locked for a username or address (HTTP 429, Retry-After: retry_after)."""

    code = "security.too_many_attempts"
    http_status = 429

    def __init__(self, message: str, *, retry_after: int, details: list[ErrorDetail] | None = None,
                 **params: Any) -> None:
        super().__init__(message, details=details, retry_after=retry_after, **params)
        self.retry_after = retry_after


class CsrfError(PermissionDeniedError):
    """A browser session's unsafe request without the matching CSRF token (HTTP 403)."""

    code = "security.csrf_failed"


__all__ = ["AuthenticationError", "CsrfError", "PermissionDeniedError", "TooManyAttemptsError"]
