"""Typed errors of the platform; each carries a stable code and field-level details.

The web layer maps them to HTTP (problem+json) in one place; the CLI maps them to
exit status 2. Messages are rendered through the message catalogue by code.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ErrorDetail:
    """One problem: where (a JSON path or field name), a stable code, and its parameters."""

    path: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        shown: dict[str, Any] = {"path": self.path, "code": self.code, "message": self.message}
        if self.params:
            shown["params"] = self.params
        return shown


class JimuError(Exception):
    """Base of every error Jimu raises on purpose."""

    code = "error"
    http_status = 400

    def __init__(self, message: str, *, details: list[ErrorDetail] | None = None, code: str | None = None,
                 **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []
        if code:
            self.code = code
        self.params = params

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": [d.as_dict() for d in self.details]}

    def __str__(self) -> str:
        if not self.details:
            return self.message
        lines = [self.message] + [f"  {d.path}: {d.message or d.code}" for d in self.details]
        return "\n".join(lines)


class DefinitionError(JimuError):
    code = "definition_invalid"
    http_status = 422


class ValidationError(JimuError):
    code = "validation_failed"
    http_status = 422


class NotFoundError(JimuError):
    code = "not_found"
    http_status = 404


class ValueRefusedError(ValidationError):
    """A value the database could not store or compute with (a number or date out of its range, a character
    it cannot hold) that no earlier check caught: a 422, never a 500."""

    code = "database.value_refused"


class ConflictError(JimuError):
    code = "conflict"
    http_status = 409


class SchemaChangeError(JimuError):
    """A schema change that the live data does not allow (lossy conversion, duplicates)."""

    code = "schema_change_refused"
    http_status = 409


class PermissionDeniedError(JimuError):
    code = "permission_denied"
    http_status = 403


class ImportFileError(JimuError):
    code = "import_failed"
    http_status = 422
