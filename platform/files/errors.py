"""Typed errors of the file store (messages in i18n/<locale>/files.json)."""
from __future__ import annotations

from jimu.platform.errors import JimuError, NotFoundError


class FileTooLargeError(JimuError):
    """An upload over the field's `max_size` or the installation's limit (HTTP 413)."""

    code = "files.too_large"
    http_status = 413


class FileNotFound(NotFoundError):
    code = "files.not_found"
