"""Collecting problems found at paths (with catalogue messages) before raising one error."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, Generic, TypeVar

from jimu.platform.errors import ErrorDetail, JimuError
from jimu.platform.fields.base import Problem
from jimu.platform.i18n import translate

KindT = TypeVar("KindT", bound=JimuError)


class Problems(Generic[KindT]):
    """Problems found so far, each at a path (a JSON path, `name` or `lines/2/qty`), in one locale.

    Each subclass names the error it raises (`error_kind`) and that error's message (`error_code`).
    """

    error_kind: type[KindT]
    error_code: ClassVar[str]

    def __init__(self, locale: str) -> None:
        self.locale = locale
        self.details: list[ErrorDetail] = []

    def add(self, path: str, code: str, **params: Any) -> None:
        message = translate(code, self.locale, **params)
        self.details.append(ErrorDetail(path=path, code=code, params=params, message=message))

    def extend(self, path: str, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.add(f"{path}/{problem.at}" if problem.at else path, problem.code, **problem.params)

    def has(self, path: str) -> bool:
        return any(d.path == path for d in self.details)

    def __bool__(self) -> bool:
        return bool(self.details)

    def error(self) -> KindT:
        """One error carrying every problem, its message the catalogue's `error_code`."""
        return self.error_kind(translate(self.error_code, self.locale), details=list(self.details))

    def raise_if_any(self) -> None:
        if self.details:
            raise self.error()
