"""Collecting field errors of a record write into one ValidationError."""
from __future__ import annotations

from jimu.platform.errors import ValidationError
from jimu.platform.problems import Problems as _Problems


class Problems(_Problems[ValidationError]):
    """Field errors of a record write, each at a path (`name` or `lines/2/qty`)."""

    error_kind = ValidationError
    error_code = "records.invalid"


def join_path(prefix: str, name: str) -> str:
    return f"{prefix}{name}" if prefix else name
