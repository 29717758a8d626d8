"""Every failure the CLI reports, mapped to an exit status and one sentence, in one place."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy.exc as sa_exc

from jimu.platform.errors import (
    DefinitionError,
    ImportFileError,
    JimuError,
    ValidationError,
)
from jimu.platform.i18n import translate

BAD_INPUT = 2  # exit status of bad input: nothing was changed
PARTIAL = 1  # exit status when some rows were written and others refused
UNEXPECTED = 70  # an internal error (EX_SOFTWARE)


class CliError(JimuError):
    """Bad command-line input (missing file, invalid JSON, uninitialised database...)."""

    code = "cli.error"


@dataclass
class Failure:
    """What the user sees: the exit status, one sentence, and any problems (`path: message`)."""

    status: int
    sentence: str
    problems: list[str] = field(default_factory=list)
    code: str = "error"
    details: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.sentence, "details": self.details}}


def cli_error(code: str, locale: str = "en", **params: Any) -> CliError:
    """A CliError whose message comes from the catalogue."""
    return CliError(translate(code, locale, **params), code=code, **params)


def failure_of(error: BaseException, locale: str = "en") -> Failure:
    """The Failure to report for an exception (bad input is status 2; anything else is a bug)."""
    if isinstance(error, JimuError):
        return _jimu_failure(error, locale)
    if isinstance(error, json.JSONDecodeError):
        return _bad("cli.invalid_json", locale, reason=error.msg, line=error.lineno, column=error.colno)
    if isinstance(error, (sa_exc.ArgumentError, sa_exc.NoSuchModuleError)):
        return _bad("cli.bad_database_url", locale, reason=_first_line(error))
    if isinstance(error, (sa_exc.OperationalError, sa_exc.InterfaceError)):
        return _bad("cli.database_unavailable", locale, reason=_first_line(getattr(error, "orig", None) or error))
    if isinstance(error, OSError):
        return _bad("cli.cannot_read", locale, file=error.filename or "", reason=error.strerror or str(error))
    return Failure(UNEXPECTED, translate("cli.unexpected", locale, kind=type(error).__name__,
                                         reason=_first_line(error)), code="cli.unexpected")


def _jimu_failure(error: JimuError, locale: str) -> Failure:
    sentence = error.message
    if locale != "en":
        translated = translate(error.code, locale, **error.params)
        sentence = translated if translated != error.code else sentence
    problems: list[str] = []
    if isinstance(error, (DefinitionError, ValidationError, ImportFileError)) or error.details:
        lines = [(d.path, d.message or translate(d.code, locale, **d.params)) for d in error.details]
        if len(lines) == 1 and lines[0][1] == sentence:  # the sentence already says it
            lines = []
        problems = [f"{path}: {message}" for path, message in lines]
    return Failure(BAD_INPUT, sentence, problems, error.code, [d.as_dict() for d in error.details])


def _bad(code: str, locale: str, **params: Any) -> Failure:
    return Failure(BAD_INPUT, translate(code, locale, **params), code=code)


def _first_line(error: object) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
