"""Collecting field errors (with catalogue messages) into one ValidationError."""
from __future__ import annotations

from typing import Any

from jimu.platform.errors import ErrorDetail, ValidationError
from jimu.platform.fields.base import Problem
from jimu.platform.i18n import translate


class Problems:
    """Field errors found so far, each at a path (`name` or `lines/2/qty`), in one locale."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        self.details: list[ErrorDetail] = []

    def add(self, path: str, code: str, **params: Any) -> None:
        message = translate(code, self.locale, **params)
        self.details.append(ErrorDetail(path=path, code=code, params=params, message=message))

    def extend(self, path: str, problems: list[Problem]) -> None:
        for problem in problems:
            self.add(path, problem.code, **problem.params)

    def has(self, path: str) -> bool:
        return any(d.path == path for d in self.details)

    def __bool__(self) -> bool:
        return bool(self.details)

    def error(self) -> ValidationError:
        return ValidationError(translate("records.invalid", self.locale), details=list(self.details))

    def raise_if_any(self) -> None:
        if self.details:
            raise self.error()


def join_path(prefix: str, name: str) -> str:
    return f"{prefix}{name}" if prefix else name
