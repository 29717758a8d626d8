"""Typed errors of public forms; each has a stable code (messages in i18n/<locale>/public_forms.json)."""
from __future__ import annotations

from jimu.platform.errors import JimuError


class TooManySubmissionsError(JimuError):
    """Too many submissions from one address, or to one form, within the form's window (HTTP 429, with
    `retry_after` seconds: web/api/errors.py sends it as Retry-After)."""

    code = "public_forms.too_many"
    http_status = 429
